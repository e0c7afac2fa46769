#pragma once
// What a handle to a thread names: the thread itself is owned by the scheduler and frees
// itself when it ends, so handles point at this small object instead, which outlives it.

#include "kernel/object.h"

namespace kernel {

// A handle's view of a thread: raises kSignalTerminated when the thread has ended.
class ThreadObject final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Thread;
  ThreadObject() : Object(kType) {}
};

}  // namespace kernel
