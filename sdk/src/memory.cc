#include <stellina/memory.h>
#include <stellina/sys.h>

namespace stellina {

Result<void*> allocate_pages(size_t size) {
  const abi::Handle folio = static_cast<abi::Handle>(TRY(check(sys::folio_create(size))));
  uintptr_t address = 0;
  const int64_t mapped = sys::folio_map(folio, true, &address);
  // The mapping keeps the folio alive: the handle is not needed past this point.
  sys::handle_close(folio);
  TRY(check(mapped));
  return reinterpret_cast<void*>(address);
}

Result<void> free_pages(void* address) {
  return check_ok(sys::folio_unmap(reinterpret_cast<uint64_t>(address)));
}

}  // namespace stellina
