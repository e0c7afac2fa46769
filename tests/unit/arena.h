#pragma once
// A host stand-in for physical memory: an arena aligned to the buddy allocator's largest
// block, presented to BuddyAllocator at a made-up physical base, and a PageSource over it
// for the heap.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <lib/buddy.h>
#include <lib/heap.h>

namespace test {

inline constexpr size_t kPage = lib::BuddyAllocator::kPageSize;
inline constexpr size_t kMaxBlockPages = size_t{1} << lib::BuddyAllocator::kMaxOrder;
inline constexpr size_t kMaxBlockBytes = kMaxBlockPages * kPage;
// A fake physical address, aligned to the largest block, far from any host pointer.
inline constexpr uintptr_t kPhysBase = uintptr_t{0x40} << 24;  // 1 GiB

class Arena {
 public:
  explicit Arena(size_t pages)
      : pages_(pages),
        mem_(static_cast<char*>(std::aligned_alloc(kMaxBlockBytes, round_up(pages * kPage)))),
        meta_(pages) {}
  ~Arena() { std::free(mem_); }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  char* mem() const { return mem_; }
  uint8_t* meta() { return meta_.data(); }
  size_t pages() const { return pages_; }
  uintptr_t phys(size_t page) const { return kPhysBase + page * kPage; }

 private:
  static size_t round_up(size_t n) {
    return (n + kMaxBlockBytes - 1) / kMaxBlockBytes * kMaxBlockBytes;
  }
  size_t pages_;
  char* mem_;
  std::vector<uint8_t> meta_;
};

// A buddy allocator over its own arena; with add_all, every page is made available.
struct BuddyFixture {
  explicit BuddyFixture(size_t pages, bool add_all = true) : arena(pages) {
    buddy.init(kPhysBase, arena.mem(), pages, arena.meta());
    if (add_all) buddy.add_range(kPhysBase, pages);
  }
  Arena arena;
  lib::BuddyAllocator buddy;
};

// Hands out buddy blocks through their host addresses, refusing addresses outside the arena
// before doing any pointer arithmetic on them.
class BuddyPageSource final : public lib::PageSource {
 public:
  explicit BuddyPageSource(lib::BuddyAllocator& buddy, const Arena& arena)
      : buddy_(buddy), arena_(arena) {}

  lib::Result<void*> alloc_pages(unsigned order, uint8_t tag) override {
    auto r = buddy_.alloc(order, tag);
    if (!r.ok()) return r.error();
    ++allocs;
    return static_cast<void*>(buddy_.virt(r.value()));
  }
  lib::Result<void> free_pages(void* block) override {
    if (!inside(block)) return lib::Error::InvalidArgument;
    auto r = buddy_.free(buddy_.phys(block));
    if (r.ok()) ++frees;
    return r;
  }
  lib::Result<Block> block(void* block) override {
    if (!inside(block)) return lib::Error::InvalidArgument;
    const auto b = TRY(buddy_.allocated_block(buddy_.phys(block)));
    return Block{b.order, b.tag};
  }

  size_t allocs = 0;
  size_t frees = 0;

 private:
  bool inside(const void* p) const {
    const auto a = reinterpret_cast<uintptr_t>(p);
    const auto base = reinterpret_cast<uintptr_t>(arena_.mem());
    return a >= base && a < base + arena_.pages() * kPage;
  }
  lib::BuddyAllocator& buddy_;
  const Arena& arena_;
};

}  // namespace test
