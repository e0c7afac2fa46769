#pragma once
// A process's handles: each names an object and carries rights. Resolving a handle checks
// its type and rights in one step. The table holds one reference and one handle count on
// each object it names.
//
// When the process ends the table is closed for good (close_all): a syscall still running in
// another thread of the process, which reserved a slot before the end, installs nothing when
// it commits: what it made or received is released (its handles closed), never left in a
// table no one will close again. Reserving and installing in a closed table fail (Killed).
//
// The table starts with kFirstSlots slots inside the process object and doubles on demand up
// to kCapacity: each step is a heap allocation charged to the process's silo, given back when
// the table goes (with the process object). A step that cannot be had fails the reservation
// that needed it (NoMemory, QuotaExceeded) and leaves the table as it was.

#include <stellina/types.h>

#include <lib/handle_slots.h>
#include <lib/result.h>

#include "kernel/object.h"

namespace kernel {

using stellina::abi::Handle;

class Silo;

class HandleTable {
 public:
  static constexpr size_t kCapacity = 8192;
  static constexpr size_t kFirstSlots = 32;
  using Slots = lib::HandleSlots<kCapacity, kFirstSlots>;

  HandleTable() = default;
  ~HandleTable();
  HandleTable(const HandleTable&) = delete;
  HandleTable& operator=(const HandleTable&) = delete;

  // Where the table's growth is charged (by its process, before the table is used; the
  // process's reference keeps the silo alive). Uncharged tables (tests) grow uncharged.
  void charge_to(Silo* silo) { silo_ = silo; }

  // A new handle to object with the given rights. Errors: NoResources (table full), Killed
  // (closed), NoMemory or QuotaExceeded (it had to grow and could not).
  lib::Result<Handle> install(Object* object, uint32_t rights) REQUIRES(sched_lock);

  // A syscall's new handle, in three steps: reserve a slot before the work (so a full table
  // fails the call before anything is done), then either fill it at the commit point (this
  // cannot fail) or cancel it if the call failed. Until filled it names nothing. Filling a
  // closed table only gives the slot up: the caller's reference to object is then the last.
  // Errors: NoResources (table full), Killed (closed), NoMemory or QuotaExceeded (growth).
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
  lib::Result<Slots::Entry> lookup(Handle h, uint32_t needed) const REQUIRES(sched_lock);

  // Removes h and hands its reference to the caller (the handle count drops: the object may
  // see on_zero_handles). Errors: BadHandle.
  struct Taken {
    Ref<Object> object;
    uint32_t rights;
  };
  lib::Result<Taken> take(Handle h) REQUIRES(sched_lock);

  // Moving a handle through a channel: the handle leaves this table but keeps counting as an
  // open handle (the message holds it), and is installed as it is at the receiver.
  // fill_transferred adopts the reference and the handle count; a closed table closes the
  // handle instead.
  lib::Result<Taken> take_for_transfer(Handle h) REQUIRES(sched_lock);
  void fill_transferred(Handle reserved, Object* object, uint32_t rights) REQUIRES(sched_lock);

  // Taking a handle out for a request that may still fail (spawn): like take_for_transfer,
  // but h stays reserved meanwhile, so no other thread can use, move or close it. Then either
  // put it back (fill_transferred(h, ...): the handle is the caller's again, under the same
  // number) or call moved (the request took it: the slot goes, the handle closes and its
  // reference drops).
  lib::Result<Taken> take_pending(Handle h) REQUIRES(sched_lock);
  void moved(Handle pending, Object* object) REQUIRES(sched_lock);

  lib::Result<void> close(Handle h) REQUIRES(sched_lock);
  // Closes every handle and the table itself (the process ended).
  void close_all() REQUIRES(sched_lock);
  bool closed() const REQUIRES(sched_lock) { return closed_; }
  size_t count() const { return slots_.count(); }
  // Slots it has now (used or not), and the bytes its growth took from the heap.
  size_t capacity() const { return slots_.capacity(); }
  size_t grown_bytes() const { return grown_bytes_; }

 private:
  // Makes room for one more reservation: grows a full table by a step.
  lib::Result<void> make_room() REQUIRES(sched_lock);

  Slots slots_;
  bool closed_ = false;
  Silo* silo_ = nullptr;
  size_t grown_bytes_ = 0;  // heap bytes of the steps, charged to silo_
};

}  // namespace kernel
