#pragma once
// Raw system calls for user programs: one inline function per syscall in
// abi/syscalls.toml (generated into stellina/sys_calls.h), returning the Status (or value)
// the kernel put in rax, and a few conveniences on top of them.

#include <stddef.h>
#include <stdint.h>

#include <type_traits>

#include <stellina/messages.h>
#include <stellina/platform.h>
#include <stellina/process.h>
#include <stellina/silo.h>
#include <stellina/startup.h>
#include <stellina/syscalls.h>
#include <stellina/sysinfo.h>
#include <stellina/types.h>

namespace stellina::sys {

using abi::Handle;

#if defined(STELLINA_IN_KERNEL)
}  // namespace stellina::sys
// A component built into the kernel calls the syscall implementation directly.
extern "C" int64_t stellina_kernel_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
                                           uint64_t a3, uint64_t a4, uint64_t a5);
namespace stellina::sys {
inline int64_t syscall(uint64_t n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                       uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
  return stellina_kernel_syscall(n, a0, a1, a2, a3, a4, a5);
}
#else
}  // namespace stellina::sys
// A user program traps into the kernel: the instruction is the machine's (sdk/arch/<cpu>/).
#include <stellina/arch/syscall.h>
namespace stellina::sys {
#endif

// A syscall argument as its register holds it.
template <typename T>
inline uint64_t to_word(T value) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<uint64_t>(value);
  } else {
    return static_cast<uint64_t>(value);
  }
}

}  // namespace stellina::sys

#include <stellina/sys_calls.h>  // generated from abi/syscalls.toml: one wrapper per syscall

namespace stellina::sys {

// Legacy PCI configuration access (no ECAM): pci_config reads when value is kPciConfigRead.
constexpr uint64_t kPciConfigRead = ~uint64_t{0};

// interrupt_create for a message-signalled interrupt: *msi says what the device must write.
inline int64_t interrupt_create_msi(Handle platform, abi::MsiMessage* msi) {
  return interrupt_create(platform, 0, abi::kInterruptMsi, msi);
}

}  // namespace stellina::sys

// A user program defines this; its return value is the process's exit code.
int64_t stellina_main(const stellina::abi::StartupBlock& startup);
