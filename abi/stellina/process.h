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
// table; the component must be built into the kernel), as a user process, or as a wasm
// module (NAME.wasm in the boot archive) run by the kernel's WebAssembly engine on a kernel
// thread with its own handle table (kernel/wasm/README.md).
enum class Isolation : uint32_t {
  Kernel = 0,
  User = 1,
  Wasm = 2,
};

// The system call interface a spawned user process gets. A Linux process's `syscall`
// instructions are served with Linux's numbers and semantics (docs/linux.md): it starts with
// Linux's initial stack (argv, envp, the auxiliary vector) instead of a StartupBlock, and the
// request's first three handles (kInvalidHandle for none) are its stdin (a channel it reads
// Data messages from), stdout and stderr (channels it writes Data messages of at most
// kMaxMessageData bytes to), as a program's streams (abi/stellina/program.h); the fourth
// (kLinuxFilesHandle), if given, is its file: namespace session (abi/stellina/file.h), which
// its paths are resolved in (none: every path is ENOENT). argv[0] is the path
// /proc/self/exe names. It can reach no other handle. Its exit status (0 to 255) is its
// ProcessExit's code.
enum class Personality : uint32_t {
  Stellina = 0,
  Linux = 1,
};

// What process_spawn starts. Value-initialize it (SpawnRequest request{}) and fill in what
// is needed: every field left zero means "the usual".
//
// Where the program comes from:
//   - image == kInvalidHandle: by name, from the boot archive (isolation User, or Wasm:
//     NAME.wasm) or the kernel's table of built-in components (isolation Kernel);
//   - image a Folio over RAM (kRightRead): its first image_size bytes are an ELF image
//     (static, or static PIE) that a user process is loaded from (isolation User only). The
//     kernel copies the image out of the folio before it reads a byte of it, so the caller
//     may keep writing the folio, during the spawn and after: the new process never shares
//     a page with it. The folio stays the caller's (the handle is neither moved nor closed).
//     A file server can fill such a folio from a file of any file system.
struct SpawnRequest {
  // The process's name (in ProcessExit, process lists and logs); without an image, also the
  // program in the boot archive or the component built into the kernel. 1 to 31 bytes, no
  // NUL.
  const char* name;
  uint64_t name_size;
  Isolation isolation;
  uint32_t handle_count;
  Handle handles[kMaxStartupHandles];  // moved into the new process's StartupBlock
  Handle image;             // kInvalidHandle (by name), or the Folio holding the ELF image
  uint32_t reserved;        // 0
  uint64_t image_size;      // bytes of the image, from the folio's first byte; 0 without an image
  Personality personality;  // Stellina (the usual), or Linux (isolation User only)
  // Linux only (0 and null otherwise): the arguments then the environment, argc + envc
  // NUL-terminated strings in strings_size bytes (at most kLinuxMaxStrings, argc 1 to 256,
  // envc at most 256); argv[0] is also the program's AT_EXECFN.
  uint32_t linux_argc;
  uint32_t linux_envc;
  uint32_t reserved2;  // 0
  const char* linux_strings;
  uint64_t linux_strings_size;
  // Linux only: which of descriptors 0, 1 and 2 (kLinuxTerminalStdin, ...) are a terminal
  // the kernel makes for the process (docs/linux.md, "The terminal"), instead of the stream
  // handle given for them: it reads what the spawner types with linux_tty_input, and writes
  // what the process writes (and the echo) to the first of its stdout and stderr handles
  // that is on it. The process leads a new session and process group, the terminal's
  // foreground group, as a login shell does. 0: no terminal.
  uint32_t linux_terminal;
  uint32_t reserved3;  // 0
};
constexpr uint32_t kLinuxTerminalStdin = 1, kLinuxTerminalStdout = 2, kLinuxTerminalStderr = 4;
constexpr uint64_t kLinuxMaxStrings = 32 * 1024;
constexpr uint32_t kLinuxFilesHandle = 3;
// The fifth (given only after a fourth), if given, is a namespace channel (as a program's:
// docs/programs.md) its sockets are opened through: `tcp:`, `tcp-listen:` and `udp:` Opens
// (abi/stellina/socket.h), as far as its server allows. Without one a Linux process has no
// network (docs/linux.md, "Sockets").
constexpr uint32_t kLinuxNamesHandle = 4;

// Scheduling priorities a process's threads may be given (process_set_priority): a ready
// thread of a higher priority always runs before one of a lower; threads of one priority
// share the CPU in turns. Every process starts at kPriorityNormal. The kernel's own threads
// that must preempt every process run above kPriorityMax.
constexpr uint32_t kPriorityMin = 1;
constexpr uint32_t kPriorityNormal = 16;
constexpr uint32_t kPriorityMax = 23;

// What process_info reports.
struct ProcessInfo {
  uint64_t process_id;
  uint32_t running;  // 1 while the process runs; 0 once it has ended (exit is then valid)
  uint32_t reserved;
  ProcessExit exit;
};

}  // namespace stellina::abi
