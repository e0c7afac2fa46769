#include "kernel/wait_queue.h"

#include "kernel/thread.h"
#include "kernel/timer.h"

namespace kernel {

lib::Result<void> WaitQueue::wait(uint64_t deadline_ns) {
  auto* self = sched::current();
  if (self->killed_ || (self->wake_on_user_work_ && self->user_work_)) return lib::Error::Killed;
  self->state_ = ThreadState::Blocked;
  self->waiting_on_ = this;
  self->timed_out_ = false;
  waiters_.push_back(self);
  if (deadline_ns) timer_arm(&self->wake_timer_, deadline_ns);
  sched::reschedule();
  self->waiting_on_ = nullptr;
  timer_cancel(&self->wake_timer_);
  if (self->killed_ || (self->wake_on_user_work_ && self->user_work_)) return lib::Error::Killed;
  if (self->timed_out_) return lib::Error::TimedOut;
  return {};
}

void WaitQueue::wait_uninterruptible() {
  auto* self = sched::current();
  self->state_ = ThreadState::Blocked;
  self->waiting_on_ = this;
  waiters_.push_back(self);
  sched::reschedule();
  self->waiting_on_ = nullptr;
}

bool WaitQueue::wake_one() {
  SchedLink* link = waiters_.pop_front();
  if (!link) return false;
  auto* t = static_cast<Thread*>(link);
  t->waiting_on_ = nullptr;
  sched::make_ready(t);
  return true;
}

size_t WaitQueue::wake_all() {
  size_t n = 0;
  while (wake_one()) ++n;
  return n;
}

Thread* WaitQueue::front_thread() const { return static_cast<Thread*>(waiters_.front()); }

void WaitQueue::remove(Thread* t) {
  waiters_.remove(t);
  t->waiting_on_ = nullptr;
}

}  // namespace kernel
