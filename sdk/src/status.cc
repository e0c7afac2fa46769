// The names of the ABI's status codes, for logs and messages. Host code (the file systems'
// tests) links it too.
#include <stellina/result.h>

namespace stellina {

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
    case abi::kErrExists: return "exists";
    case abi::kErrNotDirectory: return "not a directory";
    case abi::kErrIsDirectory: return "is a directory";
    case abi::kErrNoSpace: return "no space";
    case abi::kErrReadOnly: return "read-only";
    case abi::kErrNotEmpty: return "not empty";
    case abi::kErrNameTooLong: return "name too long";
    case abi::kErrCorrupt: return "corrupt";
    case abi::kErrLoop: return "too many links";
    case abi::kErrCrossDevice: return "cross-device";
    case abi::kErrBusy: return "busy";
  }
  return "unknown status";
}

}  // namespace stellina
