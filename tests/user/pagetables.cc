// Page tables under a memory quota. Handles: log, its own silo (kRightRead), and a folio of
// 2 MiB less a page (kRightMap) that the kernel test made outside the silo: each mapping of it
// and its guard page take exactly 2 MiB of address space, so each lands in a 2 MiB region of
// its own, and only the page tables it needs are charged to this silo.
//   1. A ballast folio leaves kHeadroomPages of quota.
//   2. kWalkRounds map/unmap rounds: every mapping in a new 2 MiB region, the walk crossing
//      several 1 GiB regions. Each must succeed: the tables an unmap empties are freed (kept,
//      they would use up the headroom within a few rounds), and the silo's memory is back
//      where it was after the walk.
//   3. Mappings held until one fails: it must fail with kErrQuotaExceeded, within the
//      headroom, before the 32 regions of an address space run out.
//   4. Everything unmapped: the silo's memory is back again.
// Exits 0 when every check passed, else the number of the failed check.
#include "user_test.h"

using namespace test;

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kHeadroomPages = 8;
constexpr int kWalkRounds = 1600;  // 3.2 GiB of address space
constexpr int kMaxHeld = 32;

abi::Handle silo;
abi::Handle big;

abi::SiloStats stats() {
  abi::SiloStats s{};
  sys::silo_stats(silo, &s);
  return s;
}

uint64_t used() { return stats().memory_bytes; }

// Faults in the stack pages the checks will use, so no charge happens between measurements.
[[gnu::noinline]] void prefault_stack() {
  volatile uint8_t deep[8 * kPage];
  for (uint64_t i = 0; i < sizeof(deep); i += 512) deep[i] = 1;
}

// Takes all of the quota but kHeadroomPages.
int64_t add_ballast() {
  const abi::SiloStats s = stats();
  const uint64_t limit = s.limits.memory_pages * kPage;
  if (limit < s.memory_bytes + (kHeadroomPages + 16) * kPage) return -1;
  // The folio's own bookkeeping is charged too: leave room for it, then close the gap.
  const int64_t h = sys::folio_create(limit - s.memory_bytes - (kHeadroomPages + 4) * kPage);
  if (h < 0) return -1;
  return h;
}

int64_t walk() {
  const uint64_t before = used();
  uint64_t last_region = 0, last_gib = 0;
  int gibs = 0;
  for (int i = 0; i < kWalkRounds; ++i) {
    uint64_t at = 0;
    if (sys::folio_map(big, false, &at) != 0) return 20;
    if (at >> 21 == last_region) return 21;  // not a new 2 MiB region
    last_region = at >> 21;
    if (at >> 30 != last_gib) ++gibs;
    last_gib = at >> 30;
    if (sys::folio_unmap(at) != 0) return 22;
  }
  if (gibs < 3) return 23;
  if (used() != before) return 24;
  return 0;
}

int64_t hold() {
  const uint64_t before = used();
  uint64_t held[kMaxHeld];
  int count = 0;
  int64_t r = 0;
  while (count < kMaxHeld && (r = sys::folio_map(big, false, &held[count])) == 0) ++count;
  if (r != abi::kErrQuotaExceeded) return 30;
  if (count == 0 || count >= kMaxHeld) return 31;
  const abi::SiloStats s = stats();
  if (s.memory_bytes > s.limits.memory_pages * kPage || s.memory_bytes <= before) return 32;
  for (int i = 0; i < count; ++i)
    if (sys::folio_unmap(held[i]) != 0) return 33;
  if (used() != before) return 34;
  return 0;
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  silo = startup.handles[1];
  big = startup.handles[2];
  prefault_stack();
  if (add_ballast() < 0) return 2;
  if (const int64_t r = walk()) return r;
  if (const int64_t r = hold()) return r;
  return 0;
}
