// The syscall table, error translation, and what happens when user code faults.

#include "kernel/syscall.h"

#include "kernel/arch.h"
#include "kernel/arch_hooks.h"
#include "kernel/log.h"
#include "kernel/thread.h"

namespace kernel {

namespace abi = stellina::abi;

Status to_status(lib::Error e) {
  switch (e) {
    case lib::Error::NoMemory: return abi::kErrNoMemory;
    case lib::Error::InvalidArgument: return abi::kErrInvalidArgument;
    case lib::Error::NotFound: return abi::kErrNotFound;
    case lib::Error::AlreadyExists:  // as the ABI sees them, these are all bad arguments
    case lib::Error::OutOfRange: return abi::kErrInvalidArgument;
    case lib::Error::Busy: return abi::kErrWouldBlock;
    case lib::Error::TimedOut: return abi::kErrTimedOut;
    case lib::Error::WouldBlock: return abi::kErrWouldBlock;
    case lib::Error::Fault: return abi::kErrFault;
    case lib::Error::NotSupported: return abi::kErrNotSupported;
    case lib::Error::NoResources: return abi::kErrNoResources;
    case lib::Error::BadHandle: return abi::kErrBadHandle;
    case lib::Error::WrongType: return abi::kErrWrongType;
    case lib::Error::AccessDenied: return abi::kErrAccessDenied;
    case lib::Error::PeerClosed: return abi::kErrPeerClosed;
    case lib::Error::TooLarge: return abi::kErrTooLarge;
    case lib::Error::BufferTooSmall: return abi::kErrBufferTooSmall;
    case lib::Error::Killed: return abi::kErrCanceled;
    case lib::Error::QuotaExceeded: return abi::kErrQuotaExceeded;
  }
  return abi::kErrInvalidArgument;
}

Process& current_process() { return *sched::current()->process(); }

namespace {

using Handler = int64_t (*)(SyscallArgs);
constexpr Handler kTable[] = {
    sys_log_write,        sys_handle_close,  sys_handle_duplicate, sys_handle_query,
    sys_channel_create,   sys_channel_send,  sys_channel_recv,     sys_channel_call,
    sys_object_wait,      sys_clock_now,     sys_process_exit,     sys_poll_create,
    sys_poll_add,         sys_poll_remove,   sys_poll_wait,        sys_timer_create,
    sys_timer_set,        sys_folio_create,  sys_folio_map,        sys_folio_unmap,
    sys_interrupt_ack,    sys_thread_create, sys_thread_exit,      sys_silo_create,
    sys_silo_set_limits,  sys_silo_stats,    sys_process_spawn,    sys_process_kill,
    sys_process_info,     sys_platform_info, sys_device_map,       sys_folio_physical,
    sys_interrupt_create, sys_folio_size,    sys_pci_config,       sys_log_read,
    sys_memory_info,
};
static_assert(sizeof(kTable) / sizeof(kTable[0]) == abi::kSysCount, "one handler per syscall");

}  // namespace

int64_t syscall_dispatch(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5) {
  if (number >= abi::kSysCount) return abi::kErrNotSupported;
  const uint64_t args[6] = {a0, a1, a2, a3, a4, a5};
  return kTable[number](args);
}

lib::Result<void> copy_in(void* dst, uint64_t src, size_t n) {
  if (current_process().in_kernel()) {
    __builtin_memcpy(dst, reinterpret_cast<const void*>(src), n);
    return {};
  }
  return arch::copy_from_user(dst, src, n);
}

lib::Result<void> copy_out(uint64_t dst, const void* src, size_t n) {
  if (current_process().in_kernel()) {
    __builtin_memcpy(reinterpret_cast<void*>(dst), src, n);
    return {};
  }
  return arch::copy_to_user(dst, src, n);
}

extern "C" int64_t stellina_kernel_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
                                           uint64_t a3, uint64_t a4, uint64_t a5) {
  const int64_t r = syscall_dispatch(n, a0, a1, a2, a3, a4, a5);
  // A component built into the kernel returns to its own code here: if its process is
  // ending, it ends now, as a user process's thread would on its way back to user mode.
  on_return_to_user();
  return r;
}

namespace {

// Ends the calling thread's process with reason and never returns.
[[noreturn]] void end_current_process(ExitReason reason, const char* what, uintptr_t pc,
                                      uintptr_t addr) {
  Process* p = sched::current()->process();
  log_warn("process '{}' killed: {} at pc {:#x}, address {:#x}", p->name(), what, pc, addr);
  {
    SpinlockGuard guard(sched_lock);
    p->terminate(-1, reason, what, pc, addr);
  }
  thread_exit(-1);
}

constexpr const char* kQuotaDetail = "memory quota";

}  // namespace

void on_return_to_user() {
  Thread* self = sched::current();
  // A kernel copy to or from user memory took a page fault it could not charge: the syscall
  // failed with Fault, and the process ends as if it had touched the page itself.
  if (self->quota_fault()) end_current_process(ExitReason::QuotaExceeded, kQuotaDetail, 0, 0);
  bool ending;
  {
    SpinlockGuard guard(sched_lock);
    ending = self->killed() || (self->process() && self->process()->terminated());
  }
  if (ending) thread_exit(-1);
}

bool handle_user_page_fault(uintptr_t addr, bool write, bool exec) {
  Thread* self = sched::current();
  Process* p = self->process();
  if (!p || p->in_kernel()) return false;
  switch (p->address_space().handle_fault(addr, write, exec)) {
    case AddressSpace::FaultResult::Mapped: return true;
    case AddressSpace::FaultResult::Refused: return false;
    case AddressSpace::FaultResult::OverQuota: self->set_quota_fault(); return false;
  }
  return false;
}

void end_faulting_component(const char* what, uintptr_t pc, uintptr_t addr) {
  Process* p = sched::current()->process();
  if (p && p->in_kernel()) end_current_process(ExitReason::Fault, what, pc, addr);
}

void kill_current_process(const char* what, uintptr_t pc, uintptr_t addr) {
  Thread* self = sched::current();
  if (!self->process()) panic("{} in a kernel thread at {:#x}", what, pc);
  if (self->quota_fault()) end_current_process(ExitReason::QuotaExceeded, kQuotaDetail, pc, addr);
  end_current_process(ExitReason::Fault, what, pc, addr);
}

}  // namespace kernel
