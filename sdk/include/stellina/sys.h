#pragma once
// Raw system calls for user programs: one inline function per syscall in
// abi/stellina/syscalls.h, returning the Status (or value) the kernel put in rax.

#include <stddef.h>
#include <stdint.h>

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
inline int64_t syscall(uint64_t n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                       uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
  int64_t ret;
  register uint64_t r10 asm("r10") = a3;
  register uint64_t r8 asm("r8") = a4;
  register uint64_t r9 asm("r9") = a5;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}
#endif

inline int64_t log_write(Handle log, const char* text, size_t size) {
  return syscall(abi::kSysLogWrite, log, reinterpret_cast<uint64_t>(text), size);
}
inline int64_t handle_close(Handle h) { return syscall(abi::kSysHandleClose, h); }
inline int64_t handle_duplicate(Handle h, uint32_t rights) {
  return syscall(abi::kSysHandleDuplicate, h, rights);
}
inline int64_t handle_query(Handle h, abi::HandleInfo* info) {
  return syscall(abi::kSysHandleQuery, h, reinterpret_cast<uint64_t>(info));
}
inline int64_t channel_create(Handle ends[2]) {
  return syscall(abi::kSysChannelCreate, reinterpret_cast<uint64_t>(ends));
}
inline int64_t channel_send(Handle ch, const abi::MessageBuffer* msg) {
  return syscall(abi::kSysChannelSend, ch, reinterpret_cast<uint64_t>(msg));
}
inline int64_t channel_recv(Handle ch, abi::MessageBuffer* msg) {
  return syscall(abi::kSysChannelRecv, ch, reinterpret_cast<uint64_t>(msg));
}
inline int64_t channel_call(Handle ch, abi::MessageBuffer* msg, uint64_t deadline_ns = 0) {
  return syscall(abi::kSysChannelCall, ch, reinterpret_cast<uint64_t>(msg), deadline_ns);
}
inline int64_t object_wait(Handle h, uint32_t signals, uint64_t deadline_ns = 0,
                           uint32_t* observed = nullptr) {
  return syscall(abi::kSysObjectWait, h, signals, deadline_ns,
                 reinterpret_cast<uint64_t>(observed));
}
inline uint64_t clock_now() { return static_cast<uint64_t>(syscall(abi::kSysClockNow)); }
inline int64_t poll_create() { return syscall(abi::kSysPollCreate); }
inline int64_t poll_add(Handle poll, Handle h, uint32_t signals, uint64_t key) {
  return syscall(abi::kSysPollAdd, poll, h, signals, key);
}
inline int64_t poll_remove(Handle poll, uint64_t key) {
  return syscall(abi::kSysPollRemove, poll, key);
}
inline int64_t poll_wait(Handle poll, abi::PollEvent* events, uint64_t max,
                         uint64_t deadline_ns = 0) {
  return syscall(abi::kSysPollWait, poll, reinterpret_cast<uint64_t>(events), max, deadline_ns);
}
inline int64_t timer_create() { return syscall(abi::kSysTimerCreate); }
inline int64_t timer_set(Handle timer, uint64_t deadline_ns) {
  return syscall(abi::kSysTimerSet, timer, deadline_ns);
}
inline int64_t folio_create(uint64_t size) { return syscall(abi::kSysFolioCreate, size); }
inline int64_t folio_map(Handle folio, bool writable, uintptr_t* address) {
  return syscall(abi::kSysFolioMap, folio, writable ? 1 : 0, reinterpret_cast<uint64_t>(address));
}
inline int64_t folio_unmap(uint64_t address) { return syscall(abi::kSysFolioUnmap, address); }
inline int64_t folio_physical(Handle folio, uint64_t page_index) {
  return syscall(abi::kSysFolioPhysical, folio, page_index);
}
inline int64_t folio_size(Handle folio) { return syscall(abi::kSysFolioSize, folio); }
inline int64_t interrupt_ack(Handle irq) { return syscall(abi::kSysInterruptAck, irq); }
inline int64_t thread_create(void (*entry)(uint64_t), void* stack_top, uint64_t arg) {
  return syscall(abi::kSysThreadCreate, reinterpret_cast<uint64_t>(entry),
                 reinterpret_cast<uint64_t>(stack_top), arg);
}
[[noreturn]] inline void thread_exit(int64_t code) {
  syscall(abi::kSysThreadExit, static_cast<uint64_t>(code));
  __builtin_unreachable();
}
inline int64_t process_spawn(Handle silo, const abi::SpawnRequest* request) {
  return syscall(abi::kSysProcessSpawn, silo, reinterpret_cast<uint64_t>(request));
}
inline int64_t process_kill(Handle process) { return syscall(abi::kSysProcessKill, process); }
inline int64_t process_info(Handle process, abi::ProcessInfo* out) {
  return syscall(abi::kSysProcessInfo, process, reinterpret_cast<uint64_t>(out));
}
inline int64_t silo_create(Handle parent, const abi::SiloLimits* limits) {
  return syscall(abi::kSysSiloCreate, parent, reinterpret_cast<uint64_t>(limits));
}
inline int64_t silo_set_limits(Handle silo, const abi::SiloLimits* limits) {
  return syscall(abi::kSysSiloSetLimits, silo, reinterpret_cast<uint64_t>(limits));
}
inline int64_t silo_stats(Handle silo, abi::SiloStats* out) {
  return syscall(abi::kSysSiloStats, silo, reinterpret_cast<uint64_t>(out));
}
inline int64_t platform_info(Handle platform, abi::PlatformInfo* out) {
  return syscall(abi::kSysPlatformInfo, platform, reinterpret_cast<uint64_t>(out));
}
inline int64_t device_map(Handle platform, uint64_t phys, uint64_t size) {
  return syscall(abi::kSysDeviceMap, platform, phys, size);
}
inline int64_t interrupt_create(Handle platform, uint32_t gsi, uint32_t flags) {
  return syscall(abi::kSysInterruptCreate, platform, gsi, flags);
}
// Legacy PCI configuration access (no ECAM): a read when value is kPciConfigRead.
constexpr uint64_t kPciConfigRead = ~uint64_t{0};
inline int64_t pci_config(Handle platform, uint32_t function, uint32_t offset, uint64_t value) {
  return syscall(abi::kSysPciConfig, platform, function, offset, value);
}
inline int64_t interrupt_create_msi(Handle platform, abi::MsiMessage* msi) {
  return syscall(abi::kSysInterruptCreate, platform, 0, abi::kInterruptMsi,
                 reinterpret_cast<uint64_t>(msi));
}
inline int64_t log_read(Handle log, uint64_t from, abi::LogEntry* out, uint64_t max,
                        uint64_t* next) {
  return syscall(abi::kSysLogRead, log, from, reinterpret_cast<uint64_t>(out), max,
                 reinterpret_cast<uint64_t>(next));
}
inline int64_t memory_info(Handle root_silo, abi::MemoryInfo* out) {
  return syscall(abi::kSysMemoryInfo, root_silo, reinterpret_cast<uint64_t>(out));
}
[[noreturn]] inline void process_exit(int64_t code) {
  syscall(abi::kSysProcessExit, static_cast<uint64_t>(code));
  __builtin_unreachable();
}

}  // namespace stellina::sys

// A user program defines this; its return value is the process's exit code.
int64_t stellina_main(const stellina::abi::StartupBlock& startup);
