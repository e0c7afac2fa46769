#include "host.h"

namespace stellina::sh {

StringView host_error_text(HostError error) {
  switch (error) {
    case HostError::NotFound: return "No such file";
    case HostError::NotDirectory: return "Not a directory";
    case HostError::IsDirectory: return "Is a directory";
    case HostError::AccessDenied: return "Permission denied";
    case HostError::NotExecutable: return "Exec format error";
    case HostError::NoMemory: return "Out of memory";
    case HostError::TooLarge: return "Argument list too long";
    case HostError::Io: return "I/O error";
  }
  return "I/O error";
}

}  // namespace stellina::sh
