#pragma once
// What a supervisor learns when a process it started ends: the kernel sends one Data message
// holding a ProcessExit on the exit channel given at spawn.

#include <stdint.h>

namespace stellina::abi {

enum class ExitReason : uint32_t {
  Exited = 0,  // process_exit(code)
  Fault = 1,   // the CPU refused an instruction (detail names the exception)
  Killed = 2,  // another process or the kernel ended it
  // A page it touched could not be charged to its silo (detail "memory quota"; address is
  // the page). Other quota failures are errors from the syscall that asked, not deaths.
  QuotaExceeded = 3,
};

struct ProcessExit {
  uint64_t process_id;  // the Process object's id
  int64_t code;         // process_exit's argument; -1 for a fault
  ExitReason reason;
  uint32_t reserved;
  uint64_t pc;       // the faulting instruction (Fault)
  uint64_t address;  // the faulting address (page faults)
  char name[32];     // the process's name, NUL-terminated
  char detail[48];   // e.g. "page fault", NUL-terminated
};

}  // namespace stellina::abi
