// The clocks' calibration (kernel/arch/x86_64/clock.cc) checked against a PIT window 25 times
// as long as the one they were calibrated over: the monotonic clock and a sleep on the LAPIC
// timer's deadline must both agree with the PIT.

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

}  // namespace
}  // namespace kernel
