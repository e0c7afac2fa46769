// The clocks' calibration (kernel/arch/x86_64/clock.cc) checked against a PIT window 25 times
// as long as the one they were calibrated over: the monotonic clock and a sleep on the LAPIC
// timer's deadline must both agree with the PIT; and the choice of calibration windows, fed
// windows that a pause of the host spoiled.

#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch.h"
#include "kernel/arch/x86_64/platform.h"
#include "kernel/ktest/ktest.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

constexpr uint64_t kWindowNs = 50'000'000;  // the PIT wraps every 55 ms: it is polled throughout
// A window the host interrupted between two reads of one pair is off by the pause; of three
// windows, the best must agree to 0.5% (a calibration error shows in all three).
constexpr int kTries = 3;
constexpr uint64_t kTolerancePerMille = 5;

// |a - b| in thousandths of b.
uint64_t per_mille_apart(uint64_t a, uint64_t b) { return (a > b ? a - b : b - a) * 1000 / b; }

KTEST(clock_monotonic_agrees_with_the_pit) {
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < kTries; ++i) {
    const arch::IrqState irqs = arch::irq_save();
    arch::x86::pit_start();
    const uint64_t start = arch::now_ns();
    uint64_t pit_ns = 0;
    while ((pit_ns = arch::x86::pit_elapsed_ns()) < kWindowNs) {
    }
    const uint64_t clock_ns = arch::now_ns() - start;
    arch::irq_restore(irqs);
    print("ktest:   {} us of PIT time, {} us of the monotonic clock\n", pit_ns / 1000,
          clock_ns / 1000);
    const uint64_t apart = per_mille_apart(clock_ns, pit_ns);
    if (apart < best) best = apart;
  }
  KEXPECT(best <= kTolerancePerMille);
}

KTEST(clock_timer_deadline_agrees_with_the_pit) {
  // 10 ms: the PIT's counter wraps every 55 ms, so a wakeup up to 45 ms late still reads true.
  constexpr uint64_t kSleepNs = 10'000'000;
  uint64_t best = UINT64_MAX;
  bool early = false;
  for (int i = 0; i < kTries; ++i) {
    arch::x86::pit_start();
    sched::sleep_ns(kSleepNs);  // woken by the LAPIC timer, at a deadline on the TSC
    const uint64_t pit_ns = arch::x86::pit_elapsed_ns();
    print("ktest:   a {} us sleep took {} us of PIT time\n", kSleepNs / 1000, pit_ns / 1000);
    early |= pit_ns < kSleepNs - kSleepNs * kTolerancePerMille / 1000;
    const uint64_t apart = per_mille_apart(pit_ns, kSleepNs);
    if (apart < best) best = apart;
  }
  // Never early, and late by at most half: the suite runs this under QEMU's -icount
  // (qemu_run --virtual-time), where a halted CPU's wakeup comes milliseconds late (13.6 ms
  // for 10 seen on q35); a timer calibrated at half or twice its rate still fails.
  KEXPECT(best <= 500 && !early);
}

// Windows of 298 PIT ticks with a 3 GHz TSC and QEMU's 62.5 MHz LAPIC timer, their ends
// polled 500 TSC ticks apart and no poll longer than 20,000 (QEMU's own hiccups).
constexpr uint64_t kTscHz = 3'000'000'000;
constexpr uint64_t kLapicHz = 62'500'000;
constexpr arch::x86::CalibrationWindow kCleanWindow{
    298 * kTscHz / arch::x86::kPitHz, 298, 298 * kLapicHz / arch::x86::kPitHz, 500, 20'000};

bool rates_are_right(const arch::x86::CalibratedRates& rates) {
  print("ktest:   TSC {} Hz, LAPIC timer {} Hz from {} windows\n", rates.tsc_hz, rates.lapic_hz,
        rates.windows_used);
  return per_mille_apart(rates.tsc_hz, kTscHz) <= 1 &&
         per_mille_apart(rates.lapic_hz, kLapicHz) <= 1;
}

KTEST(clock_calibration_drops_the_windows_a_host_pause_spoiled) {
  arch::x86::CalibrationWindow windows[8];
  for (auto& w : windows) w = kCleanWindow;
  // QEMU descheduled for 60 ms between two polls: the PIT wrapped once unseen.
  constexpr uint64_t kPauseTsc = 60 * kTscHz / 1000;
  windows[1].tsc += kPauseTsc;
  windows[1].pit += (60 * arch::x86::kPitHz / 1000) % 65536;
  windows[1].lapic += 60 * kLapicHz / 1000;
  windows[1].worst_gap = kPauseTsc;
  // Descheduled for 100 us between the polls around the window's last PIT tick.
  windows[4].tsc += kTscHz / 10'000;
  windows[4].edge_gap = kTscHz / 10'000;
  windows[4].worst_gap = kTscHz / 10'000;
  // Skewed by 2% though its polls look regular.
  windows[6].tsc += windows[6].tsc / 50;
  const auto rates = arch::x86::rates_from_windows(windows, 8);
  KEXPECT(rates_are_right(rates));
  KEXPECT(rates.windows_used == 5);
}

KTEST(clock_calibration_holds_with_one_clean_window) {
  arch::x86::CalibrationWindow windows[8];
  for (int i = 0; i < 8; ++i) {  // every window but the sixth paused for i + 1 ms at an end
    windows[i] = kCleanWindow;
    if (i == 5) continue;
    windows[i].tsc += (i + 1) * kTscHz / 1000;
    windows[i].edge_gap = windows[i].worst_gap = (i + 1) * kTscHz / 1000;
  }
  const auto rates = arch::x86::rates_from_windows(windows, 8);
  KEXPECT(rates_are_right(rates));
  KEXPECT(rates.windows_used == 1);
}

KTEST(clock_calibration_reads_at_most_its_capacity_of_windows) {
  constexpr int kMax = arch::x86::kMaxCalibrationWindows;
  arch::x86::CalibrationWindow windows[2 * kMax + 1];
  // Past the capacity, more windows at twice the rate than there are before it: counted, they
  // would move the median there.
  for (int i = 0; i < 2 * kMax + 1; ++i) {
    windows[i] = kCleanWindow;
    if (i >= kMax) windows[i].tsc *= 2;
  }
  const auto at = arch::x86::rates_from_windows(windows, kMax);
  KEXPECT(rates_are_right(at));
  KEXPECT(at.windows_used == kMax);
  const auto beyond = arch::x86::rates_from_windows(windows, 2 * kMax + 1);
  KEXPECT(rates_are_right(beyond));
  KEXPECT(beyond.windows_used == kMax);
  // No window with a PIT tick: no rate rather than a division by zero.
  const arch::x86::CalibrationWindow empty{1000, 0, 0, 10, 10};
  KEXPECT(arch::x86::rates_from_windows(&empty, 1).windows_used == 0);
}

}  // namespace
}  // namespace kernel
