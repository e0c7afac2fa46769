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

const char* status_name(Status s) {
  switch (s) {
    case abi::kOk: return "ok";
    case abi::kErrInvalidArgument: return "invalid argument";
    case abi::kErrBadHandle: return "bad handle";
    case abi::kErrWrongType: return "wrong type";
    case abi::kErrAccessDenied: return "access denied";
    case abi::kErrNoMemory: return "no memory";
    case abi::kErrFault: return "fault";
    case abi::kErrWouldBlock: return "would block";
    case abi::kErrPeerClosed: return "peer closed";
    case abi::kErrTooLarge: return "too large";
    case abi::kErrBufferTooSmall: return "buffer too small";
    case abi::kErrTimedOut: return "timed out";
    case abi::kErrNotFound: return "not found";
    case abi::kErrNotSupported: return "not supported";
    case abi::kErrNoResources: return "no resources";
    case abi::kErrCanceled: return "canceled";
    case abi::kErrQuotaExceeded: return "quota exceeded";
    case abi::kErrConnectionRefused: return "connection refused";
    case abi::kErrConnectionReset: return "connection reset";
    case abi::kErrAddressInUse: return "address in use";
  }
  return "unknown status";
}

}  // namespace stellina
