#pragma once
// A wait set: up to kMaxPollEntries (object, signals, key) entries. poll_wait reports the
// entries whose object has one of the watched signals now (level-triggered), blocking until
// one does. Entries hold a reference to their object.

#include <stellina/types.h>

#include <lib/result.h>

#include "kernel/object.h"
#include "kernel/timer.h"
#include "kernel/wait_queue.h"

namespace kernel {

class Poll final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Poll;

  // Errors: InvalidArgument (no signals, the poll itself, key in use), NoResources.
  lib::Result<void> add(Object* object, uint32_t signals, uint64_t key) REQUIRES(sched_lock);
  // Errors: NotFound.
  lib::Result<void> remove(uint64_t key) REQUIRES(sched_lock);
  // Fills events with ready entries (at most max); blocks until there is one or the
  // deadline passes (0: none). Errors: TimedOut.
  lib::Result<size_t> wait(stellina::abi::PollEvent* events, size_t max, uint64_t deadline_ns)
      REQUIRES(sched_lock);

  Poll() : Object(kType) {}

 private:
  ~Poll() override;
  void on_zero_handles() override REQUIRES(sched_lock);
  size_t collect(stellina::abi::PollEvent* events, size_t max) const REQUIRES(sched_lock);

  struct Entry {
    Object* object = nullptr;  // a reference
    uint64_t key = 0;
    SignalObserver observer;
  };
  Entry entries_[stellina::abi::kMaxPollEntries];
  WaitQueue waiters_;
};

// A one-shot timer object: raises kSignalReadable when its deadline passes.
class TimerObject final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Timer;
  // Arms for deadline_ns (0 disarms) and clears the signal.
  void set(uint64_t deadline_ns) REQUIRES(sched_lock);

  TimerObject();

 private:
  ~TimerObject() override;
  Timer timer_;
};

}  // namespace kernel
