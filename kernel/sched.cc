#include "kernel/sched.h"

#include <lib/run_queue.h>

#include "kernel/arch.h"
#include "kernel/arch_hooks.h"
#include "kernel/event_trace.h"
#include "kernel/log.h"
#include "kernel/silo.h"
#include "kernel/thread.h"
#include "kernel/timer.h"

namespace kernel {

Spinlock sched_lock;

Thread* sched::detail::current_thread = nullptr;

namespace {

using sched::detail::current_thread;

lib::RunQueue<SchedLink, &SchedLink::sched_node> run_queue GUARDED_BY(sched_lock);
lib::TimerQueue timers GUARDED_BY(sched_lock);
Thread* idle_thread = nullptr;
Thread* switched_from = nullptr;  // for finish_switch: the thread that just gave up the CPU
bool need_resched = false;
uint64_t quantum_end_ns = 0;
// Ready threads held back because their silo, or one above it, has used its CPU share for the
// current period (Silo::cpu_budget_left). refresh_timer, armed exactly while the list is not
// empty, puts them back on the run queue when the next period begins.
lib::IntrusiveList<SchedLink, &SchedLink::sched_node> throttled GUARDED_BY(sched_lock);
Timer refresh_timer;
uint64_t budget_end_ns = UINT64_MAX;      // when the running thread's silos run out of CPU share
uint64_t armed_deadline_ns = UINT64_MAX;  // what the timer hardware is set for
sched::Stats counters = {};
// The thread the running one last made ready since the CPU last changed hands: when the
// running thread then blocks (a caller waiting for its reply, a server for its next request),
// that thread is the one it is waiting on, and the CPU goes straight to it (take_handoff).
Thread* last_woken = nullptr;
// The thread inside a QuantumTimerDeferred scope: while it runs, make_ready leaves the timer
// alone. Another thread that runs meanwhile (this one blocked) programs it as usual.
Thread* timer_deferred_by = nullptr;

// A thread given a priority above the usual one and below the kernel's own (a component
// whose spec asks for one) is raised only while it does not keep the CPU: one that runs a
// whole quantum while threads below it are ready runs at the usual priority until it next
// blocks (reschedule). So a process flooded with work at a raised priority (a network stack
// under a flood of packets) shares the CPU in turns like any other, and is raised again as
// soon as it waits: the raise shortens waits, it never starves the rest.
bool raised(const Thread* t) {
  return t->given_priority() > sched::kPriorityNormal && t->given_priority() < sched::kPriorityHigh;
}

// Whether the end of the running thread's quantum would hand the CPU to another: a ready
// thread of its priority or above (the idle thread, always ready, never takes it), or, for
// a raised thread, any ready thread at all.
bool quantum_matters() REQUIRES(sched_lock) {
  if (current_thread == idle_thread || run_queue.empty()) return false;
  const unsigned highest = run_queue.highest();
  return highest >= current_thread->priority() ||
         (raised(current_thread) && current_thread->priority() > sched::kPriorityNormal &&
          highest > sched::kPriorityIdle);
}

// Programs the timer for the earliest of: the next armed timer (the end of the CPU period
// among them, while threads are throttled), the end of the quantum (only when another thread
// would take the CPU then), the end of the running thread's CPU share (only in a capped
// silo). No event: no interrupt (tickless idle, and tickless for a thread that runs alone).
void program_timer() REQUIRES(sched_lock) {
  uint64_t deadline = UINT64_MAX;
  if (!timers.empty()) deadline = timers.next_deadline();
  if (quantum_matters() && quantum_end_ns < deadline) deadline = quantum_end_ns;
  if (budget_end_ns < deadline) deadline = budget_end_ns;
  // Reprogramming the timer is a device access (slow under emulation): skip it when the
  // armed interrupt comes no later than needed. An early one just re-arms.
  const uint64_t now = arch::now_ns();
  if (armed_deadline_ns <= deadline && armed_deadline_ns > now) return;
  armed_deadline_ns = deadline;
  arch::timer_set_deadline(deadline);
}

// Runs when nothing else can. A wake-up from thread context (not an interrupt) only sets
// need_resched, so look at it before halting; one that comes from an interrupt after the
// check preempts idle on the way out of that interrupt.
// Console output that writers with interrupts off left queued goes out here, when nothing
// else wants the CPU.
void idle_loop(void*) {
  for (;;) {
    sched::preempt_point();
    log_drain();
    arch::enable_and_wait();
  }
}

// The end of the period: every throttled thread is ready again.
void refresh_throttled(Timer*) REQUIRES(sched_lock) {
  while (auto* t = static_cast<Thread*>(throttled.pop_front())) sched::make_ready(t);
}

// Takes the best ready thread whose silos have CPU share left and sets budget_end_ns for it.
// The others go to the throttled list until the period ends: they do not run even if the CPU
// would otherwise idle (a cap is a ceiling, not a weight). Idle is never throttled.
Thread* pick_next(uint64_t now) REQUIRES(sched_lock) {
  for (;;) {
    auto* t = static_cast<Thread*>(run_queue.pop_highest());  // idle is always ready
    const uint64_t left = t == idle_thread ? UINT64_MAX : t->silo().cpu_budget_left(now);
    if (left > 0) {
      budget_end_ns = left > UINT64_MAX - now ? UINT64_MAX : now + left;
      return t;
    }
    if (throttled.empty()) {
      refresh_timer.deadline = (now / Silo::kCpuPeriodNs + 1) * Silo::kCpuPeriodNs;
      timers.insert(&refresh_timer);  // program_timer runs before the switch
    }
    throttled.push_back(t);
  }
}

// Direct handoff. When prev blocks right after waking a thread, that thread gets the CPU
// without a pass over the run queue, provided the scheduler would have let it run now: it is
// ready (not throttled) at the highest ready priority, and its silo has CPU share left. It
// runs on the rest of prev's quantum (the caller's quantum is lent, not renewed), so a pair
// of threads handing the CPU back and forth shares one quantum, and the other ready threads
// of their priority get the CPU when it ends, as if one thread had run. Null: pick_next
// chooses.
Thread* take_handoff(Thread* prev, uint64_t now) REQUIRES(sched_lock) {
  Thread* t = last_woken;
  last_woken = nullptr;
  if (!t || prev->state() == ThreadState::Running || t == idle_thread) return nullptr;
  if (t->state() != ThreadState::Ready || t->priority() != run_queue.highest()) return nullptr;
  const uint64_t left = t->silo().cpu_budget_left(now);
  if (left == 0) return nullptr;  // pick_next throttles it
  run_queue.remove(t, t->priority());
  // With no other ready thread of its priority, nobody waits for the quantum to end: a fresh
  // one starts, as pick_next's would (a lent quantum long over would otherwise make every
  // wake-up of the partner arm a timer that is already due).
  if (run_queue.highest() < t->priority()) quantum_end_ns = now + sched::kQuantumNs;
  budget_end_ns = left > UINT64_MAX - now ? UINT64_MAX : now + left;
  ++counters.handoffs;
  return t;
}

// Whether a ready thread waits on the throttled list rather than the run queue (the list is
// short: the ready threads of capped silos, for the rest of a period).
bool is_throttled(const SchedLink* t) REQUIRES(sched_lock) {
  for (const SchedLink* l = throttled.front(); l; l = throttled.next(const_cast<SchedLink*>(l))) {
    if (l == t) return true;
  }
  return false;
}

}  // namespace

void timer_arm(Timer* t, uint64_t deadline_ns) {
  timers.remove(t);
  t->deadline = deadline_ns;
  timers.insert(t);
  if (timers.next_deadline() == deadline_ns) program_timer();
}

void timer_cancel(Timer* t) { timers.remove(t); }

namespace sched {

void init() {
  static Thread boot_thread;
  boot_thread.id_ = 0;
  lib::format_to(boot_thread.name_, sizeof(boot_thread.name_), "main");
  boot_thread.state_ = ThreadState::Running;
  boot_thread.wake_timer_.fire = &Thread::on_timer;
  boot_thread.wake_timer_.context = &boot_thread;
  {
    SpinlockGuard guard(sched_lock);
    Thread::all().push_back(&boot_thread);
  }
  current_thread = &boot_thread;
  refresh_timer.fire = refresh_throttled;

  // Other threads may not use the idle priority (nothing would ever preempt idle for them).
  auto idle = Thread::create("idle", idle_loop, nullptr, kPriorityIdle + 1);
  if (!idle.ok()) panic("sched: cannot create the idle thread");
  idle_thread = idle.value();
  idle_thread->priority_ = idle_thread->given_priority_ = kPriorityIdle;
  idle_thread->start();
}

void start() {
  {
    SpinlockGuard guard(sched_lock);
    quantum_end_ns = arch::now_ns() + kQuantumNs;
    current_thread->ran_since_ns_ = arch::now_ns();
    program_timer();
  }
  arch::irq_enable();
}

void make_ready(Thread* t) {
  t->state_ = ThreadState::Ready;
  run_queue.push_back(t, t->priority_);
  last_woken = t;
  if (t->priority_ > current_thread->priority_) need_resched = true;
  // A quantum now matters.
  if (current_thread != idle_thread && current_thread != timer_deferred_by) program_timer();
}

QuantumTimerDeferred::QuantumTimerDeferred() { timer_deferred_by = current_thread; }

QuantumTimerDeferred::~QuantumTimerDeferred() {
  timer_deferred_by = nullptr;
  if (current_thread != idle_thread) program_timer();
}

void reschedule() {
  // finish_switch may wake a thread that should run before this one (a joiner woken by a
  // thread's death): go round again until this thread really is the one to run.
  do {
    Thread* prev = current_thread;
    const uint64_t now = arch::now_ns();
    // Charge prev first: whether its silo has CPU share left depends on it.
    const uint64_t ran = now - prev->ran_since_ns_;
    prev->runtime_ns_ += ran;
    prev->ran_since_ns_ = now;
    if (prev != idle_thread) prev->silo().add_cpu_time(ran, now);
    Thread* next = take_handoff(prev, now);
    if (prev->state_ == ThreadState::Running) {
      if (raised(prev) && now >= quantum_end_ns) prev->priority_ = kPriorityNormal;
      prev->state_ = ThreadState::Ready;
      run_queue.push_back(prev, prev->priority_);
    } else {
      prev->priority_ = prev->given_priority_;  // it blocked: raised again
    }
    if (!next) {
      next = pick_next(now);
      quantum_end_ns = now + kQuantumNs;
    }
    need_resched = false;
    next->state_ = ThreadState::Running;
    if (next != prev) {
      next->ran_since_ns_ = now;
      current_thread = next;
      switched_from = prev;
      ++counters.context_switches;
      event_trace::record(event_trace::Kind::Switch, static_cast<uint32_t>(next->id_));
    }
    program_timer();
    if (next != prev) {
      Process* p = next->process_.get();
      if (p && !p->in_kernel()) {  // traps from user mode land on its stack
        arch::set_kernel_stack(next->stack_.top());
        arch::switch_root(p->address_space().root());
        arch::set_user_tls_base(next->user_tls_base());
      }
      fpu_switch_to(next);
      arch::context_switch(&prev->context_, next->context_);
      finish_switch();
    }
  } while (need_resched);
}

void set_priority(Thread* t, unsigned priority) {
  const bool queued = t->state_ == ThreadState::Ready && !is_throttled(t);
  if (queued) run_queue.remove(t, t->priority_);
  t->priority_ = t->given_priority_ = priority;
  if (queued) run_queue.push_back(t, priority);
  // A ready thread above the running one, or the running one lowered below a ready one.
  if (t != current_thread && queued && priority > current_thread->priority_) need_resched = true;
  if (t == current_thread && !run_queue.empty() && run_queue.highest() > priority)
    need_resched = true;
  if (current_thread != idle_thread) program_timer();  // whether a quantum matters changed
}

bool resched_pending() { return need_resched; }

void yield() {
  SpinlockGuard guard(sched_lock);
  sched::reschedule();
}

void preempt_point() {
  SpinlockGuard guard(sched_lock);
  if (need_resched) reschedule();
}

void sleep_ns(uint64_t ns) {
  SpinlockGuard guard(sched_lock);
  Thread* self = current_thread;
  self->state_ = ThreadState::Blocked;
  const uint64_t now = arch::now_ns();
  timer_arm(&self->wake_timer_, ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
  sched::reschedule();
}

Stats stats() {
  SpinlockGuard guard(sched_lock);
  return counters;
}

}  // namespace sched

void finish_switch() {
  if (switched_from && switched_from->state_ == ThreadState::Dead) switched_from->on_dead();
}

void on_timer_interrupt() {
  SpinlockGuard guard(sched_lock);
  ++counters.timer_interrupts;
  armed_deadline_ns = UINT64_MAX;  // it fired
  const uint64_t now = arch::now_ns();
  while (lib::TimerEntry* e = timers.pop_expired(now)) {
    auto* t = static_cast<Timer*>(e);
    t->fire(t);
  }
  if (now >= quantum_end_ns && quantum_matters()) {
    need_resched = true;
    ++counters.preemptions;
  }
  if (now >= budget_end_ns) need_resched = true;  // its silo's CPU share is used up
  program_timer();
}

void on_interrupt_exit() {
  if (!need_resched) return;
  SpinlockGuard guard(sched_lock);
  sched::reschedule();
}

}  // namespace kernel
