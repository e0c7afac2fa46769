#include "kernel/wall_clock.h"

#include <lib/date.h>

#include "kernel/arch.h"
#include "kernel/log.h"

namespace kernel {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;

// The wall clock at monotonic time 0. Written once, before there are other threads.
uint64_t boot_epoch_ns = 0;

}  // namespace

void wall_clock_init() {
  const auto reading = arch::rtc_read();
  const uint64_t read_at = arch::now_ns();
  if (!reading.ok()) {
    log_warn("clock: no real-time clock ({}): the wall clock starts at 1970-01-01 at boot",
             lib::error_name(reading.error()));
    return;
  }
  const lib::DateTime& t = reading.value();
  const auto seconds = lib::seconds_since_epoch(t);
  if (!seconds.ok()) {
    log_warn(
        "clock: the RTC reads {}-{:02}-{:02} {:02}:{:02}:{:02}, not a time: the wall clock "
        "starts at 1970-01-01 at boot",
        t.year, t.month, t.day, t.hour, t.minute, t.second);
    return;
  }
  // The reading is the second that began up to a second before read_at: the wall clock may
  // run up to a second late, never early.
  boot_epoch_ns = seconds.value() * kNsPerSecond - read_at;
  log_info("clock: wall time {}-{:02}-{:02} {:02}:{:02}:{:02} UTC from the RTC", t.year, t.month,
           t.day, t.hour, t.minute, t.second);
}

uint64_t wall_clock_ns() { return boot_epoch_ns + arch::now_ns(); }

}  // namespace kernel
