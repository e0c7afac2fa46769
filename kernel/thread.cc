#include "kernel/thread.h"

#include <lib/format.h>

#include "kernel/heap.h"
#include "kernel/log.h"

namespace kernel {
namespace {

uint64_t next_id = 1;

}  // namespace

const char* thread_state_name(ThreadState s) {
  switch (s) {
    case ThreadState::New: return "new";
    case ThreadState::Ready: return "ready";
    case ThreadState::Running: return "running";
    case ThreadState::Blocked: return "blocked";
    case ThreadState::Dead: return "dead";
  }
  return "?";
}

Thread::AllList& Thread::all() {
  static AllList list;
  return list;
}

lib::Result<Thread*> Thread::create(const char* name, Entry entry, void* arg, unsigned priority) {
  if (!entry || priority <= sched::kPriorityIdle || priority >= 32)
    return lib::Error::InvalidArgument;
  auto stack = KernelStack::allocate();
  if (!stack.ok()) return stack.error();
  auto created = create_running(name);
  if (!created.ok()) {
    stack.value().release();
    return created.error();
  }
  Thread* t = created.value();
  SpinlockGuard guard(sched_lock);  // listed already: another CPU may look at it
  t->stack_ = stack.value();
  t->priority_ = t->given_priority_ = priority;
  t->entry_ = entry;
  t->arg_ = arg;
  t->context_ = arch::context_init(t->stack_.top(), entry, arg);
  return t;
}

lib::Result<Thread*> Thread::create_running(const char* name) {
  Thread* t = TRY(heap::create<Thread>());
  lib::format_to(t->name_, sizeof(t->name_), "{}", name);
  t->wake_timer_.fire = &Thread::on_timer;
  t->wake_timer_.context = t;
  SpinlockGuard guard(sched_lock);
  t->id_ = next_id++;
  all().push_back(t);
  return t;
}

namespace {

// A thread made while its process was ending was marked killed (create_charged): it ends here,
// before it runs a single instruction of the process.
void user_thread_main(void* arg) {
  auto* t = static_cast<Thread*>(arg);
  on_return_to_user();
  arch::enter_user(t->user_entry().rip, t->user_entry().rsp, t->user_entry().arg);
}

void component_thread_main(void* arg) {
  auto* t = static_cast<Thread*>(arg);
  on_return_to_user();
  reinterpret_cast<void (*)(uint64_t)>(t->user_entry().rip)(t->user_entry().arg);
}

}  // namespace

lib::Result<void> Thread::charge_silo(Process* process) {
  Silo& silo = process->silo();
  TRY(silo.charge_thread());
  auto charged = silo.charge_memory(kThreadSiloBytes);
  if (!charged.ok()) silo.uncharge_thread();
  return charged;
}

lib::Result<Thread*> Thread::create_charged(Process* process, Entry entry, void* arg) {
  TRY(charge_silo(process));
  auto created = create(process->name(), entry, arg);
  if (!created.ok()) {
    process->silo().uncharge_memory(kThreadSiloBytes);
    process->silo().uncharge_thread();
    return created.error();
  }
  Thread* t = created.value();
  t->silo_thread_charged_ = true;
  t->silo_memory_charged_ = true;
  t->process_ = Ref<Process>(process);
  SpinlockGuard guard(sched_lock);
  t->priority_ = t->given_priority_ = process->priority();  // still New: on no queue
  process->thread_started();
  // The process ended while the thread was made (kill_all_of has run): it must not run the
  // process's code. It still starts, and ends at once, so its process sees it end.
  if (process->terminated()) t->killed_ = true;
  return t;
}

lib::Result<Thread*> Thread::create_user(Process* process, uintptr_t rip, uintptr_t rsp,
                                         uint64_t arg) {
  Thread* t = TRY(create_charged(process, user_thread_main, nullptr));
  t->context_ = arch::context_init(t->stack_.top(), user_thread_main, t);
  t->user_rip_ = rip;
  t->user_rsp_ = rsp;
  t->user_arg_ = arg;
  return t;
}

lib::Result<Thread*> Thread::create_component(Process* process, uintptr_t entry, uint64_t arg) {
  Thread* t = TRY(create_charged(process, component_thread_main, nullptr));
  t->context_ = arch::context_init(t->stack_.top(), component_thread_main, t);
  t->user_rip_ = entry;
  t->user_arg_ = arg;
  return t;
}

lib::Result<Thread*> Thread::create_in_process(Process* process, Entry entry, void* arg) {
  return create_charged(process, entry, arg);
}

void Thread::set_priority_of_all(Process* process, unsigned priority) {
  all().for_each([&](Thread* t) NO_THREAD_SAFETY_ANALYSIS {  // under sched_lock
    if (t->process_.get() == process && t->state_ != ThreadState::Dead)
      sched::set_priority(t, priority);
  });
}

void Thread::kill_all_of(Process* process) {
  Thread* self = sched::current();
  all().for_each([&](Thread* t) NO_THREAD_SAFETY_ANALYSIS {  // under sched_lock
    if (t == self || t->process_.get() != process || t->state_ == ThreadState::Dead) return;
    // Killed already: it was woken then and blocks no more in a wait queue; what it waits
    // for now (a mutex handed over in its way out) must not be taken from it.
    if (t->killed_) return;
    t->killed_ = true;
    if (t->state_ != ThreadState::Blocked) {  // it ends on its way back to user mode
      sched::kick(t);
      return;
    }
    if (t->waiting_on_) t->waiting_on_->remove(t);
    timer_cancel(&t->wake_timer_);
    sched::make_ready(t);
  });
}

void Thread::interrupt_wait() {
  if (state_ != ThreadState::Blocked || !wake_on_user_work_ || !waiting_on_) return;
  waiting_on_->remove(this);
  timer_cancel(&wake_timer_);
  sched::make_ready(this);
}

void Thread::start() {
  {
    SpinlockGuard guard(sched_lock);
    KASSERT(state_ == ThreadState::New);
    sched::make_ready(this);
  }
  sched::preempt_point();
}

void Thread::on_timer(Timer* timer) {
  auto* t = static_cast<Thread*>(timer->context);
  if (t->state_ != ThreadState::Blocked) return;
  if (t->waiting_on_) {
    t->waiting_on_->remove(t);
    t->timed_out_ = true;
  }
  sched::make_ready(t);
}

void Thread::on_dead() {
  stack_.release();
  fpu_thread_dead(this);
  if (silo_memory_charged_) {
    process_->silo().uncharge_memory(kThreadSiloBytes);
    silo_memory_charged_ = false;
  }
  // The last thread of an ended process is gone for good: its memory can go now, whoever
  // still holds the Process.
  if (process_ && process_->terminated() && process_->live_threads() == 0)
    process_->release_memory();
  if (detached_) {
    all().remove(this);
    this->~Thread();
    heap::free(this);
    return;
  }
  reaped_ = true;
  exit_waiters_.wake_all();
}

int Thread::join() {
  SpinlockGuard guard(sched_lock);
  KASSERT(!detached_ && this != sched::current());
  while (!reaped_) (void)exit_waiters_.wait();
  all().remove(this);
  const int code = exit_code_;
  this->~Thread();
  heap::free(this);
  return code;
}

void Thread::detach() {
  SpinlockGuard guard(sched_lock);
  detached_ = true;
  if (reaped_) {  // already gone: free it now
    all().remove(this);
    this->~Thread();
    heap::free(this);
  }
}

void Thread::for_each(void (*f)(const Thread&, void*), void* ctx) {
  SpinlockGuard guard(sched_lock);
  all().for_each([&](Thread* t) { f(*t, ctx); });
}

size_t Thread::count() {
  SpinlockGuard guard(sched_lock);
  return all().size();
}

void thread_exit(int code) NO_THREAD_SAFETY_ANALYSIS {
  sched_lock.acquire();
  Thread* self = sched::current();
  if (Process* p = self->process_.get()) {
    p->thread_ended();
    if (self->silo_thread_charged_) {
      p->silo().uncharge_thread();
      self->silo_thread_charged_ = false;
    }
    if (p->live_threads() == 0 && !p->terminated()) {
      p->terminate(code, ExitReason::Exited, "exit", 0, 0);
    } else if (p->ended()) {  // killed earlier: its last thread is gone now
      p->update_signals(stellina::abi::kSignalTerminated, 0);
    }
  }
  if (self->thread_object_) {
    self->thread_object_->update_signals(stellina::abi::kSignalTerminated, 0);
    self->thread_object_ = Ref<ThreadObject>();
  }
  self->exit_code_ = code;
  self->state_ = ThreadState::Dead;
  sched::reschedule();
  panic("a dead thread ran again");
}

extern "C" void thread_trampoline(Thread::Entry entry, void* arg) NO_THREAD_SAFETY_ANALYSIS {
  finish_switch();
  if (sched::resched_pending()) sched::reschedule();
  sched_lock.release(arch::kIrqsEnabled);
  entry(arg);
  thread_exit(0);
}

const char* fault_address_hint(uintptr_t addr) NO_THREAD_SAFETY_ANALYSIS {
  static char hint[96];
  if ((addr & ~uintptr_t{4095}) == arch::boot_stack_guard_page()) {
    return " - guard page of the boot stack (thread 'main'): stack overflow";
  }
  if (!KernelStack::is_guard_address(addr)) return "";
  const char* owner = "a free stack slot";
  // Called on the fatal path: no lock (the faulting code may hold it), read-only walk.
  Thread::all().for_each([&](Thread* t) {
    if (t->stack_.valid() && t->stack_.guard_page() == (addr & ~uintptr_t{4095})) owner = t->name_;
  });
  lib::format_to(hint, sizeof(hint), " - stack guard page of thread '{}': stack overflow", owner);
  return hint;
}

}  // namespace kernel
