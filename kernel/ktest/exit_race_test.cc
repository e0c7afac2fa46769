// A process ending while its own syscalls are in flight leaks nothing: tests/user/churn.cc
// runs threads that make objects of every kind without pause while the process exits (from
// its own main thread) or is killed (from here, at a moment the timer picks), over and over;
// afterwards the kernel's objects, heap and free pages are what they were.

#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/pmm.h"
#include "kernel/silo.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr uint64_t kModeExit = 1, kModeKilled = 2;

// One run of churn in mode; `when` is main's spin count (exit) or the delay in microseconds
// before the kill. Returns false if the process did not end as it should.
bool run_once(uint64_t mode, uint64_t when) {
  constexpr uint32_t kLogRights =
      abi::kRightRead | abi::kRightWrite | abi::kRightDuplicate | abi::kRightTransfer;
  Pair control = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {{LogObject::get(), kLogRights},
                                 {control.user_end.get(), abi::kRightsAll},
                                 {&Silo::root(), abi::kRightRead | abi::kRightManage}};
  auto spawned = spawn_from_archive("churn", handles, 3, exit.user_end);
  if (!spawned.ok()) return false;
  Ref<Process> process = spawned.release_value();
  auto m = Message::create(MessageKind::Data, 0, 2 * sizeof(uint64_t));
  KASSERT(m.ok());
  const uint64_t words[2] = {mode, when};
  __builtin_memcpy(m.value()->data, words, sizeof(words));
  {
    SpinlockGuard guard(sched_lock);
    KASSERT(control.kernel_end->send(m.value()).ok());
  }
  if (mode == kModeKilled) {
    sched::sleep_ns(when * 1000);
    SpinlockGuard guard(sched_lock);
    process->terminate(-1, ExitReason::Killed, "killed", 0, 0);
  }
  abi::ProcessExit info{};
  bool ok = wait_exit(exit.kernel_end.get(), &info, 30 * kSecond);
  ok = ok && (mode == kModeExit ? info.reason == abi::ExitReason::Exited && info.code == 0
                                : info.reason == abi::ExitReason::Killed);
  {
    SpinlockGuard guard(sched_lock);
    ok =
        ok &&
        wait_for_signals(process.get(), abi::kSignalTerminated, arch::now_ns() + 30 * kSecond).ok();
  }
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
  return ok;
}

KTEST(manual_exit_races_leak_nothing) {
  (void)LogObject::get();  // lives forever: made before the count
  // A first run of each kind makes whatever the kernel keeps once made (stack slots' page
  // tables, slabs).
  KREQUIRE(run_once(kModeExit, 0) && run_once(kModeKilled, 1000));
  const Usage before = settled_usage(usage());
  constexpr int kRuns = 40;
  int failed = 0;
  for (int i = 0; i < kRuns; ++i) {
    // Spins and delays spread over several scheduler quanta, so the end lands at a different
    // point of the workers' calls each time.
    if (!run_once(kModeExit, static_cast<uint64_t>(i) * 37'000)) ++failed;
    if (!run_once(kModeKilled, 500 + static_cast<uint64_t>(i) * 977)) ++failed;
  }
  KEXPECT(failed == 0);
  const Usage after = settled_usage(before);
  print("ktest:   {} runs: objects {} -> {}, heap allocations {} -> {}, free pages {} -> {}\n",
        2 * kRuns, before.objects, after.objects, before.heap_allocations, after.heap_allocations,
        before.free_pages, after.free_pages);
  KEXPECT(after.objects == before.objects);
  KEXPECT(after.heap_allocations == before.heap_allocations);
  KEXPECT(after.free_pages == before.free_pages);
}

// A handle a spawn moves cannot also be moved by a sibling thread while the spawn runs:
// churn's mode 4 spawns 600 children, each given a channel end its other thread keeps
// trying to send away; both succeeding would leave one handle in two processes.
KTEST(manual_spawn_holds_the_handles_it_moves) {
  constexpr uint64_t kSpawns = 600;
  Pair control = make_pair(), exit = make_pair();
  constexpr uint32_t kLogRights = abi::kRightWrite | abi::kRightDuplicate | abi::kRightTransfer;
  const SpawnHandle handles[] = {{LogObject::get(), kLogRights},
                                 {control.user_end.get(), abi::kRightsAll},
                                 {&Silo::root(), abi::kRightRead | abi::kRightManage}};
  auto spawned = spawn_from_archive("churn", handles, 3, exit.user_end);
  KREQUIRE(spawned.ok());
  Ref<Process> process = spawned.release_value();
  auto m = Message::create(MessageKind::Data, 0, 2 * sizeof(uint64_t));
  KREQUIRE(m.ok());
  const uint64_t words[2] = {4, kSpawns};
  __builtin_memcpy(m.value()->data, words, sizeof(words));
  {
    SpinlockGuard guard(sched_lock);
    KREQUIRE(control.kernel_end->send(m.value()).ok());
  }
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info, 120 * kSecond));
  print("ktest:   {} spawns against a mover: {} handles moved twice\n", kSpawns, info.code);
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
}

}  // namespace
}  // namespace kernel
