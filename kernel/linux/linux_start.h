#pragma once
// Starting a process with the Linux personality: after the spawn's loader has made the
// process and installed its handles, start_linux_process maps the image, builds Linux's
// initial stack (argv, envp, the auxiliary vector: lib/linux_stack.h), gives the process its
// Linux state and starts its thread at the image's entry.

#include <stellina/process.h>
#include <stellina/startup.h>

#include <lib/elf.h>
#include <lib/result.h>

#include "kernel/linux/linux_process.h"
#include "kernel/process.h"

namespace kernel {

// Bytes of argument and environment strings a Linux process may be started with.
constexpr size_t kLinuxMaxStrings = stellina::abi::kLinuxMaxStrings;

struct LinuxStart {
  // argc + envc NUL-terminated strings, the arguments first (argv[0] is also AT_EXECFN).
  const char* strings;
  size_t strings_size;
  uint32_t argc;
  uint32_t envc;
  // Which of descriptors 0, 1 and 2 (bit 1 << fd) are a new terminal (abi's
  // SpawnRequest::linux_terminal); 0: none.
  uint32_t terminal = 0;
};

// The handle that is a Linux process's file: namespace session (after its three streams).
constexpr uint32_t kLinuxFilesHandle = stellina::abi::kLinuxFilesHandle;
// The one that is its namespace channel, for sockets.
constexpr uint32_t kLinuxNamesHandle = stellina::abi::kLinuxNamesHandle;

// Maps image (at bias) into as with Linux's stack below LinuxProcess::kStackTop (argv, envp
// and the auxiliary vector from start): returns the initial stack pointer. Errors:
// InvalidArgument (start's strings past the limits below), and those of loading
// (QuotaExceeded, NoMemory, NoResources). Used by start_linux_process and by exec.
lib::Result<uintptr_t> load_linux_image(AddressSpace& as, const lib::ElfImage& image,
                                        uintptr_t bias, const LinuxStart& start, uint8_t* page);

// block's first three handles become file descriptors 0, 1 and 2 (kInvalidHandle: closed),
// the fourth (if any) its file: namespace session.
// Errors: InvalidArgument (strings that are not argc + envc NUL-terminated strings, argc 0,
// more than lib::kLinuxMaxArgs or kLinuxMaxEnv, more than kLinuxMaxStrings bytes), and those
// of loading (QuotaExceeded, NoMemory, NoResources).
lib::Result<void> start_linux_process(Process& process, const lib::ElfImage& image, uintptr_t bias,
                                      const stellina::abi::StartupBlock& block,
                                      const LinuxStart& start, uint8_t* page);

}  // namespace kernel
