#pragma once
// What a supervisor learns when a process it started ends: the kernel sends one Data message
// holding a ProcessExit on the exit channel given at spawn.

#include <stdint.h>

#include <stellina/startup.h>
#include <stellina/types.h>

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

// Where a spawned component runs: inside the kernel (a kernel thread with its own handle
// table; the component must be built into the kernel) or as a user process.
enum class Isolation : uint32_t {
  Kernel = 0,
  User = 1,
};

// What process_spawn starts.
struct SpawnRequest {
  // The program in the boot archive, or the component built into the kernel; also the
  // process's name. At most 31 bytes; no NUL needed.
  const char* name;
  uint64_t name_size;
  Isolation isolation;
  uint32_t handle_count;
  Handle handles[kMaxStartupHandles];  // moved into the new process's StartupBlock
};

// What process_info reports.
struct ProcessInfo {
  uint64_t process_id;
  uint32_t running;  // 1 while the process runs; 0 once it has ended (exit is then valid)
  uint32_t reserved;
  ProcessExit exit;
};

}  // namespace stellina::abi
