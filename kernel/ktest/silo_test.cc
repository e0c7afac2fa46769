// Silos: charges go up the tree all or nothing, limits are checked against the parent, and
// user processes in a silo (tests/user/quota.cc) are held to its quotas and give everything
// back when they end.

#include <stellina/process.h>

#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/pmm.h"
#include "kernel/silo.h"
#include "kernel/spawn.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

Ref<Silo> make_silo(Silo& parent, const SiloLimits& limits) {
  auto created = Silo::create(parent, limits);
  KASSERT(created.ok());
  return Ref<Silo>::adopt(created.value());
}

bool refused(const lib::Result<Silo*>& r, lib::Error e) { return !r.ok() && r.error() == e; }

KTEST(silo_charges_go_up_the_tree_all_or_nothing) {
  Silo& root = Silo::root();
  const SiloStats root_before = root.stats();
  Ref<Silo> parent = make_silo(root, {16, 4, 50});
  // A child may not exceed its parent where the parent has a limit.
  KEXPECT(refused(Silo::create(*parent, {17, 4, 50}), lib::Error::InvalidArgument));
  KEXPECT(refused(Silo::create(*parent, {0, 4, 50}), lib::Error::InvalidArgument));
  KEXPECT(refused(Silo::create(*parent, {8, 5, 50}), lib::Error::InvalidArgument));
  KEXPECT(refused(Silo::create(*parent, {8, 0, 50}), lib::Error::InvalidArgument));
  KEXPECT(refused(Silo::create(*parent, {8, 4, 0}), lib::Error::InvalidArgument));
  KEXPECT(refused(Silo::create(*parent, {8, 4, 51}), lib::Error::InvalidArgument));
  KEXPECT(refused(Silo::create(root, {8, 4, 101}), lib::Error::InvalidArgument));
  Ref<Silo> child = make_silo(*parent, {8, 4, 25});
  KEXPECT(child->parent() == parent.get() && parent->parent() == &root);

  constexpr size_t kPage = Silo::kPageBytes;
  KEXPECT(child->charge_memory(8 * kPage).ok());
  KEXPECT(child->stats().memory_bytes == 8 * kPage && parent->stats().memory_bytes == 8 * kPage);
  KEXPECT(root.stats().memory_bytes == root_before.memory_bytes + 8 * kPage);
  // The child is full: refused, and nothing is charged anywhere.
  KEXPECT(child->charge_memory(1).error() == lib::Error::QuotaExceeded);
  KEXPECT(child->stats().quota_failures == 1 && parent->stats().quota_failures == 0);
  KEXPECT(parent->stats().memory_bytes == 8 * kPage);
  // The parent fills up: the child has room of its own but its parent refuses.
  KEXPECT(parent->charge_memory(8 * kPage).ok());
  child->uncharge_memory(kPage);
  KEXPECT(parent->charge_memory(kPage).ok());
  KEXPECT(child->charge_memory(kPage).error() == lib::Error::QuotaExceeded);
  KEXPECT(child->stats().memory_bytes == 7 * kPage && parent->stats().memory_bytes == 16 * kPage);
  KEXPECT(parent->stats().quota_failures == 1 && child->stats().quota_failures == 1);

  // Threads, the same way.
  for (int i = 0; i < 4; ++i) KEXPECT(child->charge_thread().ok());
  KEXPECT(child->charge_thread().error() == lib::Error::QuotaExceeded);
  KEXPECT(parent->charge_thread().error() == lib::Error::QuotaExceeded);
  child->uncharge_thread();
  KEXPECT(parent->charge_thread().ok());
  KEXPECT(child->stats().threads == 3 && parent->stats().threads == 4);
  KEXPECT(child->stats().threads_peak == 4 && parent->stats().threads_peak == 4);

  // Limits below the usage only refuse new charges; above the parent's are refused.
  KEXPECT(parent->set_limits({1, 1, 10}).ok());
  KEXPECT(parent->stats().memory_bytes == 16 * kPage);
  KEXPECT(parent->charge_memory(1).error() == lib::Error::QuotaExceeded);
  KEXPECT(child->set_limits({2, 1, 10}).error() == lib::Error::InvalidArgument);
  KEXPECT(child->set_limits({1, 1, 11}).error() == lib::Error::InvalidArgument);
  KEXPECT(child->set_limits({1, 1, 10}).ok());
  KEXPECT(child->stats().limits.memory_pages == 1 && child->stats().limits.cpu_percent == 10);

  // Give everything back.
  child->uncharge_memory(7 * kPage);
  parent->uncharge_memory(9 * kPage);
  for (int i = 0; i < 3; ++i) child->uncharge_thread();
  parent->uncharge_thread();
  const SiloStats p = parent->stats();
  KEXPECT(p.memory_bytes == 0 && p.threads == 0 && p.memory_peak_bytes == 16 * kPage);
  KEXPECT(root.stats().memory_bytes == root_before.memory_bytes);

  // Depth: kMaxSiloDepth silos below the root, no more.
  Ref<Silo> chain[stellina::abi::kMaxSiloDepth];
  chain[0] = make_silo(root, {});
  for (uint32_t i = 1; i < stellina::abi::kMaxSiloDepth; ++i)
    chain[i] = make_silo(*chain[i - 1], {});
  KEXPECT(
      refused(Silo::create(*chain[stellina::abi::kMaxSiloDepth - 1], {}), lib::Error::NoResources));
  SpinlockGuard guard(sched_lock);
  for (uint32_t i = stellina::abi::kMaxSiloDepth; i-- > 0;) chain[i] = Ref<Silo>();
  child = Ref<Silo>();
  parent = Ref<Silo>();
}

// What run_quota saw.
struct QuotaRun {
  bool ended = false;
  abi::ProcessExit info{};
  SiloStats after{};  // once the process was gone
};

// Runs tests/user/quota.cc in mode, in a new silo below the root with limits, holding a
// handle to that silo with silo_rights. Waits for its end and for its silo to be empty.
QuotaRun run_quota(uint64_t mode, const SiloLimits& limits, uint32_t silo_rights) {
  QuotaRun run;
  Ref<Silo> silo = make_silo(Silo::root(), limits);
  Pair control = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {
      log_handle(), {control.user_end.get(), abi::kRightsAll}, {silo.get(), silo_rights}};
  auto p = spawn_from_archive("quota", handles, 3, exit.user_end, silo);
  if (!p.ok()) {
    drop(silo, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
    return run;
  }
  send_u64(control.kernel_end.get(), mode);
  run.ended = wait_exit(exit.kernel_end.get(), &run.info);
  if (run.ended && run.info.code) {
    print("ktest:   quota mode {}: reason {} code {} ({})\n", mode,
          static_cast<int>(run.info.reason), run.info.code, run.info.detail);
  }
  Ref<Process> process = p.release_value();
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
  // Killed threads end on their way out, a moment later.
  for (int spin = 0; spin < 1000; ++spin) {
    run.after = silo->stats();
    if (run.after.memory_bytes == 0 && run.after.threads == 0 && run.after.processes == 0) break;
    sched::sleep_ns(1'000'000);
  }
  drop(silo);
  return run;
}

bool silo_empty(const QuotaRun& run) {
  if (run.after.memory_bytes || run.after.threads || run.after.processes) {
    print("ktest:   silo left with {} bytes, {} threads, {} processes\n", run.after.memory_bytes,
          run.after.threads, run.after.processes);
    return false;
  }
  return true;
}

bool exited_cleanly(const QuotaRun& run) {
  return run.ended && run.info.reason == abi::ExitReason::Exited && run.info.code == 0;
}

bool same_text(const char* a, const char* b) {
  size_t i = 0;
  while (a[i] && a[i] == b[i]) ++i;
  return a[i] == b[i];
}

bool killed_for_quota(const QuotaRun& run) {
  return run.ended && run.info.reason == abi::ExitReason::QuotaExceeded &&
         same_text(run.info.detail, "memory quota");
}

constexpr uint32_t kReadOnly = abi::kRightRead;

KTEST(user_silo_api) {
  const QuotaRun run = run_quota(1, {256, 4, 50}, abi::kRightsAll);
  KEXPECT(exited_cleanly(run));
  KEXPECT(silo_empty(run));
}

KTEST(user_silo_memory_quota) {
  const QuotaRun run = run_quota(2, {96, 0, 0}, kReadOnly);
  KEXPECT(exited_cleanly(run));
  KEXPECT(silo_empty(run));
  KEXPECT(run.after.quota_failures == 5);  // folio, timers, polls, channels, messages
  KEXPECT(run.after.memory_peak_bytes <= 96 * Silo::kPageBytes);
  KEXPECT(run.after.memory_peak_bytes > 90 * Silo::kPageBytes);
}

KTEST(user_silo_thread_quota) {
  const QuotaRun run = run_quota(3, {128, 4, 0}, kReadOnly);
  KEXPECT(exited_cleanly(run));
  KEXPECT(silo_empty(run));
  KEXPECT(run.after.threads_peak == 4 && run.after.quota_failures == 1);
}

KTEST(user_silo_kills_process_touching_pages_over_quota) {
  const QuotaRun run = run_quota(4, {64, 0, 0}, kReadOnly);
  KEXPECT(killed_for_quota(run));
  KEXPECT(run.info.code == -1 && run.info.address != 0);
  KEXPECT(silo_empty(run));
  KEXPECT(run.after.quota_failures == 1 && run.after.memory_peak_bytes <= 64 * Silo::kPageBytes);
  // The rest of the system carries on.
  Pair exit = make_pair();
  const SpawnHandle handles[] = {log_handle()};
  auto p = spawn_from_archive("hello", handles, 1, exit.user_end);
  KREQUIRE(p.ok());
  abi::ProcessExit info{};
  KEXPECT(wait_exit(exit.kernel_end.get(), &info) && info.reason == abi::ExitReason::Exited);
  Ref<Process> process = p.release_value();
  drop(process, exit.kernel_end, exit.user_end);
}

KTEST(user_silo_kills_process_when_a_kernel_copy_is_over_quota) {
  const QuotaRun run = run_quota(5, {64, 0, 0}, kReadOnly);
  KEXPECT(killed_for_quota(run));
  KEXPECT(silo_empty(run));
}

KTEST(user_silo_refuses_spawn_over_quota) {
  Ref<Silo> silo = make_silo(Silo::root(), {2, 0, 0});
  Pair exit = make_pair();
  const SpawnHandle handles[] = {log_handle()};
  auto p = spawn_from_archive("hello", handles, 1, exit.user_end, silo);
  KEXPECT(!p.ok() && p.error() == lib::Error::QuotaExceeded);
  const SiloStats after = silo->stats();
  KEXPECT(after.memory_bytes == 0 && after.threads == 0 && after.processes == 0);
  drop(silo, exit.kernel_end, exit.user_end);
}

// Every mode twice: the first round may leave lasting kernel structures (page tables for new
// stack slots); the second must give back exactly what it took.
KTEST(user_silo_gives_everything_back) {
  size_t pages_before = 0;
  uint64_t heap_before = 0;
  size_t threads_before = 0;
  for (int round = 0; round < 2; ++round) {
    sched::sleep_ns(10'000'000);  // let earlier exited threads be reaped first
    pages_before = pmm::free_page_count();
    heap_before = heap::stats().live_allocations;
    threads_before = Thread::count();
    KEXPECT(exited_cleanly(run_quota(1, {256, 4, 50}, abi::kRightsAll)));
    KEXPECT(exited_cleanly(run_quota(2, {96, 0, 0}, kReadOnly)));
    KEXPECT(exited_cleanly(run_quota(3, {128, 4, 0}, kReadOnly)));
    KEXPECT(killed_for_quota(run_quota(4, {64, 0, 0}, kReadOnly)));
    KEXPECT(killed_for_quota(run_quota(5, {64, 0, 0}, kReadOnly)));
  }
  for (int spin = 0; spin < 100 && Thread::count() != threads_before; ++spin)
    sched::sleep_ns(1'000'000);
  const uint64_t heap_after = heap::stats().live_allocations;
  if (heap_after != heap_before || pmm::free_page_count() != pages_before) {
    print("ktest:   heap allocations {} -> {}, free pages {} -> {}\n", heap_before, heap_after,
          pages_before, pmm::free_page_count());
  }
  KEXPECT(Thread::count() == threads_before);
  KEXPECT(heap_after == heap_before);
  KEXPECT(pmm::free_page_count() == pages_before);
}

}  // namespace
}  // namespace kernel
