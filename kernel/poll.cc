#include "kernel/poll.h"

#include "kernel/timer.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<void> Poll::add(Object* object, uint32_t signals, uint64_t key) {
  if (!signals || object == this) return lib::Error::InvalidArgument;
  Entry* free = nullptr;
  for (Entry& e : entries_) {
    if (e.object && e.key == key) return lib::Error::InvalidArgument;
    if (!e.object && !free) free = &e;
  }
  if (!free) return lib::Error::NoResources;
  object->retain();
  free->object = object;
  free->key = key;
  free->observer.mask = signals;
  free->observer.context = &waiters_;
  free->observer.notify = [](SignalObserver* self, uint32_t) NO_THREAD_SAFETY_ANALYSIS {
    static_cast<WaitQueue*>(self->context)->wake_all();  // notify runs under sched_lock
  };
  object->add_observer(&free->observer);
  return {};
}

lib::Result<void> Poll::remove(uint64_t key) {
  for (Entry& e : entries_) {
    if (!e.object || e.key != key) continue;
    e.object->remove_observer(&e.observer);
    e.object->release();
    e.object = nullptr;
    return {};
  }
  return lib::Error::NotFound;
}

size_t Poll::collect(abi::PollEvent* events, size_t max) const {
  size_t n = 0;
  for (const Entry& e : entries_) {
    if (n == max) break;
    if (!e.object) continue;
    const uint32_t ready = e.object->signals() & e.observer.mask;
    if (ready) events[n++] = abi::PollEvent{e.key, e.object->signals(), 0};
  }
  return n;
}

lib::Result<size_t> Poll::wait(abi::PollEvent* events, size_t max, uint64_t deadline_ns) {
  for (;;) {
    const size_t n = collect(events, max);
    if (n) return n;
    TRY(waiters_.wait(deadline_ns));
  }
}

void Poll::on_zero_handles() {
  for (Entry& e : entries_) {
    if (!e.object) continue;
    e.object->remove_observer(&e.observer);
    e.object->release();
    e.object = nullptr;
  }
}

Poll::~Poll() NO_THREAD_SAFETY_ANALYSIS { on_zero_handles(); }

TimerObject::TimerObject() : Object(kType) {
  timer_.context = this;
  timer_.fire = [](Timer* t) NO_THREAD_SAFETY_ANALYSIS {  // runs under sched_lock
    static_cast<TimerObject*>(t->context)->update_signals(abi::kSignalReadable, 0);
  };
}

void TimerObject::set(uint64_t deadline_ns) {
  timer_cancel(&timer_);
  update_signals(0, abi::kSignalReadable);
  if (deadline_ns) timer_arm(&timer_, deadline_ns);
}

TimerObject::~TimerObject() NO_THREAD_SAFETY_ANALYSIS { timer_cancel(&timer_); }

}  // namespace kernel
