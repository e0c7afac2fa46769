// The silo CPU share: busy kernel threads in capped silos get their cpu_percent of the CPU and
// no more, with competition and without; threads outside a capped silo are not slowed down.

#include "kernel/arch.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/silo.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr int kMaxSpinners = 3;
constexpr uint64_t kTolerancePercent = 7;

volatile bool stop_spinning = false;

// A thread that never blocks or yields: only the timer takes the CPU away from it.
void spin(void*) {
  while (!stop_spinning) {
  }
}

// What one silo used during a run.
struct Share {
  uint64_t percent;  // of the measured window
  uint64_t throttled_periods;
};

bool owes(Ref<Silo>* silos, int count) {
  for (int i = 0; i < count; ++i) {
    if (silos[i]->stats().cpu_owed_ns > 0) return true;
  }
  return false;
}

// Runs one busy thread in each of silos[0..count) (each in a process of its own, as a kernel
// component would) for about window_ns; returns what each of measured[0..count) used.
void run_spinners(Ref<Silo>* silos, int count, Ref<Silo>* measured, Share* shares,
                  uint64_t window_ns) {
  KASSERT(count <= kMaxSpinners);
  Ref<Process> processes[kMaxSpinners];
  Thread* threads[kMaxSpinners] = {};
  SiloStats before[kMaxSpinners];
  stop_spinning = false;
  for (int i = 0; i < count; ++i) {
    auto p = Process::create_in_kernel("spinner", {}, silos[i]);
    KASSERT(p.ok());
    processes[i] = Ref<Process>::adopt(p.value());
    auto t = Thread::create_in_process(processes[i].get(), spin, nullptr);
    KASSERT(t.ok());
    threads[i] = t.value();
  }
  // Start at the beginning of a period, so the window holds whole periods (but for the
  // wake-up latencies at its ends) and the share is not off by a part-period's budget.
  const uint64_t now = arch::now_ns();
  sched::sleep_ns(Silo::kCpuPeriodNs - now % Silo::kCpuPeriodNs);
  for (int i = 0; i < count; ++i) before[i] = measured[i]->stats();
  const uint64_t start = arch::now_ns();
  for (int i = 0; i < count; ++i) threads[i]->start();
  sched::sleep_ns(window_ns);
  // A capped silo whose timer came late (a busy host stalls the emulated machine for tens of
  // milliseconds) owes the excess to the next periods: the window ends once every measured
  // silo has paid back what it owes (within a second), so the share is what the cap allows
  // over time.
  for (int waited = 0; waited < 100 && owes(measured, count); ++waited) sched::sleep_ns(10'000'000);
  // This thread runs now, so every spinner's time so far is charged.
  const uint64_t window = arch::now_ns() - start;
  for (int i = 0; i < count; ++i) {
    const SiloStats after = measured[i]->stats();
    shares[i].percent = (after.cpu_ns - before[i].cpu_ns) * 100 / window;
    shares[i].throttled_periods = after.cpu_throttled_periods - before[i].cpu_throttled_periods;
    print("ktest:   silo {} (cap {}%): {}% of {} ms, throttled in {} periods\n", i,
          after.limits.cpu_percent, shares[i].percent, window / 1'000'000,
          shares[i].throttled_periods);
  }
  stop_spinning = true;
  for (int i = 0; i < count; ++i) threads[i]->join();  // throttled ones end next period
  for (int i = 0; i < count; ++i) drop(processes[i]);
}

bool near(uint64_t percent, uint64_t expected) {
  return percent + kTolerancePercent >= expected && percent <= expected + kTolerancePercent;
}

Ref<Silo> make_silo(Silo& parent, uint32_t cpu_percent) {
  auto created = Silo::create(parent, {0, 0, cpu_percent});
  KASSERT(created.ok());
  return Ref<Silo>::adopt(created.value());
}

KTEST(silo_cpu_share_holds_against_competition) {
  KTEST_ONE_CPU_ONLY();
  Ref<Silo> silos[2] = {make_silo(Silo::root(), 25), make_silo(Silo::root(), 0)};
  Share shares[2];
  run_spinners(silos, 2, silos, shares, 1'000'000'000);
  KEXPECT(near(shares[0].percent, 25));
  KEXPECT(near(shares[1].percent, 75));
  KEXPECT(shares[0].throttled_periods >= 8 && shares[1].throttled_periods == 0);
  drop(silos[0], silos[1]);
}

KTEST(silo_cpu_share_is_a_ceiling_and_no_cap_is_not_slowed) {
  KTEST_ONE_CPU_ONLY();
  // Alone, a capped silo still gets only its share: the CPU idles for the rest.
  Ref<Silo> capped = make_silo(Silo::root(), 25);
  Share share;
  run_spinners(&capped, 1, &capped, &share, 1'000'000'000);
  KEXPECT(near(share.percent, 25));
  // Alone and uncapped: (nearly) all of it.
  Ref<Silo> uncapped = make_silo(Silo::root(), 0);
  run_spinners(&uncapped, 1, &uncapped, &share, 300'000'000);
  KEXPECT(share.percent >= 95 && share.throttled_periods == 0);
  drop(capped, uncapped);
}

KTEST(silo_cpu_share_of_a_parent_holds_its_children) {
  KTEST_ONE_CPU_ONLY();
  // Each child may have 40%, but together they are held to their parent's 40%.
  Ref<Silo> parent = make_silo(Silo::root(), 40);
  Ref<Silo> silos[3] = {make_silo(*parent, 40), make_silo(*parent, 40), make_silo(Silo::root(), 0)};
  Ref<Silo> measured[3] = {parent, silos[2], silos[0]};
  Share shares[3];
  run_spinners(silos, 3, measured, shares, 1'000'000'000);
  KEXPECT(near(shares[0].percent, 40));
  KEXPECT(near(shares[1].percent, 60));
  KEXPECT(near(shares[2].percent, 20));
  drop(silos[0], silos[1], silos[2], measured[0], measured[1], measured[2], parent);
}

}  // namespace
}  // namespace kernel
