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

// Starts a user process from an ELF image a folio holds (its first image_size bytes: a file
// a file server read into it, say), named name (1 to 31 bytes, NUL-terminated here), in
// silo, with handles, in order, as its StartupBlock: process_spawn with request.image
// (abi/stellina/process.h). The handles move to the new process only if it starts; the
// folio stays the caller's, who may reuse it at once. Returns the Process handle, or the
// Status process_spawn gave (kErrTooLarge for more than kMaxStartupHandles handles).
inline int64_t process_spawn_image(Handle silo, const char* name, Handle image, uint64_t image_size,
                                   const Handle* handles, uint32_t handle_count) {
  if (handle_count > abi::kMaxStartupHandles) return abi::kErrTooLarge;
  abi::SpawnRequest request{};
  request.name = name;
  // Past 31 bytes the kernel refuses the name: no need to look further.
  while (request.name_size < 32 && name[request.name_size] != '\0') ++request.name_size;
  request.isolation = abi::Isolation::User;
  request.handle_count = handle_count;
  for (uint32_t i = 0; i < handle_count; ++i) request.handles[i] = handles[i];
  request.image = image;
  request.image_size = image_size;
  return process_spawn(silo, &request);
}

}  // namespace stellina::sys

// A user program defines this; its return value is the process's exit code.
int64_t stellina_main(const stellina::abi::StartupBlock& startup);
