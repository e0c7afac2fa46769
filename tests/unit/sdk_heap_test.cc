// The SDK heap (sdk/src/heap.cc) on the host: its chunks come from a fake allocate_pages
// that counts mappings as the kernel does (at most 32) and can run out of quota.
#include <stellina/heap.h>
#include <stellina/memory.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <vector>

namespace {

struct FakeFolios {
  std::map<char*, size_t> mapped;  // address -> size
  size_t quota = SIZE_MAX;         // bytes the silo allows
  size_t bytes = 0;
  size_t maps = 0;
  size_t unmaps = 0;
  std::vector<size_t> sizes;  // of every allocate_pages call, in order
};
FakeFolios folios;

}  // namespace

namespace stellina {

// What the component runtime provides, faked.
Result<void*> allocate_pages(size_t size) {
  size = (size + 4095) & ~size_t{4095};
  if (size == 0 || size > (size_t{16} << 20)) return abi::kErrInvalidArgument;
  if (folios.mapped.size() == 32) return abi::kErrNoResources;
  if (size > folios.quota - folios.bytes) return abi::kErrQuotaExceeded;
  auto* p = static_cast<char*>(std::aligned_alloc(4096, size));
  std::memset(p, 0, size);
  folios.mapped[p] = size;
  folios.bytes += size;
  ++folios.maps;
  folios.sizes.push_back(size);
  return static_cast<void*>(p);
}

Result<void> free_pages(void* address) {
  auto it = folios.mapped.find(static_cast<char*>(address));
  if (it == folios.mapped.end()) return abi::kErrNotFound;
  folios.bytes -= it->second;
  folios.mapped.erase(it);
  ++folios.unmaps;
  std::free(address);
  return {};
}

namespace {

constexpr size_t kKiB = 1024;
constexpr size_t kMiB = size_t{1024} * 1024;

HeapChunks::Backend fake() { return {allocate_pages, free_pages}; }

class SdkHeap : public ::testing::Test {
 protected:
  void SetUp() override {
    held = folios.mapped.size();  // heap_allocate's state keeps a chunk between tests
    folios.quota = SIZE_MAX;
    folios.sizes.clear();
  }
  void TearDown() override { EXPECT_LE(folios.mapped.size(), held + 1); }
  size_t held = 0;
};

TEST_F(SdkHeap, ChunksGrowWithTheHeapUpToOneMiB) {
  HeapChunks chunks(fake());
  lib::Heap heap(chunks);
  std::vector<void*> objects;
  size_t mapped = 0;
  while (chunks.mapped_bytes() < 12 * kMiB) {
    objects.push_back(heap.alloc(2016).value());
    if (folios.sizes.size() == 0 || chunks.mapped_bytes() == mapped) continue;
    // A new chunk: a power of two, at least 16 KiB, at most 1 MiB, and never more than
    // what the heap held before it (it charges all its pages at once).
    const size_t size = folios.sizes.back();
    EXPECT_EQ(size & (size - 1), 0u);
    EXPECT_GE(size, HeapChunks::kFirstChunk);
    EXPECT_LE(size, 1 * kMiB);
    if (mapped) EXPECT_LE(size, mapped);
    mapped = chunks.mapped_bytes();
  }
  EXPECT_EQ(folios.sizes.front(), 16 * kKiB);
  EXPECT_EQ(HeapChunks::kFirstChunk, 16 * kKiB);
  EXPECT_LE(folios.sizes.size(), 24u);  // well within the 32 mappings a process has
  EXPECT_EQ(chunks.chunk_count(), folios.sizes.size());
  // Everything freed: every chunk but one goes back.
  for (void* p : objects) ASSERT_TRUE(heap.free(p).ok());
  EXPECT_EQ(chunks.chunk_count(), 1u);
  EXPECT_EQ(folios.mapped.size(), held + 1);
  EXPECT_EQ(heap.stats().live_allocations, 0u);
  // The one kept is used again before anything new is mapped.
  const size_t maps = folios.maps;
  void* again = heap.alloc(100).value();
  EXPECT_EQ(folios.maps, maps);
  ASSERT_TRUE(heap.free(again).ok());
}

TEST_F(SdkHeap, LargeBlocks) {
  HeapChunks chunks(fake());
  lib::Heap heap(chunks);
  // 512 KiB: a buddy block, in a 1 MiB chunk (its first page is the chunk's own).
  void* one = heap.alloc(512 * kKiB).value();
  EXPECT_EQ(folios.sizes.back(), 1 * kMiB);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(one) % 4096, 0u);
  // 2 MiB and 4 MiB (1 MiB or more): chunks of just that block, given back when freed.
  void* two = heap.alloc(2 * kMiB).value();
  EXPECT_EQ(folios.sizes.back(), 2 * kMiB);
  void* four = heap.alloc(4 * kMiB).value();
  EXPECT_EQ(folios.sizes.back(), 4 * kMiB);
  EXPECT_EQ(chunks.chunk_count(), 3u);
  std::memset(four, 0x5a, 4 * kMiB);
  EXPECT_EQ(heap.usable_size(four).value(), 4 * kMiB);
  ASSERT_TRUE(heap.free(four).ok());
  ASSERT_TRUE(heap.free(two).ok());
  EXPECT_EQ(chunks.chunk_count(), 1u);
  // Pointers inside a chunk that are no block, and ones in no chunk, are refused.
  EXPECT_FALSE(heap.free(static_cast<char*>(one) + 4096).ok());
  int outside = 0;
  EXPECT_FALSE(chunks.block(&outside).ok());
  EXPECT_FALSE(chunks.free_pages(&outside).ok());
  ASSERT_TRUE(heap.free(one).ok());
  EXPECT_FALSE(heap.free(one).ok());  // twice
  // Past what a chunk can be.
  EXPECT_FALSE(heap.alloc(8 * kMiB).ok());
}

TEST_F(SdkHeap, TheLimitsOfTheBackendSurface) {
  HeapChunks chunks(fake());
  lib::Heap heap(chunks);
  folios.quota = folios.bytes + 64 * kKiB;
  void* p = heap.alloc(64).value();
  EXPECT_EQ(heap.alloc(512 * kKiB).error(), lib::Error::QuotaExceeded);
  EXPECT_EQ(chunks.last_error(), abi::kErrQuotaExceeded);
  folios.quota = SIZE_MAX;
  // Every mapping in use.
  std::vector<void*> big;
  for (;;) {
    auto b = heap.alloc(2 * kMiB);
    if (!b.ok()) {
      EXPECT_EQ(b.error(), lib::Error::NoResources);
      break;
    }
    big.push_back(b.value());
  }
  EXPECT_EQ(folios.mapped.size(), 32u);
  for (void* b : big) ASSERT_TRUE(heap.free(b).ok());
  ASSERT_TRUE(heap.free(p).ok());
}

TEST_F(SdkHeap, AllocateIsZeroedAndAligned) {
  EXPECT_EQ(heap_allocate(0).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(heap_allocate(kHeapMaxAllocation + 1).error(), abi::kErrTooLarge);
  for (size_t size :
       {size_t{1}, size_t{24}, size_t{100}, size_t{2016}, size_t{5000}, size_t{300000}}) {
    auto* p = static_cast<uint8_t*>(heap_allocate(size).value());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    for (size_t i = 0; i < size; ++i) ASSERT_EQ(p[i], 0) << size;
    std::memset(p, 0xff, size);
    heap_free(p);
    // The same memory comes back for the same size, zeroed again.
    auto* q = static_cast<uint8_t*>(heap_allocate(size).value());
    for (size_t i = 0; i < size; ++i) ASSERT_EQ(q[i], 0) << size;
    heap_free(q);
  }
  heap_free(nullptr);
  int outside = 0;
  heap_free(&outside);  // refused, without reading around it (the sanitizer would see)
  std::vector<char> elsewhere(8192);
  heap_free(elsewhere.data() + 4096);
  void* p = heap_allocate(64).value();
  heap_free(p);
  heap_free(p);  // twice: refused
  void* largest = heap_allocate(kHeapMaxAllocation).value();
  heap_free(largest);
}

TEST_F(SdkHeap, QuotaReachesTheCaller) {
  folios.quota = folios.bytes;  // nothing more
  std::vector<void*> taken;
  for (;;) {  // what the chunk kept from earlier tests holds, then the quota
    auto p = heap_allocate(100000);
    if (!p.ok()) {
      EXPECT_EQ(p.error(), abi::kErrQuotaExceeded);
      break;
    }
    taken.push_back(p.value());
  }
  for (void* p : taken) heap_free(p);
}

// Random sizes, allocated and freed in random order, each filled with its own pattern: no
// two overlap, and when all are freed the chunks go back.
TEST_F(SdkHeap, RandomUse) {
  HeapChunks chunks(fake());
  lib::Heap heap(chunks);
  std::mt19937 rng(99);
  struct Live {
    uint8_t* p;
    size_t size;
    uint8_t fill;
  };
  std::vector<Live> live;
  for (int step = 0; step < 20000; ++step) {
    // About 150 live at once: up to some 50 MiB, within what 32 chunks hold.
    if (live.empty() || (live.size() < 300 && rng() % 2 == 0)) {
      const size_t size = rng() % 8 == 0 ? 1 + rng() % (600 * kKiB) : 1 + rng() % 3000;
      auto made = heap.alloc(size);
      ASSERT_TRUE(made.ok()) << step;
      auto* p = static_cast<uint8_t*>(made.value());
      const auto fill = static_cast<uint8_t>(rng());
      std::memset(p, fill, size);
      live.push_back({p, size, fill});
    } else {
      const size_t i = rng() % live.size();
      const Live l = live[i];
      for (size_t k = 0; k < l.size; k += 97) ASSERT_EQ(l.p[k], l.fill);
      ASSERT_EQ(l.p[l.size - 1], l.fill);
      ASSERT_TRUE(heap.free(l.p).ok());
      live[i] = live.back();
      live.pop_back();
    }
    ASSERT_LE(chunks.chunk_count(), HeapChunks::kMaxChunks);
  }
  for (const Live& l : live) {
    for (size_t k = 0; k < l.size; k += 97) ASSERT_EQ(l.p[k], l.fill);
    ASSERT_TRUE(heap.free(l.p).ok());
  }
  EXPECT_EQ(chunks.chunk_count(), 1u);
  EXPECT_EQ(heap.stats().live_allocations, 0u);
}

}  // namespace
}  // namespace stellina
