#include "kernel/timer_object.h"

namespace kernel {

namespace abi = stellina::abi;

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
