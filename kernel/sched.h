#pragma once
// The scheduler: preemptive, priority-based, round-robin within a priority, on every CPU
// from one run queue (docs/smp.md). Threads of a silo that has used its CPU share for the
// period wait for the next one (silo.h). All scheduler state (run queue, wait queues,
// timers, each CPU's own) is guarded by sched_lock.

#include <cstdint>

#include <lib/intrusive_list.h>

#include "kernel/spinlock.h"

namespace kernel {

class Thread;
enum class ThreadState : uint8_t;
extern Spinlock sched_lock;

// The one link a thread has to scheduler queues: it is either on the run queue or on one
// wait queue, never both. A base class so queues can be declared without Thread's definition.
struct SchedLink {
  lib::ListNode sched_node;
};

namespace sched {

constexpr unsigned kPriorityIdle = 0;
constexpr unsigned kPriorityNormal = 16;
constexpr unsigned kPriorityHigh = 24;
constexpr uint64_t kQuantumNs = 10'000'000;

// Turns the running boot code into the first thread and creates each CPU's idle thread
// (arch::start_other_cpus has run).
void init();
// Starts preemption (the timer), and the other CPUs' schedulers; interrupts are enabled from
// here on.
void start();

// The thread the calling CPU runs. Inline: it is on every syscall's path (docs/ipc.md).
inline Thread* current() { return static_cast<Thread*>(arch::cpu_current_thread()); }
// Gives up the CPU to another ready thread of the same or higher priority.
void yield();
// Blocks the calling thread for at least ns nanoseconds.
void sleep_ns(uint64_t ns);
// Switches threads now if a wake-up asked for it (call after waking others).
void preempt_point();

// With sched_lock held: makes a blocked or new thread runnable: on this CPU if it is above
// what runs here, else on an idle CPU or one running below it, if any (which is kicked).
void make_ready(Thread* t) REQUIRES(sched_lock);
// With sched_lock held: if t runs on another CPU, interrupts it, so that t looks at its state
// (killed, work before user mode) now rather than at its next system call or preemption.
void kick(Thread* t) REQUIRES(sched_lock);
// With sched_lock held: runs the best ready thread; returns when this thread runs again
// (immediately, if it is still the best and still runnable).
void reschedule() REQUIRES(sched_lock);
// With sched_lock held: gives t a new priority (1..31), moving it in the run queue if it is
// ready there; the caller runs reschedule() when resched_pending() says it must give way.
void set_priority(Thread* t, unsigned priority) REQUIRES(sched_lock);
// With sched_lock held: whether a wake-up asked this CPU to reschedule.
bool resched_pending() REQUIRES(sched_lock);

// With sched_lock held, around a syscall that wakes its partner and then waits for it
// (channel_call, channel_reply_recv): while the running thread is inside it, threads it
// makes ready arm no quantum timer. The partner normally gets the CPU by direct handoff as
// this thread blocks, and the timer it would have armed stays set after, to interrupt the
// pair 10 ms later for nothing. The timer is programmed as usual when the thread blocks
// (reschedule) and when the scope ends.
class QuantumTimerDeferred {
 public:
  QuantumTimerDeferred() REQUIRES(sched_lock);
  ~QuantumTimerDeferred() REQUIRES(sched_lock);
  QuantumTimerDeferred(const QuantumTimerDeferred&) = delete;
  QuantumTimerDeferred& operator=(const QuantumTimerDeferred&) = delete;
};

namespace detail {
// Makes t the calling CPU's idle thread, in state (sched.cc).
void become_idle(Thread* t, ThreadState state) REQUIRES(sched_lock);
}  // namespace detail

struct Stats {
  uint64_t context_switches;
  uint64_t preemptions;
  uint64_t timer_interrupts;
  uint64_t handoffs;  // switches straight to the thread the blocking one had woken
};
Stats stats();

}  // namespace sched
}  // namespace kernel
