#pragma once
// Generic kernel entry points that the architecture layer calls.

#include <cstddef>
#include <cstdint>

namespace arch {
struct UserFrame;
}

namespace kernel {

// C++ entry from the boot stub.
extern "C" [[noreturn]] void kernel_entry(uint32_t protocol, uintptr_t info_phys);

// A CPU other than the boot CPU, set up: waits for the scheduler to start, then runs threads
// (its idle thread first) for good. Interrupts are off on entry.
[[noreturn]] void ap_enter_scheduler();

// The timer deadline set with arch::timer_set_deadline has passed (interrupt context).
void on_timer_interrupt();

// At the end of an interrupt that interrupted code running with interrupts enabled:
// switches threads if the scheduler asked for it.
void on_interrupt_exit();

// First call on the way to on_fatal_exception: from here on logging takes no locks (the
// faulting code may hold them). Halts at once if the kernel is already stopping.
void begin_fatal();

// A CPU exception the kernel cannot handle. The arch layer has printed the machine state;
// this prints the backtrace and stops (a test build exits QEMU with a failure status).
[[noreturn]] void on_fatal_exception(const char* what, uintptr_t frame_pointer, uintptr_t pc);

// A short note on what lives at a faulting address (e.g. " - stack guard page of thread x"),
// or "" when there is nothing to say.
const char* fault_address_hint(uintptr_t addr);

// A page fault at a user address (from user code, or from a kernel copy to or from user
// memory). Returns true if it was resolved (demand-zero memory) and the access can be retried.
bool handle_user_page_fault(uintptr_t addr, bool write, bool exec);
// A user page's frame that its address space owned is unmapped for good: it goes back to
// the physical allocator unless (maybe_shared: mapped kPageCopyOnWrite) another address
// space still maps it (kernel/shared_frames.h); a code page (executable) is zeroed first
// (pmm::free_code_page).
void release_user_frame(uintptr_t phys, bool maybe_shared, bool code);

// User code did something the CPU refused (a fault it cannot recover from): ends the current
// process, reporting what, where (pc) and the faulting address, and never returns.
[[noreturn]] void kill_current_process(const char* what, uintptr_t pc, uintptr_t addr);

// The CPU refused an instruction in kernel mode, with interrupts enabled (so no spinlock was
// held). If the thread belongs to a component built into the kernel, the fault is its own
// (its code, or a syscall it made) and it ends as a user process would: this never returns.
// Otherwise it returns, and the fault is the kernel's.
void end_faulting_component(const char* what, uintptr_t pc, uintptr_t addr);

// Last stop before returning to user mode (after a syscall or an interrupt from user mode):
// a thread whose process is ending ends here instead, and a thread with work to do first
// (Thread::user_work: a Linux signal to deliver) does it, changing frame (the registers user
// mode resumes with). frame is null where there is none (a component in the kernel).
void on_return_to_user(arch::UserFrame* frame = nullptr);

// What user code did that the CPU refused, as a Linux process learns of it (its signal).
enum class UserFault {
  PageNotMapped,   // a page fault at an address with nothing mapped
  PageProtection,  // a page fault the page's protection refused
  Protection,      // a general protection fault
  Segment,         // a segment not present or a stack-segment fault
  Divide,
  FloatingPoint,  // x87 or SIMD floating-point exception
  InvalidOpcode,
  Alignment,
  Breakpoint,  // int3 or a debug trap
};
// A fault of a Linux process's user code becomes a signal to its thread, delivered on the
// way back to user mode: returns true then. False: the process ends as any process does
// (kill_current_process).
bool user_fault_signal(UserFault kind, uintptr_t pc, uintptr_t addr);

// A system call from user mode: number and up to six arguments; returns the status or value.
// user_syscall serves it with the calling process's personality: Stellina's own calls
// (syscall_dispatch), or Linux's for a process started as Linux (kernel/linux/).
int64_t user_syscall(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                     uint64_t a4, uint64_t a5);
int64_t syscall_dispatch(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5);

// First code a new thread runs, on its own stack (see arch::context_init).
extern "C" [[noreturn]] void thread_trampoline(void (*entry)(void*), void* arg);

}  // namespace kernel
