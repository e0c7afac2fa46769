#include "kernel/pmm.h"

#include <lib/buddy.h>

#include "kernel/alloc_failure.h"
#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"

namespace kernel::pmm {
namespace {

Spinlock lock;
lib::BuddyAllocator buddy GUARDED_BY(lock);

// The first 64 KiB stay out of the allocator: page 0 (no block is ever at address 0), the
// real-mode interrupt table and BIOS data, and room for real-mode start code, which must
// lie below 1 MiB at an address the kernel chooses. The rest of the first MiB that the
// firmware reports usable is RAM like any other (572 KiB on microvm: an eighth of a 4 MiB
// machine); its holes are not in the usable map anyway.
constexpr uint64_t kLowReserved = 0x10000;

struct Range {
  uint64_t begin, end;
};

// Adds [begin, end) minus every reserved range to the allocator.
void add_usable(uint64_t begin, uint64_t end, const Range* reserved, size_t count) REQUIRES(lock) {
  for (size_t i = 0; i < count && begin < end; ++i) {
    const Range& r = reserved[i];
    if (r.end <= begin || r.begin >= end) continue;
    if (r.begin > begin) add_usable(begin, r.begin, reserved + i + 1, count - i - 1);
    begin = r.end;
  }
  if (begin < end) buddy.add_range(begin, (end - begin) / arch::kPageSize);
}

}  // namespace

void init(const BootInfo& info) {
  constexpr uint64_t kPage = arch::kPageSize;
  const uint64_t top = info.max_usable() & ~(kPage - 1);
  const size_t pages = top / kPage;
  const arch::PhysRange image = arch::kernel_image();
  const arch::PhysRange tables = arch::early_page_tables();

  Range reserved[BootInfo::kMaxModules + 4];
  size_t count = 0;
  reserved[count++] = {0, kLowReserved};
  reserved[count++] = {image.start, (image.end + kPage - 1) & ~(kPage - 1)};
  reserved[count++] = {tables.start, tables.end};
  for (size_t i = 0; i < info.module_count; ++i) {
    const uint64_t b = info.modules[i].phys & ~(kPage - 1);
    reserved[count++] = {b,
                         (info.modules[i].phys + info.modules[i].size + kPage - 1) & ~(kPage - 1)};
  }

  // The allocator's metadata (one byte per page) goes in the first usable stretch that
  // avoids everything reserved.
  const uint64_t meta_size = (pages + kPage - 1) & ~(kPage - 1);
  uint64_t meta = 0;
  for (size_t i = 0; i < info.region_count && !meta; ++i) {
    const MemoryRegion& r = info.regions[i];
    if (r.type != MemoryType::Usable) continue;
    uint64_t candidate = (r.base + kPage - 1) & ~(kPage - 1);
    for (bool moved = true; moved;) {
      moved = false;
      for (size_t k = 0; k < count; ++k) {
        if (candidate < reserved[k].end && candidate + meta_size > reserved[k].begin) {
          candidate = reserved[k].end;
          moved = true;
        }
      }
    }
    if (candidate + meta_size <= r.base + r.size) meta = candidate;
  }
  if (!meta) panic("pmm: no room for {} bytes of page metadata", meta_size);
  reserved[count++] = {meta, meta + meta_size};

  SpinlockGuard guard(lock);
  buddy.init(0, static_cast<char*>(arch::phys_to_virt(0)), pages,
             static_cast<uint8_t*>(arch::phys_to_virt(meta)));
  for (size_t i = 0; i < info.region_count; ++i) {
    const MemoryRegion& r = info.regions[i];
    if (r.type != MemoryType::Usable) continue;
    const uint64_t begin = (r.base + kPage - 1) & ~(kPage - 1);
    const uint64_t end = (r.base + r.size) & ~(kPage - 1);
    add_usable(begin, end, reserved, count);
  }
  log_info("pmm: {} MiB usable, {} MiB free", buddy.managed_pages() * kPage >> 20,
           buddy.free_pages() * kPage >> 20);
}

lib::Result<uintptr_t> alloc_pages(unsigned order, uint8_t tag) {
  if (alloc_failure::should_fail()) return lib::Error::NoMemory;
  SpinlockGuard guard(lock);
  return buddy.alloc(order, tag);
}

lib::Result<uintptr_t> alloc_page() { return alloc_pages(0); }

lib::Result<uintptr_t> alloc_zeroed_page() {
  const uintptr_t page = TRY(alloc_page());
  auto* words = static_cast<uint64_t*>(arch::phys_to_virt(page));
  for (size_t i = 0; i < arch::kPageSize / 8; ++i) words[i] = 0;
  return page;
}

lib::Result<void> free_code_page(uintptr_t phys) {
  auto* words = static_cast<uint64_t*>(arch::phys_to_virt(phys));
  for (size_t i = 0; i < arch::kPageSize / 8; ++i) words[i] = 0;
  return free_pages(phys);
}

lib::Result<void> free_pages(uintptr_t phys) {
  SpinlockGuard guard(lock);
  return buddy.free(phys);
}

lib::Result<lib::BuddyAllocator::Block> block(uintptr_t phys) {
  SpinlockGuard guard(lock);
  return buddy.allocated_block(phys);
}

size_t free_page_count() {
  SpinlockGuard guard(lock);
  return buddy.free_pages();
}

size_t total_page_count() {
  SpinlockGuard guard(lock);
  return buddy.managed_pages();
}

}  // namespace kernel::pmm
