#include "kernel/handle_table.h"

namespace kernel {

lib::Result<Handle> HandleTable::install(Object* object, uint32_t rights) {
  const Handle h = TRY(slots_.insert(object, rights));
  object->retain();
  object->handle_opened();
  return h;
}

lib::Result<lib::HandleSlots<HandleTable::kCapacity>::Entry> HandleTable::lookup(
    Handle h, uint32_t needed) const {
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

lib::Result<Handle> HandleTable::install_transferred(Object* object, uint32_t rights) {
  return slots_.insert(object, rights);
}

lib::Result<void> HandleTable::close(Handle h) {
  TRY(take(h));  // the reference drops here
  return {};
}

void HandleTable::close_all() {
  slots_.drain([](const auto& entry) NO_THREAD_SAFETY_ANALYSIS {  // close_all holds it
    auto* object = static_cast<Object*>(entry.object);
    object->handle_closed();
    object->release();
  });
}

}  // namespace kernel
