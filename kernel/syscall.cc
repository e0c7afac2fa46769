// Error translation, user memory, and what happens when user code faults. The syscall table
// is generated (sys_table.cc, from abi/syscalls.toml).

#include "kernel/syscall.h"

#include "kernel/arch.h"
#include "kernel/arch_hooks.h"
#include "kernel/linux/linux_process.h"
#include "kernel/linux/linux_signal.h"
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

namespace user_memory {

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

}  // namespace user_memory

int64_t user_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                     uint64_t a5) {
  if (current_process().linux_process()) return linux_syscall(n, a0, a1, a2, a3, a4, a5);
  return syscall_dispatch(n, a0, a1, a2, a3, a4, a5);
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

void on_return_to_user(arch::UserFrame* frame) {
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
  if (self->user_work() && frame) linux_deliver_signals(*frame);
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
