#include <lib/heap.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "arena.h"

namespace {

using lib::Error;
using lib::Heap;
using test::BuddyFixture;
using test::BuddyPageSource;
using test::kPage;

// A heap whose pages come from a buddy allocator over a host arena.
struct HeapFixture {
  explicit HeapFixture(size_t pages = 2048, size_t added = SIZE_MAX)
      : mem(pages, /*add_all=*/false), source(mem.buddy, mem.arena), heap(source) {
    mem.buddy.add_range(test::kPhysBase, added == SIZE_MAX ? pages : added);
    start_pages = mem.buddy.free_pages();
  }
  size_t buddy_free() const { return mem.buddy.free_pages(); }

  BuddyFixture mem;
  BuddyPageSource source;
  Heap heap;
  size_t start_pages = 0;
};

uintptr_t addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }
uintptr_t page_of(const void* p) { return addr(p) & ~(kPage - 1); }

void* must_alloc(Heap& h, size_t size) {
  auto r = h.alloc(size);
  EXPECT_TRUE(r.ok()) << "size " << size;
  return r.ok() ? r.value() : nullptr;
}

bool stats_equal(const Heap::Stats& a, const Heap::Stats& b) {
  return a.live_allocations == b.live_allocations && a.live_bytes == b.live_bytes &&
         a.slab_pages == b.slab_pages && a.large_pages == b.large_pages &&
         a.failed_allocations == b.failed_allocations;
}

void expect_empty(const HeapFixture& f) {
  const Heap::Stats& s = f.heap.stats();
  EXPECT_EQ(s.live_allocations, 0u);
  EXPECT_EQ(s.live_bytes, 0u);
  EXPECT_EQ(s.slab_pages, 0u);
  EXPECT_EQ(s.large_pages, 0u);
  EXPECT_EQ(f.buddy_free(), f.start_pages) << "pages leaked to the heap";
}

uint8_t pattern_byte(size_t id, size_t i) { return static_cast<uint8_t>(id * 131 + i * 7 + 1); }

void fill(void* p, size_t n, size_t id) {
  auto* b = static_cast<uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) b[i] = pattern_byte(id, i);
}

bool intact(const void* p, size_t n, size_t id) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i)
    if (b[i] != pattern_byte(id, i)) return false;
  return true;
}

TEST(Heap, ZeroSizeIsInvalid) {
  HeapFixture f;
  auto r = f.heap.alloc(0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::InvalidArgument);
  expect_empty(f);
}

TEST(Heap, HugeSizeIsNoMemory) {
  HeapFixture f;
  for (size_t size : {SIZE_MAX, SIZE_MAX / 2, size_t{1} << 40}) {
    auto r = f.heap.alloc(size);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::NoMemory);
  }
  expect_empty(f);
}

// Every size class boundary: the class size fits in that class, one more byte goes up a
// class, and past the largest class comes whole pages, rounded up to a power of two.
TEST(Heap, SizeClassBoundaries) {
  HeapFixture f;
  std::vector<std::pair<size_t, size_t>> cases = {{1, 16}};  // size -> usable size
  for (size_t c = 0; c < Heap::kClassCount; ++c) {
    const size_t size = Heap::kClassSizes[c];
    cases.push_back({size, size});
    const size_t next = c + 1 < Heap::kClassCount ? Heap::kClassSizes[c + 1] : kPage;
    cases.push_back({size + 1, next});
  }
  cases.insert(cases.end(), {{4095, kPage},
                             {4096, kPage},
                             {4097, 2 * kPage},
                             {8192, 2 * kPage},
                             {8193, 4 * kPage},
                             {(1u << 20) + 1, 2u << 20},
                             {4u << 20, 4u << 20}});
  ASSERT_EQ(Heap::kMaxSmall, 2016u);  // so that 2017 above is the first large size

  std::vector<std::pair<void*, size_t>> live;
  size_t bytes = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto [size, usable] = cases[i];
    void* p = must_alloc(f.heap, size);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(addr(p) % Heap::kAlignment, 0u) << "size " << size;
    auto u = f.heap.usable_size(p);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u.value(), usable) << "size " << size;
    if (size > Heap::kMaxSmall) {
      EXPECT_EQ(addr(p) % kPage, 0u) << "large allocations are page-aligned, size " << size;
    } else {
      EXPECT_NE(addr(p) % kPage, 0u) << "small objects are never page-aligned, size " << size;
    }
    fill(p, usable, i);
    live.push_back({p, usable});
    bytes += usable;
    EXPECT_EQ(f.heap.stats().live_bytes, bytes);
  }
  EXPECT_EQ(f.heap.stats().live_allocations, cases.size());
  for (size_t i = 0; i < live.size(); ++i) {
    EXPECT_TRUE(intact(live[i].first, live[i].second, i)) << "size " << cases[i].first;
    ASSERT_TRUE(f.heap.free(live[i].first).ok());
  }
  expect_empty(f);
}

TEST(Heap, StatsTrackSlabsAndLargeBlocks) {
  HeapFixture f;
  std::vector<void*> small;
  std::set<uintptr_t> pages;
  for (int i = 0; i < 100; ++i) {
    void* p = must_alloc(f.heap, 100);  // class 128
    small.push_back(p);
    pages.insert(page_of(p));
  }
  void* big = must_alloc(f.heap, 3 * kPage);  // 4 pages
  void* page = must_alloc(f.heap, 3000);      // 1 page
  const Heap::Stats& s = f.heap.stats();
  EXPECT_EQ(s.live_allocations, 102u);
  EXPECT_EQ(s.live_bytes, size_t{100} * 128 + 4 * kPage + kPage);
  EXPECT_EQ(s.slab_pages, pages.size());
  EXPECT_GE(pages.size(), 4u);  // 100 objects of 128 bytes cannot fit in 3 pages
  EXPECT_EQ(s.large_pages, 5u);
  EXPECT_EQ(s.failed_allocations, 0u);
  EXPECT_EQ(f.buddy_free(), f.start_pages - pages.size() - 5);

  ASSERT_TRUE(f.heap.free(big).ok());
  EXPECT_EQ(s.large_pages, 1u);
  EXPECT_EQ(s.live_bytes, size_t{100} * 128 + kPage);
  ASSERT_TRUE(f.heap.free(page).ok());
  for (void* p : small) ASSERT_TRUE(f.heap.free(p).ok());
  expect_empty(f);
}

TEST(Heap, EmptySlabGoesBackToThePageSource) {
  HeapFixture f;
  void* p = must_alloc(f.heap, 16);
  EXPECT_EQ(f.heap.stats().slab_pages, 1u);
  EXPECT_EQ(f.buddy_free(), f.start_pages - 1);
  ASSERT_TRUE(f.heap.free(p).ok());
  EXPECT_EQ(f.heap.stats().slab_pages, 0u);
  EXPECT_EQ(f.source.frees, f.source.allocs);
  expect_empty(f);
}

TEST(Heap, FullSlabBecomesPartialAgain) {
  HeapFixture f;
  // Fill the first slab of the 1008 class and spill into a second.
  std::vector<void*> objs;
  do objs.push_back(must_alloc(f.heap, 1008));
  while (f.heap.stats().slab_pages < 2);
  const uintptr_t first_page = page_of(objs.front());
  const size_t per_slab = objs.size() - 1;
  EXPECT_EQ(per_slab, (kPage - 64) / 1008);  // the header takes less than 64 bytes
  for (size_t i = 0; i < per_slab; ++i) EXPECT_EQ(page_of(objs[i]), first_page);
  EXPECT_NE(page_of(objs.back()), first_page);

  // Fill the second slab too, then free one object from the (full) first slab: its slot is
  // reused before any new page is taken.
  while (objs.size() < 2 * per_slab) objs.push_back(must_alloc(f.heap, 1008));
  EXPECT_EQ(f.heap.stats().slab_pages, 2u);
  void* victim = objs[1];
  ASSERT_TRUE(f.heap.free(victim).ok());
  void* again = must_alloc(f.heap, 1000);
  EXPECT_EQ(again, victim);
  EXPECT_EQ(f.heap.stats().slab_pages, 2u);
  objs[1] = again;
  for (void* p : objs) ASSERT_TRUE(f.heap.free(p).ok());
  expect_empty(f);
}

TEST(Heap, DoubleFreeIsRefused) {
  HeapFixture f;
  void* a = must_alloc(f.heap, 40);
  void* b = must_alloc(f.heap, 40);
  void* c = must_alloc(f.heap, 40);
  void* big = must_alloc(f.heap, 10000);
  ASSERT_TRUE(f.heap.free(a).ok());
  ASSERT_TRUE(f.heap.free(big).ok());
  const Heap::Stats before = f.heap.stats();
  const size_t pages_before = f.buddy_free();

  EXPECT_EQ(f.heap.free(a).error(), Error::InvalidArgument);  // head of the free list
  ASSERT_TRUE(f.heap.free(b).ok());
  const Heap::Stats before2 = f.heap.stats();
  EXPECT_EQ(f.heap.free(a).error(), Error::InvalidArgument);  // deeper in the free list
  EXPECT_EQ(f.heap.free(b).error(), Error::InvalidArgument);
  EXPECT_EQ(f.heap.free(big).error(), Error::InvalidArgument);  // large block
  EXPECT_TRUE(stats_equal(f.heap.stats(), before2));
  EXPECT_EQ(f.heap.stats().live_allocations, before.live_allocations - 1);
  EXPECT_EQ(f.buddy_free(), pages_before);

  // The slab still works: the freed slots come back, each once.
  void* x = must_alloc(f.heap, 40);
  void* y = must_alloc(f.heap, 40);
  EXPECT_NE(x, y);
  EXPECT_TRUE((x == a && y == b) || (x == b && y == a));
  for (void* p : {x, y, c}) ASSERT_TRUE(f.heap.free(p).ok());
  // Freeing after the slab itself was returned is refused too.
  EXPECT_EQ(f.heap.free(c).error(), Error::InvalidArgument);
  expect_empty(f);
}

TEST(Heap, LiveObjectThatLooksFreedCanStillBeFreed) {
  HeapFixture f;
  void* keep = must_alloc(f.heap, 16);
  void* p = must_alloc(f.heap, 16);
  // User data that happens to match the free-list poison must not make free() refuse.
  auto* words = static_cast<uint64_t*>(p);
  words[0] = 0;
  words[1] = 0xdeadf7eedeadf7eeull;
  ASSERT_TRUE(f.heap.free(p).ok());
  ASSERT_TRUE(f.heap.free(keep).ok());
  expect_empty(f);
}

TEST(Heap, ForeignPointersAreRefused) {
  HeapFixture f;
  void* small = must_alloc(f.heap, 32);
  void* wide[3];
  wide[0] = must_alloc(f.heap, 2016);
  wide[1] = must_alloc(f.heap, 2016);
  void* big = must_alloc(f.heap, 2 * kPage);
  ASSERT_EQ(page_of(wide[0]), page_of(wide[1]));
  // A page the heap does not own, taken straight from the buddy allocator.
  auto raw = f.mem.buddy.alloc(0);
  ASSERT_TRUE(raw.ok());
  char* other = f.mem.buddy.virt(raw.value());
  std::memset(other, 0, kPage);
  char* arena = f.mem.arena.mem();

  std::vector<void*> bad = {
      nullptr,
      static_cast<char*>(small) + 8,                 // inside an object, misaligned
      static_cast<char*>(small) + 16,                // inside an object, 16-aligned
      reinterpret_cast<char*>(page_of(small)) + 16,  // in the slab header
      static_cast<char*>(wide[0]) + 1008,            // middle of a 2016-byte object
      static_cast<char*>(big) + 16,                  // inside a large block
      static_cast<char*>(big) + kPage,               // second page of a large block
      other + 64,                                    // in a page the heap never handed out
      arena + (f.mem.arena.pages() - 1) * kPage,     // a free page
      arena + f.mem.arena.pages() * kPage,           // just past the arena
  };
  // The slot after the last one that fits in the page, if it starts inside the page.
  wide[2] = static_cast<char*>(wide[1]) + 2016;
  if (page_of(wide[2]) == page_of(wide[0])) bad.push_back(wide[2]);

  const Heap::Stats before = f.heap.stats();
  const size_t pages_before = f.buddy_free();
  for (void* p : bad) {
    auto r = f.heap.free(p);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.error(), Error::InvalidArgument) << p;
    auto u = f.heap.usable_size(p);
    ASSERT_FALSE(u.ok()) << p;
    EXPECT_EQ(u.error(), Error::InvalidArgument) << p;
    EXPECT_TRUE(stats_equal(f.heap.stats(), before)) << p;
    EXPECT_EQ(f.buddy_free(), pages_before) << p;
  }
  EXPECT_EQ(f.mem.buddy.allocated_order(raw.value()).value(), 0u);  // not freed behind our back
  ASSERT_TRUE(f.mem.buddy.free(raw.value()).ok());
  for (void* p : {small, wide[0], wide[1], big}) ASSERT_TRUE(f.heap.free(p).ok());
  expect_empty(f);
}

TEST(Heap, ExhaustedPageSourceFailsCleanly) {
  HeapFixture f(1024, /*added=*/8);  // the heap may use 8 pages in all
  ASSERT_EQ(f.start_pages, 8u);
  void* all = must_alloc(f.heap, 8 * kPage);
  ASSERT_EQ(f.buddy_free(), 0u);

  const Heap::Stats before = f.heap.stats();
  auto small = f.heap.alloc(16);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error(), Error::NoMemory);
  auto large = f.heap.alloc(5000);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error(), Error::NoMemory);
  EXPECT_EQ(f.heap.stats().failed_allocations, before.failed_allocations + 2);
  EXPECT_EQ(f.heap.stats().live_allocations, before.live_allocations);
  EXPECT_EQ(f.heap.stats().live_bytes, before.live_bytes);
  EXPECT_EQ(f.heap.stats().slab_pages, 0u);
  ASSERT_TRUE(f.heap.free(all).ok());

  // Now run out one slab at a time.
  std::vector<void*> objs;
  for (;;) {
    auto r = f.heap.alloc(2016);
    if (!r.ok()) {
      EXPECT_EQ(r.error(), Error::NoMemory);
      break;
    }
    objs.push_back(r.value());
    ASSERT_LE(objs.size(), 8 * kPage / 2016) << "more objects than the pages can hold";
  }
  EXPECT_EQ(f.heap.stats().slab_pages, 8u);
  EXPECT_EQ(objs.size(), 8 * ((kPage - 64) / 2016));
  EXPECT_EQ(f.heap.stats().failed_allocations, before.failed_allocations + 3);
  EXPECT_EQ(f.buddy_free(), 0u);

  // A partial slab still serves its own class without new pages.
  ASSERT_TRUE(f.heap.free(objs.back()).ok());
  objs.back() = must_alloc(f.heap, 2000);
  EXPECT_EQ(f.heap.alloc(20).error(), Error::NoMemory);  // another class needs a page

  for (void* p : objs) ASSERT_TRUE(f.heap.free(p).ok());
  expect_empty(f);
  EXPECT_EQ(f.heap.stats().failed_allocations, before.failed_allocations + 4);
  // And the memory is usable again.
  void* again = must_alloc(f.heap, 8 * kPage);
  ASSERT_TRUE(f.heap.free(again).ok());
}

// A seeded random mix of small and large allocations and frees, each filled with its own
// pattern that must survive until it is freed; stats must agree at every step.
TEST(Heap, RandomStress) {
  HeapFixture f(4096);
  std::mt19937_64 rng(0xbadc0de);
  struct Live {
    size_t size, usable, id;
  };
  std::map<uintptr_t, Live> live;
  size_t live_bytes = 0;
  size_t next_id = 0;

  auto release = [&](std::map<uintptr_t, Live>::iterator it) {
    void* p = reinterpret_cast<void*>(it->first);
    ASSERT_TRUE(intact(p, it->second.size, it->second.id)) << "object " << it->second.id;
    ASSERT_TRUE(f.heap.free(p).ok());
    live_bytes -= it->second.usable;
    live.erase(it);
  };

  for (int op = 0; op < 6000; ++op) {
    if (live.empty() || rng() % 100 < 55) {
      const size_t size = rng() % 100 < 90 ? 1 + rng() % Heap::kMaxSmall
                                           : Heap::kMaxSmall + 1 + rng() % (size_t{64} * 1024);
      auto r = f.heap.alloc(size);
      ASSERT_TRUE(r.ok()) << "size " << size;
      void* p = r.value();
      const uintptr_t a = addr(p);
      ASSERT_EQ(a % Heap::kAlignment, 0u);
      const size_t usable = f.heap.usable_size(p).value();
      ASSERT_GE(usable, size);
      auto next = live.lower_bound(a);
      if (next != live.end()) ASSERT_LE(a + usable, next->first) << "overlaps the next object";
      if (next != live.begin()) {
        auto prev = std::prev(next);
        ASSERT_LE(prev->first + prev->second.usable, a) << "overlaps the previous object";
      }
      const size_t id = next_id++;
      fill(p, size, id);
      live.emplace(a, Live{size, usable, id});
      live_bytes += usable;
    } else {
      auto it = live.begin();
      std::advance(it, static_cast<long>(rng() % live.size()));
      release(it);
    }
    ASSERT_EQ(f.heap.stats().live_allocations, live.size()) << "after op " << op;
    ASSERT_EQ(f.heap.stats().live_bytes, live_bytes) << "after op " << op;
  }
  EXPECT_GT(live.size(), 100u);
  while (!live.empty()) release(live.begin());
  EXPECT_EQ(f.heap.stats().failed_allocations, 0u);
  expect_empty(f);
}

}  // namespace

namespace {

// Page-aligned pointers that are not large allocations: the start of one of the heap's own
// slab pages, and a block someone else took from the same page source.
TEST(Heap, RefusesSlabPagesAndForeignBlocks) {
  HeapFixture f;
  void* small = must_alloc(f.heap, 24);
  void* slab_page = reinterpret_cast<void*>(page_of(small));
  auto foreign = f.mem.buddy.alloc(0);
  ASSERT_TRUE(foreign.ok());
  void* foreign_ptr = f.mem.buddy.virt(foreign.value());
  const Heap::Stats before = f.heap.stats();
  const size_t pages_before = f.buddy_free();
  for (void* p : {slab_page, foreign_ptr}) {
    auto r = f.heap.free(p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::InvalidArgument);
    EXPECT_FALSE(f.heap.usable_size(p).ok());
    EXPECT_TRUE(stats_equal(f.heap.stats(), before));
    EXPECT_EQ(f.buddy_free(), pages_before);
  }
  ASSERT_TRUE(f.mem.buddy.free(foreign.value()).ok());
  ASSERT_TRUE(f.heap.free(small).ok());
  expect_empty(f);
}

TEST(Heap, ImpossibleSizeCountsAsFailure) {
  HeapFixture f;
  auto r = f.heap.alloc(size_t{1} << 40);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::NoMemory);
  EXPECT_EQ(f.heap.stats().failed_allocations, 1u);
}

}  // namespace
