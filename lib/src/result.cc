#include <lib/result.h>

namespace lib {

const char* error_name(Error e) {
  switch (e) {
    case Error::NoMemory: return "no memory";
    case Error::InvalidArgument: return "invalid argument";
    case Error::NotFound: return "not found";
    case Error::AlreadyExists: return "already exists";
    case Error::OutOfRange: return "out of range";
    case Error::Busy: return "busy";
    case Error::TimedOut: return "timed out";
    case Error::WouldBlock: return "would block";
    case Error::Fault: return "fault";
    case Error::NotSupported: return "not supported";
    case Error::NoResources: return "no resources";
    case Error::BadHandle: return "bad handle";
    case Error::WrongType: return "wrong type";
    case Error::AccessDenied: return "access denied";
    case Error::PeerClosed: return "peer closed";
    case Error::TooLarge: return "too large";
    case Error::BufferTooSmall: return "buffer too small";
    case Error::Killed: return "killed";
    case Error::QuotaExceeded: return "quota exceeded";
  }
  return "unknown error";
}

}  // namespace lib
