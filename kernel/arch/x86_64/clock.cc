// Time: the TSC is the monotonic clock and the LAPIC timer raises the deadline interrupt;
// both are calibrated against the PIT, which every PC-compatible machine (q35, microvm) has,
// over one short window read at both ends with all three clocks together.

#include "cpu.h"
#include "kernel/log.h"
#include "platform.h"

namespace arch {
namespace x86 {
namespace {

constexpr uint16_t kPitChannel0 = 0x40;
constexpr uint16_t kPitCommand = 0x43;
constexpr uint64_t kPitHz = 1193182;

uint16_t pit_last = 0;
uint64_t pit_ticks = 0;

uint16_t pit_read() {
  outb(kPitCommand, 0x00);  // latch channel 0
  const uint8_t lo = inb(kPitChannel0);
  const uint8_t hi = inb(kPitChannel0);
  return static_cast<uint16_t>(lo | (hi << 8));
}

uint64_t tsc_at_boot = 0;
uint64_t tsc_hz = 0;
// now_ns = (tsc - tsc_at_boot) * ns_per_tsc_q32 >> 32
uint64_t ns_per_tsc_q32 = 0;
uint64_t timer_ticks_per_ns_q32 = 0;

}  // namespace

void pit_start() {
  outb(kPitCommand, 0x34);  // channel 0, lobyte/hibyte, mode 2 (rate generator)
  outb(kPitChannel0, 0xff);
  outb(kPitChannel0, 0xff);
  pit_last = pit_read();
  pit_ticks = 0;
}

uint64_t pit_elapsed_ns() {
  // The counter runs down from 0xffff and reloads; sum the distance it travelled.
  const uint16_t now = pit_read();
  pit_ticks += static_cast<uint16_t>(pit_last - now);
  pit_last = now;
  return pit_ticks * 1'000'000'000 / kPitHz;
}

namespace {

// The calibration window. Under TCG the TSC, the PIT and the LAPIC timer all follow the host's
// clock, so their ratios do not depend on the window's length: the error is the PIT's tick
// (838 ns) and the time between reading one clock and the next at either end, which
// read_clocks() keeps small. Over 2 ms both rates come within 0.03% of the host's TSC
// frequency and of QEMU's 62.5 MHz timer; the 10 ms window this replaced, read once at each
// end, was 1% (TSC) and 1.6% (timer) off at a boot on a loaded host. kernel/ktest/clock_test.cc
// checks both over 50 ms.
constexpr uint64_t kCalibrationWindowNs = 2'000'000;
// Readings taken at each end of the window; the one with the narrowest TSC bracket is kept.
constexpr int kReadingsPerEnd = 4;

struct ClockReading {
  uint64_t tsc;      // the middle of the bracket around the other two reads
  uint64_t tsc_gap;  // the bracket's width: how far apart the reads may be
  uint64_t pit_ns;
  uint32_t lapic;  // counts down
};

// The three clocks read as close together as the host lets: of kReadingsPerEnd tries, the
// one the host interrupted least (a descheduled QEMU thread widens a bracket by milliseconds).
ClockReading read_clocks() {
  ClockReading best{0, UINT64_MAX, 0, 0};
  for (int i = 0; i < kReadingsPerEnd; ++i) {
    const uint64_t before = rdtsc();
    const uint64_t pit_ns = pit_elapsed_ns();
    const uint32_t lapic = lapic_timer_count();
    const uint64_t after = rdtsc();
    if (after - before < best.tsc_gap)
      best = {before + (after - before) / 2, after - before, pit_ns, lapic};
  }
  return best;
}

}  // namespace

void clock_init() {
  lapic_timer_count_down();
  pit_start();
  const ClockReading start = read_clocks();
  while (pit_elapsed_ns() - start.pit_ns < kCalibrationWindowNs) {
  }
  const ClockReading end = read_clocks();
  const uint64_t window_ns = end.pit_ns - start.pit_ns;
  tsc_hz = (end.tsc - start.tsc) * 1'000'000'000 / window_ns;
  lapic_timer_calibrated(uint64_t{start.lapic - end.lapic} * 1'000'000'000 / window_ns);
  // Both fit 64 bits for clocks below 4 GHz (no 128-bit division in a freestanding kernel).
  ns_per_tsc_q32 = (uint64_t{1'000'000'000} << 32) / tsc_hz;
  timer_ticks_per_ns_q32 = (lapic_timer_hz() << 32) / 1'000'000'000;
  tsc_at_boot = start.tsc;
  kernel::log_info("clock: TSC {} kHz, LAPIC timer {} kHz ({} us window, {} TSC ticks of skew)",
                   tsc_hz / 1000, lapic_timer_hz() / 1000, window_ns / 1000,
                   start.tsc_gap + end.tsc_gap);
}

}  // namespace x86

uint64_t now_ns() {
  if (!x86::tsc_hz) return 0;
  const uint64_t delta = x86::rdtsc() - x86::tsc_at_boot;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * x86::ns_per_tsc_q32) >> 32);
}

uint64_t cycles() { return x86::rdtsc(); }

uint64_t cycles_to_ns(uint64_t cycles) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(cycles) * x86::ns_per_tsc_q32) >>
                               32);
}

void timer_set_deadline(uint64_t deadline_ns) {
  if (deadline_ns == UINT64_MAX) {  // nothing to wait for: no interrupt at all
    x86::lapic_timer_stop();
    return;
  }
  const uint64_t now = now_ns();
  const uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
  const auto ticks = static_cast<uint64_t>(
      (static_cast<unsigned __int128>(delta) * x86::timer_ticks_per_ns_q32) >> 32);
  x86::lapic_timer_oneshot(ticks);
}

}  // namespace arch
