#pragma once
// A timeline of what the kernel did behind a running thread's back: interrupts, exceptions
// and context switches, each stamped with the cycle counter. Off unless a test turns it on
// (the IPC benchmark does, to tell which of its slow round trips had the kernel doing
// something else and which had nothing: the host). Recording costs one load and a branch
// while off.

#include <cstddef>
#include <cstdint>

namespace kernel::event_trace {

enum class Kind : uint8_t {
  Timer,      // the timer interrupt; detail: the vector
  Interrupt,  // another interrupt; detail: the vector
  Exception,  // a CPU exception, page faults included; detail: the vector
  Switch,     // a context switch; detail: the id of the thread switched to
};

struct Event {
  uint64_t cycles;  // arch::cycles() when it happened
  uint32_t detail;
  Kind kind;
};

// Records into events[0..capacity) from now on; once full, later events are counted but
// not kept. The buffer must outlive stop().
void start(Event* events, size_t capacity);
// Stops recording; returns how many events were kept (and sets *lost to those that were not).
size_t stop(size_t* lost);
// Records an event if recording is on.
void record(Kind kind, uint32_t detail);

}  // namespace kernel::event_trace
