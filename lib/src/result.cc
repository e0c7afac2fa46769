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
  }
  return "unknown error";
}

}  // namespace lib
