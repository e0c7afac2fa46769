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

namespace {

// One run queue for every CPU, under sched_lock like the rest (docs/smp.md): a ready thread
// runs on whichever CPU takes it first. A running thread is on no queue, so no other CPU can
// take it; the one it leaves switches away from its stack before sched_lock is released (the
// next thread releases it), so no CPU resumes a thread whose registers are still being saved.
lib::RunQueue<SchedLink, &SchedLink::sched_node> run_queue GUARDED_BY(sched_lock);
lib::TimerQueue timers GUARDED_BY(sched_lock);

// What each CPU's scheduler keeps for itself, by arch::cpu_index(). Its running thread is in
// arch::cpu_current_thread(), one GS-relative load for sched::current().
struct Cpu {
  Thread* current = nullptr;        // what it runs (also in arch::cpu_current_thread())
  Thread* idle = nullptr;           // runs when nothing else can; on no queue, ever
  Thread* switched_from = nullptr;  // for finish_switch: the thread that just gave up the CPU
  bool need_resched = false;
  // A thread became ready that this CPU did not take: another CPU should, unless this one
  // takes it first when the running thread blocks (a handoff). Looked at (flush_kick) once
  // the CPU knows: when it reschedules, or leaves the kernel or an interrupt without.
  bool kick_pending = false;
  uint64_t quantum_end_ns = 0;
  uint64_t budget_end_ns = UINT64_MAX;      // when the running thread's silos run out of share
  uint64_t armed_deadline_ns = UINT64_MAX;  // what this CPU's timer is set for
  // The thread the running one last made ready since the CPU last changed hands: when the
  // running thread then blocks (a caller waiting for its reply, a server for its next
  // request), that thread is the one it is waiting on, and the CPU goes straight to it
  // (take_handoff).
  Thread* last_woken = nullptr;
  // The thread inside a QuantumTimerDeferred scope on this CPU: while it runs, make_ready
  // leaves the timer alone. Another thread that runs meanwhile (this one blocked) programs
  // it as usual.
  Thread* timer_deferred_by = nullptr;
};
Cpu cpus[arch::kMaxCpus] GUARDED_BY(sched_lock);
std::atomic<bool> started{false};  // sched::start ran: the other CPUs may schedule

Cpu& this_cpu() REQUIRES(sched_lock) { return cpus[arch::cpu_index()]; }
Thread* running() { return sched::current(); }

// Whether this CPU was asked to reschedule or has a kick to send, from interrupt context
// without sched_lock: other CPUs set need_resched (under the lock) and then kick this one, so
// a stale false is followed by a kick; kick_pending only this CPU sets.
bool work_requested() NO_THREAD_SAFETY_ANALYSIS {
  const Cpu& cpu = cpus[arch::cpu_index()];
  return __atomic_load_n(&cpu.need_resched, __ATOMIC_RELAXED) || cpu.kick_pending;
}
// Ready threads held back because their silo, or one above it, has used its CPU share for the
// current period (Silo::cpu_budget_left). refresh_timer, armed exactly while the list is not
// empty, puts them back on the run queue when the next period begins.
lib::IntrusiveList<SchedLink, &SchedLink::sched_node> throttled GUARDED_BY(sched_lock);
Timer refresh_timer;
sched::Stats counters = {};

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
  const Thread* self = running();
  if (self == this_cpu().idle || run_queue.empty()) return false;
  const unsigned highest = run_queue.highest();
  return highest >= self->priority() ||
         (raised(self) && self->priority() > sched::kPriorityNormal &&
          highest > sched::kPriorityIdle);
}

// Programs the timer for the earliest of: the next armed timer (the end of the CPU period
// among them, while threads are throttled), the end of the quantum (only when another thread
// would take the CPU then), the end of the running thread's CPU share (only in a capped
// silo). No event: no interrupt (tickless idle, and tickless for a thread that runs alone).
// Each CPU programs its own timer; every CPU arms for the next armed timer, and whichever
// interrupt comes first runs it (the others find nothing due and re-arm).
void program_timer() REQUIRES(sched_lock) {
  Cpu& cpu = this_cpu();
  uint64_t deadline = UINT64_MAX;
  if (!timers.empty()) deadline = timers.next_deadline();
  if (quantum_matters() && cpu.quantum_end_ns < deadline) deadline = cpu.quantum_end_ns;
  if (cpu.budget_end_ns < deadline) deadline = cpu.budget_end_ns;
  // Reprogramming the timer is a device access (slow under emulation): skip it when the
  // armed interrupt comes no later than needed. An early one just re-arms.
  const uint64_t now = arch::now_ns();
  if (cpu.armed_deadline_ns <= deadline && cpu.armed_deadline_ns > now) return;
  cpu.armed_deadline_ns = deadline;
  arch::timer_set_deadline(deadline);
}

// Threads wait on the run queue that this CPU does not take now: an idle CPU, or else one
// running a thread below the best of them, is asked to take it. Kicked once: a CPU with
// need_resched set has an interrupt on its way already. Deferred (kick_pending) from the
// wake-up to the moment this CPU knows it will not run the thread itself: a caller that
// wakes its server and then blocks hands the CPU to it, and no other CPU is disturbed.
void flush_kick() REQUIRES(sched_lock) {
  Cpu& cpu = this_cpu();
  if (!cpu.kick_pending) return;
  cpu.kick_pending = false;
  if (run_queue.empty()) return;
  const unsigned n = arch::cpu_count();
  const unsigned self = arch::cpu_index();
  unsigned best = self;
  unsigned best_priority = run_queue.highest();  // only a CPU running below it will do
  for (unsigned i = 0; i < n && best_priority > 0; ++i) {
    if (i == self || cpus[i].need_resched || !cpus[i].current) continue;
    const unsigned p = cpus[i].current == cpus[i].idle ? 0 : cpus[i].current->priority();
    if (p < best_priority) {
      best = i;
      best_priority = p;
    }
  }
  if (best == self) return;
  cpus[best].need_resched = true;
  arch::cpu_kick(best);
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

// Takes the best ready thread whose silos have CPU share left and sets the CPU's
// budget_end_ns for it; the CPU's idle thread when there is none. The others go to the
// throttled list until the period ends: they do not run even if the CPU would otherwise idle
// (a cap is a ceiling, not a weight). Idle is never throttled.
Thread* pick_next(uint64_t now) REQUIRES(sched_lock) {
  Cpu& cpu = this_cpu();
  while (auto* t = static_cast<Thread*>(run_queue.pop_highest())) {
    const uint64_t left = t->silo().cpu_budget_left(now);
    if (left > 0) {
      cpu.budget_end_ns = left > UINT64_MAX - now ? UINT64_MAX : now + left;
      return t;
    }
    if (throttled.empty()) {
      refresh_timer.deadline = (now / Silo::kCpuPeriodNs + 1) * Silo::kCpuPeriodNs;
      timers.insert(&refresh_timer);  // program_timer runs before the switch
    }
    throttled.push_back(t);
  }
  cpu.budget_end_ns = UINT64_MAX;
  return cpu.idle;
}

// Direct handoff. When prev blocks right after waking a thread, that thread gets the CPU
// without a pass over the run queue, provided the scheduler would have let it run now: it is
// ready (not throttled, and no other CPU took it) at the highest ready priority, and its silo
// has CPU share left. It runs on the rest of prev's quantum (the caller's quantum is lent, not
// renewed), so a pair of threads handing the CPU back and forth shares one quantum, and the
// other ready threads of their priority get the CPU when it ends, as if one thread had run.
// Null: pick_next chooses.
Thread* take_handoff(Thread* prev, uint64_t now) REQUIRES(sched_lock) {
  Cpu& cpu = this_cpu();
  Thread* t = cpu.last_woken;
  cpu.last_woken = nullptr;
  if (!t || prev->state() == ThreadState::Running) return nullptr;
  if (t->state() != ThreadState::Ready || t->priority() != run_queue.highest()) return nullptr;
  const uint64_t left = t->silo().cpu_budget_left(now);
  if (left == 0) return nullptr;  // pick_next throttles it
  run_queue.remove(t, t->priority());
  // With no other ready thread of its priority, nobody waits for the quantum to end: a fresh
  // one starts, as pick_next's would (a lent quantum long over would otherwise make every
  // wake-up of the partner arm a timer that is already due).
  if (run_queue.empty() || run_queue.highest() < t->priority())
    cpu.quantum_end_ns = now + sched::kQuantumNs;
  cpu.budget_end_ns = left > UINT64_MAX - now ? UINT64_MAX : now + left;
  ++counters.handoffs;
  return t;
}

// The calling CPU runs t from now on (its stack or not yet: see reschedule).
void set_running(Thread* t) REQUIRES(sched_lock) {
  this_cpu().current = t;
  arch::set_cpu_current_thread(t);
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

// t is the calling CPU's idle thread: priority 0, which no other thread may have (nothing
// would ever preempt idle for it).
void detail::become_idle(Thread* t, ThreadState state) {
  t->priority_ = t->given_priority_ = kPriorityIdle;
  t->state_ = state;
  this_cpu().idle = t;
}

void init() {
  static Thread boot_thread;
  boot_thread.id_ = 0;
  lib::format_to(boot_thread.name_, sizeof(boot_thread.name_), "main");
  boot_thread.state_ = ThreadState::Running;
  boot_thread.wake_timer_.fire = &Thread::on_timer;
  boot_thread.wake_timer_.context = &boot_thread;
  refresh_timer.fire = refresh_throttled;
  {
    SpinlockGuard guard(sched_lock);
    Thread::all().push_back(&boot_thread);
    set_running(&boot_thread);
  }

  // Each CPU has an idle thread, never on the run queue (pick_next falls back to it). The
  // boot CPU's starts on a stack of its own; another CPU's is made by ap_enter_scheduler.
  auto idle = Thread::create("idle", idle_loop, nullptr, kPriorityIdle + 1);
  if (!idle.ok()) panic("sched: cannot create the idle thread");
  SpinlockGuard guard(sched_lock);
  detail::become_idle(idle.value(), ThreadState::Ready);
}

void start() {
  {
    SpinlockGuard guard(sched_lock);
    this_cpu().quantum_end_ns = arch::now_ns() + kQuantumNs;
    current()->ran_since_ns_ = arch::now_ns();
    program_timer();
  }
  started.store(true, std::memory_order_release);
  arch::irq_enable();
}

void make_ready(Thread* t) {
  t->state_ = ThreadState::Ready;
  run_queue.push_back(t, t->priority_);
  Cpu& cpu = this_cpu();
  cpu.last_woken = t;
  if (t->priority_ > running()->priority_) {
    cpu.need_resched = true;
  } else if (arch::cpu_count() > 1) {
    cpu.kick_pending = true;
  }
  // A quantum now matters.
  if (running() != cpu.idle && running() != cpu.timer_deferred_by) program_timer();
}

QuantumTimerDeferred::QuantumTimerDeferred() { this_cpu().timer_deferred_by = running(); }

QuantumTimerDeferred::~QuantumTimerDeferred() {
  // The thread may have blocked inside the scope and come back on another CPU.
  for (unsigned i = 0; i < arch::cpu_count(); ++i)
    if (cpus[i].timer_deferred_by == running()) cpus[i].timer_deferred_by = nullptr;
  if (running() != this_cpu().idle) program_timer();
}

void kick(Thread* t) {
  if (t->state_ != ThreadState::Running) return;  // it looks at its state when it next runs
  for (unsigned i = 0; i < arch::cpu_count(); ++i)
    if (cpus[i].current == t && i != arch::cpu_index()) arch::cpu_kick(i);
}

void reschedule() {
  // finish_switch may wake a thread that should run before this one (a joiner woken by a
  // thread's death): go round again until this thread really is the one to run.
  do {
    Cpu& cpu = this_cpu();
    Thread* prev = running();
    const uint64_t now = arch::now_ns();
    // Charge prev first: whether its silo has CPU share left depends on it.
    const uint64_t ran = now - prev->ran_since_ns_;
    prev->runtime_ns_ += ran;
    prev->ran_since_ns_ = now;
    if (prev != cpu.idle) prev->silo().add_cpu_time(ran, now);
    Thread* next = take_handoff(prev, now);
    if (prev->state_ == ThreadState::Running) {
      if (raised(prev) && now >= cpu.quantum_end_ns) prev->priority_ = kPriorityNormal;
      prev->state_ = ThreadState::Ready;
      if (prev != cpu.idle) run_queue.push_back(prev, prev->priority_);
    } else {
      prev->priority_ = prev->given_priority_;  // it blocked: raised again
    }
    if (!next) {
      next = pick_next(now);
      cpu.quantum_end_ns = now + kQuantumNs;
    }
    cpu.need_resched = false;
    // prev, still ready, waits on the queue, or others do: an idle CPU may take them.
    if (prev != next && prev->state_ == ThreadState::Ready && prev != cpu.idle &&
        arch::cpu_count() > 1)
      cpu.kick_pending = true;
    flush_kick();
    next->state_ = ThreadState::Running;
    if (next != prev) {
      next->ran_since_ns_ = now;
      set_running(next);
      cpu.switched_from = prev;
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
      fpu_switch(prev, next);
      arch::context_switch(&prev->context_, next->context_);
      finish_switch();
    }
  } while (this_cpu().need_resched);
}

void set_priority(Thread* t, unsigned priority) {
  const bool queued = t->state_ == ThreadState::Ready && !is_throttled(t) && t != this_cpu().idle;
  if (queued) run_queue.remove(t, t->priority_);
  t->priority_ = t->given_priority_ = priority;
  if (queued) run_queue.push_back(t, priority);
  // A ready thread above the running one, or the running one lowered below a ready one.
  Cpu& cpu = this_cpu();
  const Thread* self = running();
  if (t != self && queued && priority > self->priority_) cpu.need_resched = true;
  if (t != self && queued && priority <= self->priority_ && arch::cpu_count() > 1)
    cpu.kick_pending = true;
  if (t == self && !run_queue.empty() && run_queue.highest() > priority) cpu.need_resched = true;
  if (self != cpu.idle) program_timer();  // whether a quantum matters changed
}

bool resched_pending() { return this_cpu().need_resched; }

void yield() {
  SpinlockGuard guard(sched_lock);
  sched::reschedule();
}

void preempt_point() {
  SpinlockGuard guard(sched_lock);
  if (this_cpu().need_resched) reschedule();
  flush_kick();
}

void sleep_ns(uint64_t ns) {
  SpinlockGuard guard(sched_lock);
  Thread* self = running();
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
  Thread* from = this_cpu().switched_from;
  if (from && from->state_ == ThreadState::Dead) from->on_dead();
}

// The CPU's boot code becomes its idle thread, on the stack it came up on.
void ap_enter_scheduler() NO_THREAD_SAFETY_ANALYSIS {
  while (!started.load(std::memory_order_acquire)) arch::cpu_relax();
  char name[16];
  lib::format_to(name, sizeof(name), "idle{}", arch::cpu_index());
  auto idle = Thread::create_running(name);
  if (!idle.ok()) panic("sched: cannot create an idle thread");
  sched_lock.acquire();
  sched::detail::become_idle(idle.value(), ThreadState::Running);
  Cpu& cpu = this_cpu();
  set_running(cpu.idle);
  cpu.idle->ran_since_ns_ = arch::now_ns();
  cpu.quantum_end_ns = arch::now_ns() + sched::kQuantumNs;
  program_timer();
  sched_lock.release(arch::kIrqsEnabled);
  idle_loop(nullptr);
  panic("the idle loop returned");
}

void on_timer_interrupt() {
  SpinlockGuard guard(sched_lock);
  ++counters.timer_interrupts;
  Cpu& cpu = this_cpu();
  cpu.armed_deadline_ns = UINT64_MAX;  // it fired
  const uint64_t now = arch::now_ns();
  while (lib::TimerEntry* e = timers.pop_expired(now)) {
    auto* t = static_cast<Timer*>(e);
    t->fire(t);
  }
  if (now >= cpu.quantum_end_ns && quantum_matters()) {
    cpu.need_resched = true;
    ++counters.preemptions;
  }
  if (now >= cpu.budget_end_ns) cpu.need_resched = true;  // its silo's CPU share is used up
  program_timer();
}

void on_interrupt_exit() {
  if (!work_requested()) return;
  SpinlockGuard guard(sched_lock);
  if (this_cpu().need_resched) sched::reschedule();
  flush_kick();
}

}  // namespace kernel
