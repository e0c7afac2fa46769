#include "kernel/handle_table.h"

#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/silo.h"

namespace kernel {

HandleTable::~HandleTable() {
  slots_.take_chunks([](Slots::Slot* chunk, size_t) { heap::free(chunk); });
  if (silo_ && grown_bytes_) silo_->uncharge_memory(grown_bytes_);
}

lib::Result<void> HandleTable::make_room() {
  if (!slots_.full()) return {};
  const size_t slots = slots_.growth();
  if (slots == 0) return lib::Error::NoResources;
  const size_t bytes = slots * sizeof(Slots::Slot);
  if (silo_) TRY(silo_->charge_memory(bytes));
  auto memory = heap::alloc(bytes);
  if (!memory.ok()) {
    if (silo_) silo_->uncharge_memory(bytes);
    return memory.error();
  }
  auto* chunk = static_cast<Slots::Slot*>(memory.value());
  for (size_t i = 0; i < slots; ++i) new (&chunk[i]) Slots::Slot{};
  slots_.grow(chunk);
  grown_bytes_ += bytes;
  return {};
}

lib::Result<Handle> HandleTable::install(Object* object, uint32_t rights) {
  if (closed_) return lib::Error::Killed;
  TRY(make_room());
  const Handle h = TRY(slots_.insert(object, rights));
  object->retain();
  object->handle_opened();
  return h;
}

lib::Result<Handle> HandleTable::reserve() {
  if (closed_) return lib::Error::Killed;
  TRY(make_room());
  return slots_.reserve();
}

void HandleTable::fill(Handle reserved, Object* object, uint32_t rights) {
  if (closed_) {  // the process ended meanwhile: the caller's reference is the last
    cancel(reserved);
    return;
  }
  KASSERT(slots_.fill(reserved, object, rights).ok());
  object->retain();
  object->handle_opened();
}

void HandleTable::cancel(Handle reserved) { KASSERT(slots_.cancel(reserved).ok()); }

lib::Result<void> HandleTable::reserve(Handle* reserved, size_t n) {
  if (closed_) return lib::Error::Killed;
  for (size_t i = 0; i < n; ++i) {
    auto h = reserve();
    if (!h.ok()) {
      cancel(reserved, i);
      return h.error();
    }
    reserved[i] = h.value();
  }
  return {};
}

void HandleTable::cancel(const Handle* reserved, size_t n) {
  for (size_t i = 0; i < n; ++i) cancel(reserved[i]);
}

lib::Result<HandleTable::Slots::Entry> HandleTable::lookup(Handle h, uint32_t needed) const {
  const auto entry = TRY(slots_.lookup(h));
  if ((entry.rights & needed) != needed) return lib::Error::AccessDenied;
  return entry;
}

lib::Result<HandleTable::Taken> HandleTable::take(Handle h) {
  const auto entry = TRY(slots_.remove(h));
  auto* object = static_cast<Object*>(entry.object);
  object->handle_closed();
  return Taken{Ref<Object>::adopt(object), entry.rights};
}

lib::Result<HandleTable::Taken> HandleTable::take_for_transfer(Handle h) {
  const auto entry = TRY(slots_.remove(h));
  return Taken{Ref<Object>::adopt(static_cast<Object*>(entry.object)), entry.rights};
}

void HandleTable::fill_transferred(Handle reserved, Object* object, uint32_t rights) {
  if (closed_) {  // the process ended meanwhile: the handle closes here
    cancel(reserved);
    object->handle_closed();
    object->release();
    return;
  }
  KASSERT(slots_.fill(reserved, object, rights).ok());
}

lib::Result<HandleTable::Taken> HandleTable::take_pending(Handle h) {
  const auto entry = TRY(slots_.detach(h));
  return Taken{Ref<Object>::adopt(static_cast<Object*>(entry.object)), entry.rights};
}

void HandleTable::moved(Handle pending, Object* object) {
  cancel(pending);
  object->handle_closed();
  object->release();
}

lib::Result<void> HandleTable::close(Handle h) {
  TRY(take(h));  // the reference drops here
  return {};
}

void HandleTable::close_all() {
  closed_ = true;
  slots_.drain([](const auto& entry) NO_THREAD_SAFETY_ANALYSIS {  // close_all holds it
    auto* object = static_cast<Object*>(entry.object);
    object->handle_closed();
    object->release();
  });
}

}  // namespace kernel
