#pragma once
// Kernel threads. A thread runs entry(arg) on its own guarded stack and ends by returning or
// calling thread_exit(). Someone must either join it (which frees it) or detach it.

#include <cstdint>

#include <lib/intrusive_list.h>
#include <lib/result.h>

#include "kernel/arch.h"
#include "kernel/arch_hooks.h"
#include "kernel/fpu.h"
#include "kernel/linux/linux_signal_state.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/stack.h"
#include "kernel/thread_object.h"
#include "kernel/timer.h"
#include "kernel/wait_queue.h"

namespace kernel {

// Ends the calling thread.
[[noreturn]] void thread_exit(int code);

// Runs after every context switch on the new thread's stack, with sched_lock held.
void finish_switch() REQUIRES(sched_lock);

enum class ThreadState : uint8_t { New, Ready, Running, Blocked, Dead };
const char* thread_state_name(ThreadState s);

class Thread : public SchedLink {
 public:
  using Entry = void (*)(void* arg);

  Thread() = default;  // use create(); public only for heap::create

  // A new thread in state New; start() makes it runnable. Priorities are 1..31 (0 is the
  // idle thread's).
  static lib::Result<Thread*> create(const char* name, Entry entry, void* arg,
                                     unsigned priority = sched::kPriorityNormal);
  // A thread for code that runs already, on a stack it has (another CPU's boot code, which
  // becomes its idle thread): no stack of its own, its context saved at its first switch.
  static lib::Result<Thread*> create_running(const char* name);
  // A thread of process that enters user mode at rip with stack rsp and arg in the first
  // argument register. It counts as one thread of the process's silo, and its kernel stack
  // and bookkeeping (kThreadSiloBytes) as memory, until it ends. Errors: QuotaExceeded, those of
  // create.
  static lib::Result<Thread*> create_user(Process* process, uintptr_t rip, uintptr_t rsp,
                                          uint64_t arg);
  // Makes every thread of process except the caller end: a blocked one wakes (its wait
  // fails with Killed), and each ends before it would return to user mode.
  static void kill_all_of(Process* process) REQUIRES(sched_lock);
  // Gives every live thread of process the priority (sched::set_priority).
  static void set_priority_of_all(Process* process, unsigned priority) REQUIRES(sched_lock);
  // Whether this thread must end instead of returning to user mode.
  bool killed() const REQUIRES(sched_lock) { return killed_; }
  // The same flag, for a loop that cannot take sched_lock at every turn (the wasm engine's
  // stop flag): it only ever goes from false to true.
  const volatile bool* killed_flag() const { return &killed_; }
  // The object that raises kSignalTerminated when this thread ends (for thread handles).
  void set_thread_object(ThreadObject* object) REQUIRES(sched_lock) {
    thread_object_ = Ref<ThreadObject>(object);
  }

  // A kernel thread that belongs to process (a component built into the kernel), charged to
  // its silo like create_user's. Errors: QuotaExceeded, those of create.
  static lib::Result<Thread*> create_in_process(Process* process, Entry entry, void* arg);
  // The same, running the component's own entry(arg) (a void (*)(uint64_t)): thread_create
  // in a component built into the kernel.
  static lib::Result<Thread*> create_component(Process* process, uintptr_t entry, uint64_t arg);
  void start();
  // Waits for the thread to end, frees it and returns its exit code. Only one joiner.
  int join();
  // The thread frees itself when it ends.
  void detach();

  uint64_t id() const { return id_; }
  const char* name() const { return name_; }
  unsigned priority() const { return priority_; }
  // The priority it was given; priority() may be below it for a while (kernel/sched.cc).
  unsigned given_priority() const { return given_priority_; }
  ThreadState state() const { return state_; }
  uint64_t runtime_ns() const { return runtime_ns_; }
  const KernelStack& stack() const { return stack_; }
  Process* process() const { return process_.get(); }
  // The silo the thread's CPU time goes to: its process's, or the root for kernel threads.
  Silo& silo() const { return process_ ? process_->silo() : Silo::root(); }
  // A page fault the thread took could not be charged to its silo: the process must end
  // with ExitReason::QuotaExceeded (kill_current_process, on_return_to_user). Only the thread
  // itself touches this.
  void set_quota_fault() { quota_fault_ = true; }
  bool quota_fault() const { return quota_fault_; }
  struct UserEntry {
    uintptr_t rip, rsp;
    uint64_t arg;
  };
  UserEntry user_entry() const { return {user_rip_, user_rsp_, user_arg_}; }
  // A user thread's FPU/SIMD registers while it does not hold them (kernel/fpu.h).
  FpuArea& fpu() { return fpu_; }
  // A kernel thread that runs SSE code (a wasm component's, kernel/wasm/): its FPU/SIMD
  // registers are kept like a user thread's. Set before start().
  void set_uses_fpu() { uses_fpu_ = true; }
  // Whether the registers are this thread's own: every user thread, and those marked above.
  bool uses_fpu() const { return uses_fpu_ || (process_ && !process_->in_kernel()); }
  // A user thread's thread-local storage base (arch::set_user_tls_base), loaded at every
  // switch to it: 0 until the thread sets one (Linux's arch_prctl(ARCH_SET_FS)).
  uint64_t user_tls_base() const { return user_tls_base_; }
  void set_user_tls_base(uint64_t base) { user_tls_base_ = base; }

  // Work before the thread returns to user mode (a Linux signal to deliver): the one test
  // on_return_to_user makes for every thread. Set under sched_lock; cleared by the thread.
  bool user_work() const { return user_work_; }
  void set_user_work(bool work) REQUIRES(sched_lock) {
    user_work_ = work;
    if (work) sched::kick(this);  // running on another CPU: it looks before user mode
  }
  // While set, user_work makes the thread's waits fail with Killed (Linux's interruptible
  // sleeps: a signal ends the call with EINTR or restarts it). Only the thread sets it.
  void set_wake_on_user_work(bool wake) { wake_on_user_work_ = wake; }
  // Wakes the thread if it waits with wake_on_user_work (its wait fails with Killed).
  void interrupt_wait() REQUIRES(sched_lock);
  // A Linux thread's signal state (kernel/linux/linux_signal.h).
  LinuxThreadSignals& linux_signals() REQUIRES(sched_lock) { return linux_signals_; }
  // The number of the Linux call the thread is making, for a call a signal restarts (only
  // the thread itself reads and writes it).
  uint64_t linux_call() const { return linux_call_; }
  void set_linux_call(uint64_t number) { linux_call_ = number; }
  // Calls f for every live thread of process (under sched_lock; f must not block).
  template <typename F>
  static void for_each_of(Process* process, F f) REQUIRES(sched_lock) {
    all().for_each([&](Thread* t) NO_THREAD_SAFETY_ANALYSIS {
      if (t->process_.get() == process && t->state_ != ThreadState::Dead) f(t);
    });
  }

  // Calls f for every live thread, with sched_lock held (f must not block).
  static void for_each(void (*f)(const Thread&, void*), void* ctx);
  static size_t count();

 private:
  friend void sched::init();
  friend void sched::start();
  friend void sched::reschedule();
  friend void sched::make_ready(Thread*);
  friend void sched::kick(Thread*);
  friend void ap_enter_scheduler();
  friend void sched::detail::become_idle(Thread*, ThreadState);
  friend void sched::set_priority(Thread*, unsigned);
  friend void sched::sleep_ns(uint64_t);
  friend class WaitQueue;
  friend void thread_exit(int);
  friend void thread_trampoline(Entry, void*);
  friend void finish_switch();
  friend const char* fault_address_hint(uintptr_t);

  static void on_timer(Timer* t) REQUIRES(sched_lock);
  // Charges a new thread of process to its silo (one thread, kThreadSiloBytes); the thread gives
  // both back when it ends (thread_exit, on_dead).
  static lib::Result<void> charge_silo(Process* process);
  // The common part of create_user and create_in_process.
  static lib::Result<Thread*> create_charged(Process* process, Entry entry, void* arg);
  // After the thread's last switch away: release the stack, then free or hand to the joiner.
  void on_dead() REQUIRES(sched_lock);

  uint64_t id_ = 0;
  char name_[32] = {};
  unsigned priority_ = sched::kPriorityNormal;        // what the scheduler uses now
  unsigned given_priority_ = sched::kPriorityNormal;  // what it was given (sched::set_priority)
  ThreadState state_ = ThreadState::New;
  arch::Context* context_ = nullptr;
  KernelStack stack_;
  Entry entry_ = nullptr;
  void* arg_ = nullptr;

  Timer wake_timer_;  // sleeps and wait deadlines
  WaitQueue* waiting_on_ = nullptr;
  bool timed_out_ = false;
  WaitQueue exit_waiters_;
  bool detached_ = false;
  bool reaped_ = false;  // stack released: join may free the object
  int exit_code_ = 0;

  Ref<Process> process_;  // null for kernel threads
  Ref<ThreadObject> thread_object_;
  bool killed_ = false;
  bool quota_fault_ = false;
  bool silo_thread_charged_ = false;  // one thread of process_'s silo, until thread_exit
  bool silo_memory_charged_ = false;  // kThreadSiloBytes of process_'s silo, until on_dead
  uintptr_t user_rip_ = 0;
  uintptr_t user_rsp_ = 0;
  uint64_t user_arg_ = 0;
  FpuArea fpu_;
  bool uses_fpu_ = false;
  uint64_t user_tls_base_ = 0;
  bool user_work_ = false;
  bool wake_on_user_work_ = false;
  LinuxThreadSignals linux_signals_;
  uint64_t linux_call_ = 0;

  uint64_t runtime_ns_ = 0;
  uint64_t ran_since_ns_ = 0;
  lib::ListNode all_node_;
  using AllList = lib::IntrusiveList<Thread, &Thread::all_node_>;
  static AllList& all() REQUIRES(sched_lock);
};

// What a thread of a process costs its silo in memory: its kernel stack and the Thread.
inline constexpr size_t kThreadSiloBytes = KernelStack::kPages * 4096 + sizeof(Thread);

}  // namespace kernel
