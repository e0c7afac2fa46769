#pragma once
// The wall clock: nanoseconds since 1970-01-01 00:00:00 UTC, for clock_wall. It is the
// real-time clock's reading at boot plus the monotonic clock since, so it never jumps
// backwards (nor follows a real-time clock set later); on a machine without a usable
// real-time clock it is the monotonic clock itself, as if the machine booted in 1970.

#include <cstdint>

namespace kernel {

// Reads the real-time clock once and logs the wall time, or why there is none. Needs the
// monotonic clock (arch::platform_init); runs before any thread reads the wall clock.
void wall_clock_init();
uint64_t wall_clock_ns();

}  // namespace kernel
