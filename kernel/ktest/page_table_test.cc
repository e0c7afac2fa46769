// Page tables of user address spaces: charged to the address space's silo, freed the moment
// an unmap empties them, and refused at the quota with nothing left behind.

#include "kernel/address_space.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/pmm.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr uint64_t kPage = arch::kPageSize;
// A mapping of it and its guard page take 2 MiB: each lands in a 2 MiB region of its own.
constexpr size_t kStrideFolioSize = (size_t{2} << 20) - kPage;

Ref<Silo> make_silo(const SiloLimits& limits) {
  auto created = Silo::create(Silo::root(), limits);
  KASSERT(created.ok());
  return Ref<Silo>::adopt(created.value());
}

Ref<Folio> make_folio(size_t size) {
  auto created = Folio::create(size);
  KASSERT(created.ok());
  return Ref<Folio>::adopt(created.value());
}

KTEST(address_space_tables_freed_when_empty) {
  Ref<Silo> silo = make_silo({64, 0, 0});
  Ref<Folio> folio = make_folio(kStrideFolioSize);
  auto created = AddressSpace::create(silo);
  KREQUIRE(created.ok());
  AddressSpace* as = created.value();
  KEXPECT(silo->stats().memory_bytes == kPage);  // the root table
  // 600 rounds walk 1.2 GiB: a new page table each round, a new directory at each GiB.
  bool all_mapped = true, all_freed = true;
  size_t most_tables = 0;
  for (int i = 0; i < 600; ++i) {
    SpinlockGuard guard(sched_lock);
    auto at = as->map_folio(folio.get(), 0);
    all_mapped = all_mapped && at.ok();
    if (!at.ok()) break;
    if (as->table_pages() > most_tables) most_tables = as->table_pages();
    all_freed = all_freed && as->unmap_folio(at.value()).ok() && as->table_pages() == 0;
  }
  KEXPECT(all_mapped && all_freed);
  KEXPECT(most_tables >= 3 && most_tables <= 5);  // PDPT, PD, one or two PTs
  KEXPECT(silo->stats().memory_bytes == kPage);
  drop(folio);
  as->release();
  KEXPECT(silo->stats().memory_bytes == 0);
  drop(silo);
}

KTEST(address_space_tables_refused_at_the_quota) {
  // Room for the root and two tables: a first mapping needs three (PDPT, PD, PT).
  Ref<Silo> silo = make_silo({3, 0, 0});
  Ref<Folio> folio = make_folio(kPage);
  auto created = AddressSpace::create(silo);
  KREQUIRE(created.ok());
  AddressSpace* as = created.value();
  {
    SpinlockGuard guard(sched_lock);
    auto at = as->map_folio(folio.get(), 0);
    KEXPECT(!at.ok() && at.error() == lib::Error::QuotaExceeded);
  }
  // The two tables made for the attempt went back.
  KEXPECT(as->table_pages() == 0);
  KEXPECT(silo->stats().memory_bytes == kPage);
  KEXPECT(silo->set_limits({4, 0, 0}).ok());
  {
    SpinlockGuard guard(sched_lock);
    auto at = as->map_folio(folio.get(), 0);
    KEXPECT(at.ok() && as->table_pages() == 3);
    if (at.ok()) KEXPECT(as->unmap_folio(at.value()).ok());
  }
  KEXPECT(as->table_pages() == 0 && silo->stats().memory_bytes == kPage);
  as->release();
  KEXPECT(silo->stats().memory_bytes == 0);
  // An address space with no room for its root is refused.
  KEXPECT(silo->set_limits({1, 0, 0}).ok());
  KEXPECT(silo->charge_memory(kPage).ok());
  auto refused = AddressSpace::create(silo);
  KEXPECT(!refused.ok() && refused.error() == lib::Error::QuotaExceeded);
  silo->uncharge_memory(kPage);
  drop(folio, silo);
}

// tests/user/pagetables.cc in a silo of 128 pages: map/unmap rounds across 2 MiB and 1 GiB
// regions, then mappings held until the quota refuses one.
bool run_pagetables() {
  Ref<Silo> silo = make_silo({128, 0, 0});
  Ref<Folio> folio = make_folio(kStrideFolioSize);  // charged to the root, not to the silo
  Pair exit = make_pair();
  const SpawnHandle handles[] = {
      log_handle(), {silo.get(), abi::kRightRead}, {folio.get(), abi::kRightMap}};
  auto p = spawn_from_archive("pagetables", handles, 3, exit.user_end, silo);
  KASSERT(p.ok());
  abi::ProcessExit info{};
  const bool ended = wait_exit(exit.kernel_end.get(), &info, 120 * kSecond);
  if (ended && info.code) {
    print("ktest:   pagetables: reason {} code {} ({})\n", static_cast<int>(info.reason), info.code,
          info.detail);
  }
  Ref<Process> process = p.release_value();
  drop(process, exit.kernel_end, exit.user_end, folio);
  SiloStats after{};
  for (int spin = 0; spin < 1000; ++spin) {
    after = silo->stats();
    if (after.memory_bytes == 0 && after.threads == 0 && after.processes == 0) break;
    sched::sleep_ns(1'000'000);
  }
  drop(silo);
  const bool passed = ended && info.reason == abi::ExitReason::Exited && info.code == 0;
  return passed && after.memory_bytes == 0 && after.quota_failures >= 1 &&
         after.memory_peak_bytes <= 128 * Silo::kPageBytes;
}

// Twice: the first run may leave lasting kernel structures (heap slabs, page tables of new
// kernel stack slots); the second must give back exactly what it took.
KTEST(user_page_tables_within_the_quota) {
  size_t pages_before = 0;
  uint64_t heap_before = 0;
  for (int round = 0; round < 2; ++round) {
    sched::sleep_ns(10'000'000);  // let earlier exited threads be reaped first
    pages_before = pmm::free_page_count();
    heap_before = heap::stats().live_allocations;
    KEXPECT(run_pagetables());
  }
  for (int spin = 0; spin < 100 && pmm::free_page_count() != pages_before; ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(heap::stats().live_allocations == heap_before);
  KEXPECT(pmm::free_page_count() == pages_before);
}

}  // namespace
}  // namespace kernel
