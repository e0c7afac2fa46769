#pragma once
// A process's handles: each names an object and carries rights. Resolving a handle checks
// its type and rights in one step. The table holds one reference and one handle count on
// each object it names.

#include <stellina/types.h>

#include <lib/handle_slots.h>
#include <lib/result.h>

#include "kernel/object.h"

namespace kernel {

using stellina::abi::Handle;

class HandleTable {
 public:
  static constexpr size_t kCapacity = 1024;

  HandleTable() = default;
  HandleTable(const HandleTable&) = delete;
  HandleTable& operator=(const HandleTable&) = delete;

  // A new handle to object with the given rights. Errors: NoResources (table full).
  lib::Result<Handle> install(Object* object, uint32_t rights) REQUIRES(sched_lock);

  // A syscall's new handle, in three steps: reserve a slot before the work (so a full table
  // fails the call before anything is done), then either fill it at the commit point (this
  // cannot fail) or cancel it if the call failed. Until filled it names nothing.
  // Errors: NoResources (table full).
  lib::Result<Handle> reserve() REQUIRES(sched_lock);
  void fill(Handle reserved, Object* object, uint32_t rights) REQUIRES(sched_lock);
  void cancel(Handle reserved) REQUIRES(sched_lock);
  // n at once, all or none.
  lib::Result<void> reserve(Handle* reserved, size_t n) REQUIRES(sched_lock);
  void cancel(const Handle* reserved, size_t n) REQUIRES(sched_lock);

  // The object behind h if it is a T and the handle has every right in needed.
  // Errors: BadHandle, WrongType, AccessDenied.
  template <typename T>
  lib::Result<T*> get(Handle h, uint32_t needed) const REQUIRES(sched_lock) {
    const auto entry = TRY(lookup(h, needed));
    T* object = object_cast<T>(static_cast<Object*>(entry.object));
    if (!object) return lib::Error::WrongType;
    return object;
  }
  // Any object, rights checked. Errors: BadHandle, AccessDenied.
  lib::Result<lib::HandleSlots<kCapacity>::Entry> lookup(Handle h, uint32_t needed) const
      REQUIRES(sched_lock);

  // Removes h and hands its reference to the caller (the handle count drops: the object may
  // see on_zero_handles). Errors: BadHandle.
  struct Taken {
    Ref<Object> object;
    uint32_t rights;
  };
  lib::Result<Taken> take(Handle h) REQUIRES(sched_lock);

  // Moving a handle through a channel: the handle leaves this table but keeps counting as an
  // open handle (the message holds it), and is installed as it is at the receiver.
  lib::Result<Taken> take_for_transfer(Handle h) REQUIRES(sched_lock);
  void fill_transferred(Handle reserved, Object* object, uint32_t rights) REQUIRES(sched_lock);

  lib::Result<void> close(Handle h) REQUIRES(sched_lock);
  void close_all() REQUIRES(sched_lock);
  size_t count() const { return slots_.count(); }

 private:
  lib::HandleSlots<kCapacity> slots_;
};

}  // namespace kernel
