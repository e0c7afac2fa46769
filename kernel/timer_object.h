#pragma once
#include <stellina/types.h>

#include "kernel/object.h"
#include "kernel/timer.h"

namespace kernel {

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
