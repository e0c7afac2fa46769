#pragma once
// The clocks' calibration (clock.cc): how the rates are drawn from the PIT windows measured at
// boot, declared apart so that kernel/ktest/clock_test.cc can feed it windows a host pause
// spoiled.

#include <cstdint>

namespace arch::x86 {

constexpr uint64_t kPitHz = 1193182;
// The most windows a calibration measures (at 250 us each, 4 ms at worst).
constexpr int kMaxCalibrationWindows = 16;

// One calibration window: the three clocks read at both ends, each end just after a PIT tick.
struct CalibrationWindow {
  uint64_t tsc;        // TSC ticks from the start to the end
  uint64_t pit;        // PIT ticks over the same span, as polled (a pause of 55 ms loses a wrap)
  uint64_t lapic;      // LAPIC timer ticks over it
  uint64_t edge_gap;   // TSC ticks between the polls around the start's or the end's PIT tick
  uint64_t worst_gap;  // the longest stretch of TSC ticks between two consecutive polls
};

struct CalibratedRates {
  uint64_t tsc_hz;
  uint64_t lapic_hz;
  int windows_used;  // windows that no host pause touched; the rates come from them alone
};

// The rates over the windows a pause of the host did not spoil, summed (count is at most
// kMaxCalibrationWindows; more are ignored). A window is dropped if the polls around either
// of its ends lie more than 1/256 of it apart (the end is that uncertain), if one pause took a
// quarter of it (a pause long enough to wrap the PIT takes nearly all of its window), and then
// if its TSC rate is off the median of the rest by more than 0.5%. A pause in the middle of a
// window that does not wrap the PIT moves both clocks alike and is harmless.
CalibratedRates rates_from_windows(const CalibrationWindow* windows, int count);

}  // namespace arch::x86
