// 4-level paging. The kernel owns the top half of every address space: the direct map of
// physical memory at kDirectMapBase, kernel stacks and device mappings in their own regions,
// and the kernel image at KERNEL_VMA.

#include <lib/format.h>

#include "boot_defs.h"
#include "cpu.h"
#include "kernel/arch_hooks.h"
#include "kernel/boot_info.h"
#include "kernel/log.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"
#include "per_cpu.h"
#include "platform.h"

// NOLINTBEGIN(readability-identifier-naming): linker-script and boot.S symbols
extern "C" char kernel_text_start[], kernel_text_end[], kernel_rodata_end[], kernel_end[];
extern "C" char boot_stack_guard[];
// NOLINTEND(readability-identifier-naming)

namespace arch {
namespace {

constexpr uintptr_t kDirectMapBase = 0xffff800000000000;
constexpr uintptr_t kMmioBase = 0xffffc00000000000;
constexpr uintptr_t kMmioSize = uintptr_t{1} << 32;
constexpr uintptr_t kKernelVma = KERNEL_VMA;

constexpr uint64_t kPresent = 1ull << 0;
constexpr uint64_t kWritable = 1ull << 1;
constexpr uint64_t kUser = 1ull << 2;
constexpr uint64_t kWriteThrough = 1ull << 3;
constexpr uint64_t kCacheDisable = 1ull << 4;
constexpr uint64_t kHuge = 1ull << 7;
constexpr uint64_t kGlobal = 1ull << 8;
constexpr uint64_t kOwned = 1ull << 9;         // available bit: the address space owns the frame
constexpr uint64_t kCopyOnWrite = 1ull << 10;  // available bit: shared until written
constexpr uint64_t kNoExecute = 1ull << 63;
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;

bool direct_map_ready = false;
uintptr_t kernel_root_phys = 0;
uint64_t* kernel_root = nullptr;
uintptr_t mmio_next = kMmioBase;
kernel::Spinlock paging_lock;

uint64_t entry_bits(uint32_t flags) {
  uint64_t bits = kPresent;
  if (flags & kPageWrite) bits |= kWritable;
  if (!(flags & kPageExec)) bits |= kNoExecute;
  if (flags & kPageUser) bits |= kUser;
  if (flags & kPageOwned) bits |= kOwned;
  if (flags & kPageCopyOnWrite) bits = (bits | kCopyOnWrite) & ~kWritable;
  if (!(flags & kPageUser)) bits |= kGlobal;
  if (flags & kPageUncached) bits |= kCacheDisable | kWriteThrough;
  return bits;
}

uint64_t* table_at(uint64_t entry) {
  return static_cast<uint64_t*>(phys_to_virt(entry & kAddressMask));
}

unsigned index_at(uintptr_t virt, unsigned level) {  // level 3 = PML4 .. 0 = PT
  return (virt >> (12 + 9 * level)) & 511;
}

// The page-table entry for virt under root, creating intermediate tables when create is set.
// Kernel-half top-level entries all exist from paging_init on (every address space shares
// them), so only lower levels are ever created there.
lib::Result<uint64_t*> walk(uint64_t* root, uintptr_t virt, bool create) {
  uint64_t* table = root;
  const bool user = virt < kUserTop;
  for (unsigned level = 3; level > 0; --level) {
    uint64_t& e = table[index_at(virt, level)];
    if (!(e & kPresent)) {
      if (!create) return lib::Error::NotFound;
      if (level == 3 && !user) kernel::panic("paging: new kernel top-level entry for {:#x}", virt);
      const uintptr_t page = TRY(kernel::pmm::alloc_zeroed_page());
      e = page | kPresent | kWritable | (user ? kUser : 0);  // rights are enforced at the leaf
    } else if (e & kHuge) {
      return lib::Error::Busy;  // inside a large mapping (direct map): not for single pages
    }
    table = table_at(e);
  }
  return &table[index_at(virt, 0)];
}

// Before the physical allocator exists, page tables come from the first pages after the
// kernel image that hold no boot module (identity-mapped by the boot tables);
// early_page_tables() tells the allocator which pages they took.
constexpr size_t kEarlyTablePages = 64;  // enough for the direct map of 60 GiB
uintptr_t early_start = 0;
uintptr_t early_next = 0;

uintptr_t early_table_page() {
  if (early_next - early_start >= kEarlyTablePages * kPageSize)
    kernel::panic("paging: more than {} early page-table pages needed", kEarlyTablePages);
  const uintptr_t page = early_next;
  early_next += kPageSize;
  auto* words = reinterpret_cast<uint64_t*>(page);
  for (size_t i = 0; i < kPageSize / 8; ++i) words[i] = 0;
  return page;
}

}  // namespace

void* phys_to_virt(uintptr_t phys) {
  // Before paging_init, only the boot identity map of the first GiB exists.
  return reinterpret_cast<void*>(direct_map_ready ? phys + kDirectMapBase : phys);
}

uintptr_t virt_to_phys(const void* virt) {
  const auto v = reinterpret_cast<uintptr_t>(virt);
  if (v >= kKernelVma) return v - kKernelVma;
  if (v >= kDirectMapBase && v < kDirectMapBase + (uintptr_t{1} << 46)) return v - kDirectMapBase;
  auto phys = translate(v);
  return phys.ok() ? phys.value() : 0;
}

PhysRange kernel_image() {
  return {KERNEL_PHYS, reinterpret_cast<uintptr_t>(kernel_end) - kKernelVma};
}

uintptr_t phys_address_limit() {
  unsigned bits = 36;  // without the extended leaf, the width of PAE
  if (x86::cpuid(0x80000000).eax >= 0x80000008) bits = x86::cpuid(0x80000008).eax & 0xff;
  if (bits > 52) bits = 52;  // the most a page-table entry can hold
  return uintptr_t{1} << bits;
}

PhysRange early_page_tables() { return {early_start, early_next}; }

uintptr_t boot_stack_guard_page() { return reinterpret_cast<uintptr_t>(boot_stack_guard); }

void paging_init(const kernel::BootInfo& boot) {
  early_next = kernel_image().end;  // page-aligned by the linker script
  for (bool moved = true; moved;) {
    moved = false;
    for (size_t i = 0; i < boot.module_count; ++i) {
      const kernel::BootModule& m = boot.modules[i];
      if (early_next < m.phys + m.size && early_next + kEarlyTablePages * kPageSize > m.phys) {
        early_next = (m.phys + m.size + kPageSize - 1) & ~(kPageSize - 1);
        moved = true;
      }
    }
  }
  early_start = early_next;
  // The window must be usable RAM that the boot page tables reach (the first 4 GiB).
  const uintptr_t window_end = early_start + kEarlyTablePages * kPageSize;
  bool usable = false;
  for (size_t i = 0; i < boot.region_count; ++i) {
    const kernel::MemoryRegion& r = boot.regions[i];
    usable = usable || (r.type == kernel::MemoryType::Usable && r.base <= early_start &&
                        window_end <= r.base + r.size);
  }
  if (!usable || window_end > (uintptr_t{4} << 30))
    kernel::panic("paging: no usable memory at {:#x} for the early page tables", early_start);
  const uintptr_t max_phys = boot.max_usable();
  const uintptr_t root_page = early_table_page();
  kernel_root = reinterpret_cast<uint64_t*>(root_page);

  // Direct map with 2 MiB pages, read/write, never executable; it covers at least the first
  // 4 GiB so that firmware tables anywhere below 4 GiB are reachable.
  const uintptr_t top = max_phys > (uintptr_t{4} << 30) ? max_phys : (uintptr_t{4} << 30);
  for (uintptr_t phys = 0; phys < top; phys += uintptr_t{1} << 21) {
    const uintptr_t virt = kDirectMapBase + phys;
    uint64_t* table = kernel_root;
    for (unsigned level = 3; level > 1; --level) {
      uint64_t& e = table[index_at(virt, level)];
      if (!(e & kPresent)) e = early_table_page() | kPresent | kWritable;
      table = table_at(e);
    }
    table[index_at(virt, 1)] = phys | kPresent | kWritable | kHuge | kGlobal | kNoExecute;
  }

  // The kernel image, page by page, with the rights of its section.
  const auto text = reinterpret_cast<uintptr_t>(kernel_text_start);
  const auto text_end = reinterpret_cast<uintptr_t>(kernel_text_end);
  const auto rodata_end = reinterpret_cast<uintptr_t>(kernel_rodata_end);
  const auto end = reinterpret_cast<uintptr_t>(kernel_end);
  for (uintptr_t v = text; v < end; v += kPageSize) {
    if (v == boot_stack_guard_page()) continue;  // the boot thread's stack guard
    const uint32_t flags = v < text_end ? kPageExec : v < rodata_end ? kPageRead : kPageWrite;
    uint64_t* table = kernel_root;
    for (unsigned level = 3; level > 0; --level) {
      uint64_t& e = table[index_at(v, level)];
      if (!(e & kPresent)) e = early_table_page() | kPresent | kWritable;
      table = table_at(e);
    }
    table[index_at(v, 0)] = (v - kKernelVma) | entry_bits(flags);
  }

  // Every kernel region's top-level entry exists before any user address space copies them.
  for (uintptr_t region : {kStackRegionBase, kTestRegionBase, kMmioBase, kFolioRegionBase}) {
    uint64_t& e = kernel_root[index_at(region, 3)];
    if (!(e & kPresent)) e = early_table_page() | kPresent | kWritable;
  }

  kernel_root_phys = root_page;
  x86::write_cr3(root_page);
  direct_map_ready = true;
  kernel_root = static_cast<uint64_t*>(phys_to_virt(root_page));
}

lib::Result<void> map_page(uintptr_t virt, uintptr_t phys, uint32_t flags) {
  kernel::SpinlockGuard guard(paging_lock);
  uint64_t* e = TRY(walk(kernel_root, virt, true));
  if (*e & kPresent) return lib::Error::AlreadyExists;
  *e = phys | entry_bits(flags);
  return {};
}

void unmap_pages(uintptr_t virt, size_t count, uintptr_t* frames) {
  kernel::SpinlockGuard guard(paging_lock);
  for (size_t i = 0; i < count; ++i) {
    const uintptr_t v = virt + i * kPageSize;
    auto e = walk(kernel_root, v, false);
    frames[i] = e.ok() && (*e.value() & kPresent) ? *e.value() & kAddressMask : 0;
    if (!frames[i]) continue;
    *e.value() = 0;
    x86::invlpg(v);
  }
  x86::tlb_shootdown(0);  // one for them all, before the caller frees the frames
}

lib::Result<uintptr_t> unmap_page(uintptr_t virt) {
  uintptr_t phys = 0;
  unmap_pages(virt, 1, &phys);
  if (!phys) return lib::Error::NotFound;
  return phys;
}

lib::Result<void> protect_page(uintptr_t virt, uint32_t flags) {
  kernel::SpinlockGuard guard(paging_lock);
  uint64_t* e = TRY(walk(kernel_root, virt, false));
  if (!(*e & kPresent)) return lib::Error::NotFound;
  *e = (*e & kAddressMask) | entry_bits(flags);
  x86::invlpg(virt);
  x86::tlb_shootdown(0);
  return {};
}

lib::Result<uintptr_t> translate(uintptr_t virt) {
  uint64_t* table = kernel_root;
  for (unsigned level = 3; level > 0; --level) {
    const uint64_t e = table[index_at(virt, level)];
    if (!(e & kPresent)) return lib::Error::NotFound;
    if (e & kHuge) {
      const uintptr_t span = uintptr_t{1} << (12 + 9 * level);
      return (e & kAddressMask & ~(span - 1)) + (virt & (span - 1));
    }
    table = table_at(e);
  }
  const uint64_t e = table[index_at(virt, 0)];
  if (!(e & kPresent)) return lib::Error::NotFound;
  return (e & kAddressMask) + (virt & (kPageSize - 1));
}

lib::Result<void*> map_mmio(uintptr_t phys, size_t size) {
  const uintptr_t first = phys & ~(kPageSize - 1);
  const size_t pages = (phys + size - first + kPageSize - 1) / kPageSize;
  uintptr_t base;
  {
    kernel::SpinlockGuard guard(paging_lock);
    if (mmio_next + pages * kPageSize > kMmioBase + kMmioSize) return lib::Error::NoMemory;
    base = mmio_next;
    mmio_next += (pages + 1) * kPageSize;  // one unmapped page between mappings
  }
  for (size_t i = 0; i < pages; ++i)
    TRY(map_page(base + i * kPageSize, first + i * kPageSize, kPageWrite | kPageUncached));
  return reinterpret_cast<void*>(base + (phys - first));
}

// ---- user address spaces ----------------------------------------------------------------

lib::Result<uintptr_t> user_root_create() {
  const uintptr_t root = TRY(kernel::pmm::alloc_zeroed_page());
  auto* table = static_cast<uint64_t*>(phys_to_virt(root));
  for (unsigned i = 256; i < 512; ++i) table[i] = kernel_root[i];  // the shared kernel half
  return root;
}

namespace {

void free_user_tables(uint64_t* table, unsigned level) {
  for (unsigned i = 0; i < (level == 3 ? 256u : 512u); ++i) {
    const uint64_t e = table[i];
    if (!(e & kPresent)) continue;
    if (level == 0) {
      if (e & kOwned) {
        kernel::release_user_frame(e & kAddressMask, e & kCopyOnWrite, !(e & kNoExecute));
      }
      continue;
    }
    free_user_tables(table_at(e), level - 1);
    (void)kernel::pmm::free_pages(e & kAddressMask);
  }
}

uint64_t* root_table(uintptr_t root) { return static_cast<uint64_t*>(phys_to_virt(root)); }

// A user page's entry changed or went: no CPU may go on using what it said (ipi.cc).
void flush_user_page(uintptr_t root, uintptr_t virt) {
  if (x86::read_cr3() == root) x86::invlpg(virt);
  x86::tlb_shootdown(root);
}

}  // namespace

void user_root_destroy(uintptr_t root) {
  x86::tlb_leave_root(root);  // no CPU may walk the tables once they are freed
  free_user_tables(root_table(root), 3);
  (void)kernel::pmm::free_pages(root);
}

namespace {

// A table of a user address space counts its present entries in its parent's entry, in bits
// the CPU ignores in an entry that points to a table (52-61): unmap frees a table the moment
// it empties without scanning it.
constexpr unsigned kLiveShift = 52;
constexpr uint64_t kLiveMask = uint64_t{0x3ff} << kLiveShift;

uint64_t live_entries(uint64_t parent) { return (parent & kLiveMask) >> kLiveShift; }

void add_live_entries(uint64_t& parent, int delta) {
  const uint64_t live = live_entries(parent) + static_cast<uint64_t>(delta);
  parent = (parent & ~kLiveMask) | (live << kLiveShift);
}

// The entries a user walk went through: entry[level] is the entry at that level (3: in the
// root; 0: the leaf).
struct UserPath {
  uint64_t* entry[4] = {};
};

// The tables an unmap emptied, given back only once no CPU's TLB can still reach them.
struct EmptiedTables {
  uintptr_t phys[3] = {};
  unsigned count = 0;
};

// Unlinks the tables emptied along path, from the one entry[level] points to upwards (the
// root stays): into emptied, or straight back to tables without it.
void release_empty_tables(UserPath& path, unsigned level, PageTableSource& tables,
                          EmptiedTables* emptied = nullptr) {
  for (; level <= 3; ++level) {
    uint64_t& e = *path.entry[level];
    if (!(e & kPresent) || live_entries(e) != 0) return;
    if (emptied) {
      emptied->phys[emptied->count++] = e & kAddressMask;
    } else {
      tables.free_table(e & kAddressMask);
    }
    e = 0;
    if (level < 3) add_live_entries(*path.entry[level + 1], -1);
  }
}

// Walks to virt's leaf entry under a user root, filling path; with tables, makes the tables
// that are missing (given back if one cannot be had). Errors: NotFound (without tables),
// the source's.
lib::Result<void> user_walk(uint64_t* root, uintptr_t virt, UserPath& path,
                            PageTableSource* tables) {
  uint64_t* table = root;
  for (unsigned level = 3; level > 0; --level) {
    uint64_t& e = table[index_at(virt, level)];
    path.entry[level] = &e;
    if (!(e & kPresent)) {
      if (!tables) return lib::Error::NotFound;
      auto page = tables->alloc_table();
      if (!page.ok()) {
        if (level < 3) release_empty_tables(path, level + 1, *tables);
        return page.error();
      }
      e = page.value() | kPresent | kWritable | kUser;  // rights are enforced at the leaf
      if (level < 3) add_live_entries(*path.entry[level + 1], 1);
    }
    table = table_at(e);
  }
  path.entry[0] = &table[index_at(virt, 0)];
  return {};
}

}  // namespace

lib::Result<void> user_map(uintptr_t root, uintptr_t virt, uintptr_t phys, uint32_t flags,
                           PageTableSource& tables) {
  if (virt >= kUserTop || (virt & (kPageSize - 1))) return lib::Error::InvalidArgument;
  kernel::SpinlockGuard guard(paging_lock);
  UserPath path;
  TRY(user_walk(root_table(root), virt, path, &tables));
  if (*path.entry[0] & kPresent) return lib::Error::AlreadyExists;
  *path.entry[0] = phys | entry_bits(flags | kPageUser);
  add_live_entries(*path.entry[1], 1);
  return {};
}

lib::Result<uintptr_t> user_unmap(uintptr_t root, uintptr_t virt, PageTableSource& tables) {
  if (virt >= kUserTop) return lib::Error::InvalidArgument;
  kernel::SpinlockGuard guard(paging_lock);
  UserPath path;
  TRY(user_walk(root_table(root), virt, path, nullptr));
  uint64_t& leaf = *path.entry[0];
  if (!(leaf & kPresent)) return lib::Error::NotFound;
  const uintptr_t phys = leaf & kAddressMask;
  leaf = 0;
  add_live_entries(*path.entry[1], -1);
  EmptiedTables emptied;
  release_empty_tables(path, 1, tables, &emptied);
  // invlpg also drops the paging-structure caches' entries, those of the emptied tables too.
  flush_user_page(root, virt);
  for (unsigned i = 0; i < emptied.count; ++i) tables.free_table(emptied.phys[i]);
  return phys;
}

lib::Result<uint32_t> user_page_flags(uintptr_t root, uintptr_t virt) {
  if (virt >= kUserTop) return lib::Error::InvalidArgument;
  kernel::SpinlockGuard guard(paging_lock);
  const uint64_t e = *TRY(walk(root_table(root), virt, false));
  if (!(e & kPresent)) return lib::Error::NotFound;
  uint32_t flags = kPageUser;
  if (e & kWritable) flags |= kPageWrite;
  if (!(e & kNoExecute)) flags |= kPageExec;
  if (e & kOwned) flags |= kPageOwned;
  if (e & kCopyOnWrite) flags |= kPageCopyOnWrite;
  if (e & kCacheDisable) flags |= kPageUncached;
  return flags;
}

lib::Result<void> user_remap(uintptr_t root, uintptr_t virt, uintptr_t phys, uint32_t flags) {
  if (virt >= kUserTop) return lib::Error::InvalidArgument;
  kernel::SpinlockGuard guard(paging_lock);
  uint64_t* e = TRY(walk(root_table(root), virt, false));
  if (!(*e & kPresent)) return lib::Error::NotFound;
  *e = phys |
       entry_bits((flags & (kPageWrite | kPageExec | kPageOwned | kPageCopyOnWrite)) | kPageUser);
  flush_user_page(root, virt);
  return {};
}

lib::Result<uintptr_t> user_page_frame(uintptr_t root, uintptr_t virt) {
  if (virt >= kUserTop) return lib::Error::InvalidArgument;
  kernel::SpinlockGuard guard(paging_lock);
  const uint64_t e = *TRY(walk(root_table(root), virt, false));
  if (!(e & kPresent)) return lib::Error::NotFound;
  return e & kAddressMask;
}

lib::Result<void> user_protect(uintptr_t root, uintptr_t virt, uint32_t flags) {
  if (virt >= kUserTop) return lib::Error::InvalidArgument;
  kernel::SpinlockGuard guard(paging_lock);
  uint64_t* e = TRY(walk(root_table(root), virt, false));
  if (!(*e & kPresent)) return lib::Error::NotFound;
  // The frame's ownership and sharing stay as they are: a shared frame stays read-only.
  const uint32_t kept =
      ((*e & kOwned) ? kPageOwned : 0) | ((*e & kCopyOnWrite) ? kPageCopyOnWrite : 0);
  *e = (*e & kAddressMask) | entry_bits((flags & (kPageWrite | kPageExec)) | kPageUser | kept);
  flush_user_page(root, virt);
  return {};
}

namespace {

// The level (3: the root's entry .. 0: the leaf) of the first entry missing on the way to
// virt's page, or -1 when the page is mapped.
int missing_level(uint64_t* root, uintptr_t virt) {
  uint64_t* table = root;
  for (int level = 3; level > 0; --level) {
    const uint64_t e = table[index_at(virt, unsigned(level))];
    if (!(e & kPresent)) return level;
    table = table_at(e);
  }
  return (table[index_at(virt, 0)] & kPresent) ? -1 : 0;
}

}  // namespace

// Skips a missing entry's whole span at once (512 GiB for one in the root), so the cost
// follows the tables that exist, not the size of the range.
uintptr_t user_next_mapped(uintptr_t root, uintptr_t virt, uintptr_t end) {
  if (end > kUserTop) end = kUserTop;
  virt &= ~(kPageSize - 1);
  kernel::SpinlockGuard guard(paging_lock);
  while (virt < end) {
    const int level = missing_level(root_table(root), virt);
    if (level < 0) return virt;
    const uintptr_t span = uintptr_t{1} << (12 + 9 * level);
    virt = (virt & ~(span - 1)) + span;
  }
  return end;
}

void switch_root(uintptr_t root) {
  const uintptr_t target = root ? root : kernel_root_phys;
  if (x86::read_cr3() == target) return;
  // Published first: a shootdown that misses it changed the entries before this load. The
  // CR3 write is serializing: the store is visible before the new tables are walked.
  __atomic_store_n(&x86::this_cpu().loaded_root, target, __ATOMIC_RELAXED);
  x86::write_cr3(target);
}

}  // namespace arch

namespace arch::x86 {

uintptr_t kernel_page_root() { return kernel_root_phys; }

}  // namespace arch::x86
