#include <lib/buddy.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "arena.h"

namespace {

using lib::BuddyAllocator;
using lib::Error;
using test::BuddyFixture;
using test::kPage;
using test::kPhysBase;

constexpr unsigned kMaxOrder = BuddyAllocator::kMaxOrder;

uintptr_t page(size_t index) { return kPhysBase + index * kPage; }
size_t index_of(uintptr_t phys) { return (phys - kPhysBase) / kPage; }

uintptr_t must_alloc(BuddyAllocator& b, unsigned order) {
  auto r = b.alloc(order);
  EXPECT_TRUE(r.ok()) << "order " << order;
  return r.ok() ? r.value() : 0;
}

// Allocates single pages until the allocator runs dry; the result is every free page.
std::set<size_t> drain(BuddyAllocator& b) {
  std::set<size_t> pages;
  const size_t expected = b.free_pages();
  for (;;) {
    auto r = b.alloc(0);
    if (!r.ok()) {
      EXPECT_EQ(r.error(), Error::NoMemory);
      break;
    }
    EXPECT_TRUE(pages.insert(index_of(r.value())).second) << "page handed out twice";
  }
  EXPECT_EQ(pages.size(), expected);
  EXPECT_EQ(b.free_pages(), 0u);
  return pages;
}

void free_all(BuddyAllocator& b, const std::set<size_t>& pages) {
  for (size_t p : pages) EXPECT_TRUE(b.free(page(p)).ok());
}

std::set<size_t> range(size_t begin, size_t end) {
  std::set<size_t> s;
  for (size_t i = begin; i < end; ++i) s.insert(i);
  return s;
}

TEST(Buddy, AddAllMakesWholeMaxBlocks) {
  BuddyFixture f(2048);
  EXPECT_EQ(f.buddy.managed_pages(), 2048u);
  EXPECT_EQ(f.buddy.free_pages(), 2048u);
  const uintptr_t a = must_alloc(f.buddy, kMaxOrder);
  const uintptr_t b = must_alloc(f.buddy, kMaxOrder);
  EXPECT_EQ(std::min(a, b), page(0));
  EXPECT_EQ(std::max(a, b), page(1024));
  EXPECT_EQ(f.buddy.free_pages(), 0u);
  auto c = f.buddy.alloc(0);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), Error::NoMemory);
}

TEST(Buddy, OrderAboveMaxIsInvalid) {
  BuddyFixture f(1024);
  auto r = f.buddy.alloc(kMaxOrder + 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::InvalidArgument);
  EXPECT_EQ(f.buddy.free_pages(), 1024u);
}

TEST(Buddy, SplitsKeepLowerHalfAndMergeBack) {
  BuddyFixture f(1024);
  auto& b = f.buddy;
  // Splitting the single 4 MiB block leaves one free block of every smaller order.
  EXPECT_EQ(must_alloc(b, 0), page(0));
  EXPECT_EQ(b.free_pages(), 1023u);
  EXPECT_EQ(must_alloc(b, 0), page(1));
  EXPECT_EQ(must_alloc(b, 1), page(2));
  EXPECT_EQ(must_alloc(b, 2), page(4));
  EXPECT_EQ(must_alloc(b, 9), page(512));
  EXPECT_EQ(b.free_pages(), 1024u - 1 - 1 - 2 - 4 - 512);
  auto big = b.alloc(kMaxOrder);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error(), Error::NoMemory);

  // Free in an order that needs merges at several levels; only the last free completes
  // the 4 MiB block.
  for (uintptr_t p : {page(2), page(512), page(0), page(4)}) {
    ASSERT_TRUE(b.free(p).ok());
    EXPECT_FALSE(b.alloc(kMaxOrder).ok());
  }
  ASSERT_TRUE(b.free(page(1)).ok());
  EXPECT_EQ(b.free_pages(), 1024u);
  EXPECT_EQ(must_alloc(b, kMaxOrder), page(0));
}

TEST(Buddy, AllocatedOrderTracksBlocks) {
  BuddyFixture f(1024);
  auto& b = f.buddy;
  const uintptr_t p = must_alloc(b, 3);
  auto o = b.allocated_order(p);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o.value(), 3u);
  // Pages inside the block are not block starts.
  EXPECT_EQ(b.allocated_order(p + kPage).error(), Error::InvalidArgument);
  EXPECT_EQ(b.allocated_order(p + 1).error(), Error::InvalidArgument);
  ASSERT_TRUE(b.free(p).ok());
  EXPECT_EQ(b.allocated_order(p).error(), Error::InvalidArgument);
}

TEST(Buddy, BlocksAreNaturallyAligned) {
  BuddyFixture f(2048);
  auto& b = f.buddy;
  std::vector<uintptr_t> blocks;
  // Mix small and large orders so that larger blocks come out of already-split memory.
  for (unsigned round = 0; round < 2; ++round) {
    for (unsigned order = 0; order <= 8; ++order) {
      auto r = b.alloc(order);
      ASSERT_TRUE(r.ok()) << order;
      const uintptr_t size = kPage << order;
      EXPECT_EQ(r.value() % size, 0u) << "order " << order;
      EXPECT_TRUE(b.contains(r.value()));
      EXPECT_TRUE(b.contains(r.value() + size - 1));
      blocks.push_back(r.value());
    }
  }
  const uintptr_t top = must_alloc(b, kMaxOrder);
  EXPECT_EQ(top % (kPage << kMaxOrder), 0u);
  for (uintptr_t p : blocks) ASSERT_TRUE(b.free(p).ok());
  ASSERT_TRUE(b.free(top).ok());
  EXPECT_EQ(b.free_pages(), 2048u);
}

TEST(Buddy, ExhaustionAndRecovery) {
  BuddyFixture f(1024);
  auto& b = f.buddy;
  const std::set<size_t> pages = drain(b);
  EXPECT_EQ(pages, range(0, 1024));
  for (unsigned order = 0; order <= kMaxOrder; ++order) {
    auto r = b.alloc(order);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::NoMemory);
  }
  free_all(b, pages);
  EXPECT_EQ(b.free_pages(), 1024u);
  EXPECT_EQ(must_alloc(b, kMaxOrder), page(0));  // every page merged back
}

TEST(Buddy, FragmentationRefusesLargeOrders) {
  BuddyFixture f(1024);
  auto& b = f.buddy;
  const uintptr_t pinned = must_alloc(b, 0);
  EXPECT_EQ(b.free_pages(), 1023u);
  auto r = b.alloc(kMaxOrder);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::NoMemory);
  EXPECT_EQ(b.free_pages(), 1023u);
  EXPECT_EQ(must_alloc(b, kMaxOrder - 1), page(512));
  ASSERT_TRUE(b.free(pinned).ok());
}

TEST(Buddy, BadFreesAreRefusedWithoutStateChange) {
  BuddyFixture f(1024);
  auto& b = f.buddy;
  const uintptr_t block = must_alloc(b, 2);   // pages 0..3
  const uintptr_t single = must_alloc(b, 0);  // page 4
  const uintptr_t gone = must_alloc(b, 0);    // page 5, freed below
  ASSERT_TRUE(b.free(gone).ok());
  const size_t free_before = b.free_pages();

  const uintptr_t bad[] = {
      gone,               // double free
      block + 1,          // misaligned
      block + kPage / 2,  // misaligned
      block + kPage,      // middle of a block
      block + 3 * kPage,  // last page of a block
      page(512),          // head of a free block
      page(513),          // inside a free block
      kPhysBase - kPage,  // below the span
      page(1024),         // just past the span
      page(1u << 20),     // far past the span
      0,                  // null
      UINTPTR_MAX & ~(kPage - 1),
  };
  for (uintptr_t p : bad) {
    auto r = b.free(p);
    ASSERT_FALSE(r.ok()) << std::hex << p;
    EXPECT_EQ(r.error(), Error::InvalidArgument) << std::hex << p;
    EXPECT_EQ(b.free_pages(), free_before) << std::hex << p;
  }
  // The live blocks are still intact and allocated.
  EXPECT_EQ(b.allocated_order(block).value(), 2u);
  EXPECT_EQ(b.allocated_order(single).value(), 0u);
  // The free pages are exactly what they were: nothing got freed twice or lost.
  const std::set<size_t> rest = drain(b);
  EXPECT_EQ(rest.size(), free_before);
  EXPECT_EQ(rest.count(0) + rest.count(1) + rest.count(2) + rest.count(3) + rest.count(4), 0u);
  EXPECT_EQ(rest.count(5), 1u);
  free_all(b, rest);
  ASSERT_TRUE(b.free(block).ok());
  ASSERT_TRUE(b.free(single).ok());
  EXPECT_EQ(b.free_pages(), 1024u);
  EXPECT_EQ(must_alloc(b, kMaxOrder), page(0));
}

TEST(Buddy, AddRangeWithHoles) {
  BuddyFixture f(2048, /*add_all=*/false);
  auto& b = f.buddy;
  EXPECT_EQ(b.free_pages(), 0u);
  EXPECT_EQ(b.alloc(0).error(), Error::NoMemory);
  b.add_range(page(0), 100);
  b.add_range(page(300), 1748);
  EXPECT_EQ(b.managed_pages(), 1848u);
  EXPECT_EQ(b.free_pages(), 1848u);
  // Hole pages are never block starts.
  EXPECT_EQ(b.free(page(150)).error(), Error::InvalidArgument);
  EXPECT_EQ(b.free_pages(), 1848u);

  std::set<size_t> expected = range(0, 100);
  for (size_t i = 300; i < 2048; ++i) expected.insert(i);
  const std::set<size_t> pages = drain(b);
  EXPECT_EQ(pages, expected);
  free_all(b, pages);
  EXPECT_EQ(b.free_pages(), 1848u);
  // Only the second 4 MiB is complete; the hole keeps the first from merging.
  EXPECT_EQ(must_alloc(b, kMaxOrder), page(1024));
  EXPECT_EQ(b.alloc(kMaxOrder).error(), Error::NoMemory);
  // Pages 512..1023 are the only other 2 MiB block: 0..511 has the hole in it.
  EXPECT_EQ(must_alloc(b, kMaxOrder - 1), page(512));
  EXPECT_EQ(b.alloc(kMaxOrder - 1).error(), Error::NoMemory);
}

TEST(Buddy, AddRangeMergesWithNeighbours) {
  BuddyFixture f(1024, /*add_all=*/false);
  auto& b = f.buddy;
  b.add_range(page(1), 1023);
  EXPECT_EQ(b.free_pages(), 1023u);
  EXPECT_EQ(b.alloc(kMaxOrder).error(), Error::NoMemory);
  b.add_range(page(0), 1);
  EXPECT_EQ(b.free_pages(), 1024u);
  EXPECT_EQ(b.managed_pages(), 1024u);
  EXPECT_EQ(must_alloc(b, kMaxOrder), page(0));
}

TEST(Buddy, AddRangeClipsToTheSpan) {
  BuddyFixture f(1024, /*add_all=*/false);
  auto& b = f.buddy;
  b.add_range(kPhysBase - 100 * kPage, 50);  // wholly below
  b.add_range(page(1024), 10);               // wholly above
  b.add_range(page(5000), 10);
  b.add_range(page(7), 0);  // empty
  EXPECT_EQ(b.free_pages(), 0u);
  EXPECT_EQ(b.managed_pages(), 0u);
  b.add_range(kPhysBase - 10 * kPage, 20);  // straddles the bottom: pages 0..9
  b.add_range(page(1020), 100);             // straddles the top: pages 1020..1023
  EXPECT_EQ(b.free_pages(), 14u);
  EXPECT_EQ(b.managed_pages(), 14u);
  std::set<size_t> expected = range(0, 10);
  for (size_t i = 1020; i < 1024; ++i) expected.insert(i);
  const std::set<size_t> pages = drain(b);
  EXPECT_EQ(pages, expected);
  free_all(b, pages);
  EXPECT_EQ(b.free_pages(), 14u);
}

// Only whole pages inside [phys, phys + pages * kPage) may become available: a page that is
// partly outside the range may hold something reserved (a boot module's tail, say).
TEST(Buddy, AddRangeUnalignedStartTakesOnlyWholePages) {
  {
    BuddyFixture f(1024, /*add_all=*/false);
    f.buddy.add_range(page(0) + kPage / 2, 3);  // [0.5, 3.5) pages: whole pages 1, 2
    EXPECT_EQ(f.buddy.free_pages(), 2u);
    EXPECT_EQ(drain(f.buddy), range(1, 3));
  }
  {
    BuddyFixture f(1024, /*add_all=*/false);
    f.buddy.add_range(kPhysBase - kPage / 2, 3);  // [-0.5, 2.5) pages: whole pages 0, 1
    EXPECT_EQ(f.buddy.free_pages(), 2u);
    EXPECT_EQ(drain(f.buddy), range(0, 2));
  }
  {
    BuddyFixture f(1024, /*add_all=*/false);
    f.buddy.add_range(page(10) + 1, 1);  // no whole page at all
    EXPECT_EQ(f.buddy.free_pages(), 0u);
    EXPECT_EQ(f.buddy.managed_pages(), 0u);
  }
}

TEST(Buddy, VirtAndPhysRoundTrip) {
  BuddyFixture f(1024);
  auto& b = f.buddy;
  EXPECT_EQ(b.virt(page(0)), f.arena.mem());
  EXPECT_EQ(b.virt(page(5)), f.arena.mem() + 5 * kPage);
  EXPECT_EQ(b.phys(f.arena.mem() + 7 * kPage + 12), page(7) + 12);
  EXPECT_TRUE(b.contains(page(0)));
  EXPECT_TRUE(b.contains(page(1023) + kPage - 1));
  EXPECT_FALSE(b.contains(page(1024)));
  EXPECT_FALSE(b.contains(kPhysBase - 1));
}

// A seeded random walk of allocations and frees. Every live block is filled with a pattern
// that names it; the pattern must survive until the block is freed, live blocks must never
// overlap, and the free count must always match.
TEST(Buddy, RandomAllocFreeKeepsAccountsAndContents) {
  constexpr size_t kPages = 2048;
  BuddyFixture f(kPages);
  auto& b = f.buddy;
  std::mt19937_64 rng(0x5e11a);
  std::discrete_distribution<unsigned> pick_order({30, 20, 15, 10, 8, 6, 4, 3, 2, 1, 1});
  std::map<uintptr_t, unsigned> live;  // phys -> order
  size_t live_pages = 0;
  size_t failures = 0;

  auto word = [](uintptr_t phys, size_t i) { return (phys * 0x9e3779b97f4a7c15ull) ^ i; };
  auto fill = [&](uintptr_t phys, unsigned order) {
    auto* w = reinterpret_cast<uint64_t*>(b.virt(phys));
    const size_t n = (kPage << order) / sizeof(uint64_t);
    for (size_t i = 0; i < n; ++i) w[i] = word(phys, i);
  };
  auto intact = [&](uintptr_t phys, unsigned order) {
    const auto* w = reinterpret_cast<const uint64_t*>(b.virt(phys));
    const size_t n = (kPage << order) / sizeof(uint64_t);
    for (size_t i = 0; i < n; ++i)
      if (w[i] != word(phys, i)) return false;
    return true;
  };
  auto release = [&](std::map<uintptr_t, unsigned>::iterator it) {
    ASSERT_TRUE(intact(it->first, it->second)) << "block at " << std::hex << it->first;
    ASSERT_TRUE(b.free(it->first).ok());
    live_pages -= size_t{1} << it->second;
    live.erase(it);
  };

  for (int op = 0; op < 4000; ++op) {
    if (live.empty() || rng() % 100 < 55) {
      const unsigned order = pick_order(rng);
      auto r = b.alloc(order);
      if (!r.ok()) {
        ASSERT_EQ(r.error(), Error::NoMemory);
        ++failures;
        continue;
      }
      const uintptr_t p = r.value();
      const uintptr_t end = p + (kPage << order);
      ASSERT_EQ(p % (kPage << order), 0u);
      ASSERT_TRUE(p >= kPhysBase && end <= kPhysBase + kPages * kPage);
      ASSERT_EQ(b.allocated_order(p).value(), order);
      auto next = live.lower_bound(p);
      if (next != live.end()) ASSERT_LE(end, next->first) << "overlaps the next block";
      if (next != live.begin()) {
        auto prev = std::prev(next);
        ASSERT_LE(prev->first + (kPage << prev->second), p) << "overlaps the previous block";
      }
      live.emplace(p, order);
      live_pages += size_t{1} << order;
      fill(p, order);
    } else {
      auto it = live.begin();
      std::advance(it, static_cast<long>(rng() % live.size()));
      release(it);
    }
    ASSERT_EQ(b.free_pages(), kPages - live_pages) << "after op " << op;
  }
  EXPECT_GT(live.size(), 0u);
  while (!live.empty()) release(live.begin());
  EXPECT_EQ(b.free_pages(), kPages);
  // Everything merged back into whole 4 MiB blocks.
  EXPECT_EQ(must_alloc(b, kMaxOrder) % (kPage << kMaxOrder), 0u);
  EXPECT_EQ(must_alloc(b, kMaxOrder) % (kPage << kMaxOrder), 0u);
  RecordProperty("alloc_failures", static_cast<int>(failures));
}

}  // namespace

namespace {

TEST(Buddy, TagsStayWithTheirBlock) {
  test::BuddyFixture f(1024);
  auto a = f.buddy.alloc(2, 1);
  auto b = f.buddy.alloc(0, lib::BuddyAllocator::kMaxTag);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(f.buddy.allocated_block(a.value()).value().tag, 1u);
  EXPECT_EQ(f.buddy.allocated_block(a.value()).value().order, 2u);
  EXPECT_EQ(f.buddy.allocated_block(b.value()).value().tag, lib::BuddyAllocator::kMaxTag);
  EXPECT_EQ(f.buddy.alloc(0, lib::BuddyAllocator::kMaxTag + 1).error(),
            lib::Error::InvalidArgument);
  ASSERT_TRUE(f.buddy.free(a.value()).ok());
  ASSERT_TRUE(f.buddy.free(b.value()).ok());
  // A reused block gets the new owner's tag, not the old one.
  auto c = f.buddy.alloc(2);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(f.buddy.allocated_block(c.value()).value().tag, 0u);
  EXPECT_EQ(f.buddy.free_pages(), 1020u);
}

}  // namespace
