// Time: the TSC is the monotonic clock and the LAPIC timer raises the deadline interrupt;
// both are calibrated against the PIT, which every PC-compatible machine (q35, microvm) has.

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

void clock_init() {
  const uint64_t tsc_start = rdtsc();
  lapic_timer_calibrate();  // measures its own ~10 ms window with the PIT
  const uint64_t window_ns = pit_elapsed_ns();
  const uint64_t tsc_end = rdtsc();
  tsc_hz = (tsc_end - tsc_start) * 1'000'000'000 / window_ns;
  // Both fit 64 bits for clocks below 4 GHz (no 128-bit division in a freestanding kernel).
  ns_per_tsc_q32 = (uint64_t{1'000'000'000} << 32) / tsc_hz;
  timer_ticks_per_ns_q32 = (lapic_timer_hz() << 32) / 1'000'000'000;
  tsc_at_boot = tsc_start;
  kernel::log_info("clock: TSC {} MHz, LAPIC timer {} kHz", tsc_hz / 1'000'000,
                   lapic_timer_hz() / 1000);
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
