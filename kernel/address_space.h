#pragma once
// A user address space: the lower half of its own page tables (the kernel half is shared),
// and the regions where touching an unmapped page gets a fresh zeroed page instead of a fault.
// Its page tables, the root included, are charged to its silo like its pages, and a table that
// an unmap leaves empty is freed at once: what a process can make the kernel hold in tables
// is bounded by its quota, however it maps and unmaps.

#include <lib/result.h>

#include "kernel/arch.h"
#include "kernel/folio.h"
#include "kernel/object.h"
#include "kernel/silo.h"

namespace kernel {

class AddressSpace final : public Object, private arch::PageTableSource {
 public:
  static constexpr ObjectType kType = ObjectType::AddressSpace;
  static constexpr size_t kMaxRegions = 32;

  // Its pages and page tables are charged to silo (4 KiB each) until they are freed, at the
  // latest when the address space is destroyed. Errors: QuotaExceeded (no room for the root
  // table), NoMemory.
  static lib::Result<AddressSpace*> create(Ref<Silo> silo);
  uintptr_t root() const { return root_; }
  // Page tables below the root it holds now (each charged to its silo).
  size_t table_pages() const { return table_pages_; }

  // Declares [start, start + size) as demand-zero memory with the given arch::PageFlags
  // (kPageWrite, kPageExec). Errors: InvalidArgument (unaligned, outside user space),
  // AlreadyExists (overlaps a region), NoResources (too many regions).
  lib::Result<void> add_region(uintptr_t start, size_t size, uint32_t flags);
  // Maps a fresh page at virt holding a copy of data (the rest zeroed). virt must lie in a
  // region; the page gets the region's rights. Errors: InvalidArgument, QuotaExceeded,
  // NoMemory, AlreadyExists.
  lib::Result<void> populate(uintptr_t virt, const uint8_t* data, size_t size);
  // Maps page index of a static folio (the boot archive: its frames are never freed nor
  // written) at virt, read-only, with the rights of virt's demand-zero region: a program's
  // code and read-only data, shared by every process of the program and with the archive.
  // The frame is not the address space's own: never freed with it, and not charged to its
  // silo (the page tables that map it are). Errors: InvalidArgument (virt unaligned or in no
  // demand-zero region, a writable region, a folio that is not static, index out of range),
  // AlreadyExists, QuotaExceeded and NoMemory (a page table).
  lib::Result<void> map_static_page(uintptr_t virt, const Folio& folio, size_t index);
  // Maps every page of folio at a free address chosen by the address space, with flags
  // (kPageWrite or not), uncached for a device folio; the mapping keeps the folio alive.
  // Returns the address. Addresses are handed out next-fit above kFolioBase, with an
  // unmapped guard page after each mapping, wrapping around at the top of user space: a
  // map/unmap loop moves on through the address space and never runs out of it.
  // Errors: NoResources (too many regions), NoMemory (no room, or no memory for a page
  // table), QuotaExceeded (no quota left for a page table).
  lib::Result<uintptr_t> map_folio(Folio* folio, uint32_t flags);
  // Maps every page of folio at start, which must be free (a Linux shared mapping: mmap
  // chose the place). The mapping keeps the folio alive, is shared as it is by a fork, and
  // unmap_range takes it away whole. Errors: InvalidArgument (unaligned, outside user
  // space), AlreadyExists (overlaps a region), NoResources, NoMemory, QuotaExceeded.
  lib::Result<void> map_folio_at(uintptr_t start, Folio* folio, uint32_t flags);
  // The folio a folio mapping holds at addr, and addr's offset in it (*offset); null when
  // no folio mapping covers addr. The reference is the mapping's: good while sched_lock is held.
  Folio* folio_at(uintptr_t addr, size_t* offset) const;
  // Removes the folio mapping that starts at addr. Errors: NotFound.
  lib::Result<void> unmap_folio(uintptr_t addr);

  // Anonymous memory as a Linux process asks for it (mmap, munmap, mprotect, brk), on
  // demand-zero regions only (a range touching a folio mapping is refused: InvalidArgument).
  // flags: kPageWrite, kPageExec, or kNoAccess (PROT_NONE: a fault there is refused).
  static constexpr uint32_t kNoAccess = 1u << 8;
  // Demand-zero memory at [start, start + size), merged with a neighbouring region of the same
  // rights. Errors: those of add_region.
  lib::Result<void> map_anonymous(uintptr_t start, size_t size, uint32_t flags);
  // Unmaps every page of [start, start + size) (their frames and charges go back) and takes
  // the range out of the regions, splitting one where needed. A folio mapping wholly inside
  // the range goes whole. A range over nothing is no error. Errors: InvalidArgument
  // (unaligned, outside user space, part of a folio mapping),
  // NoResources (a split needs more than kMaxRegions).
  lib::Result<void> unmap_range(uintptr_t start, size_t size);
  // Gives [start, start + size) new rights, in the regions and the pages already mapped.
  // Pages already mapped and made kNoAccess stay mapped read-only (not yet enforced).
  // Errors: NotFound (part of the range is in no region: Linux's ENOMEM), and those of
  // unmap_range.
  lib::Result<void> protect_range(uintptr_t start, size_t size, uint32_t flags);
  // The highest free range of size bytes that ends at or below top and starts at or above
  // floor. Errors: NoMemory (none).
  lib::Result<uintptr_t> free_range_below(uintptr_t top, size_t size, uintptr_t floor) const;

  // A copy of this address space for a forked process, charged to the same silo: the same
  // regions; every page mapped in a demand-zero region shared copy-on-write (both mappings
  // read-only, kPageCopyOnWrite, the frame counted in kernel/shared_frames.h, and copied by
  // handle_fault at the first write on either side; a copy now when the table of shared
  // frames is full); and the same frames for folio mappings (shared for good, as a shared
  // mapping is across fork). The child is charged for every page it maps, shared or not, so
  // its quota holds when it writes them. Errors: QuotaExceeded, NoMemory (undone).
  lib::Result<AddressSpace*> clone_for_fork() REQUIRES(sched_lock);
  // Pages the address space owns (charged to its silo).
  size_t owned_pages() const { return owned_pages_; }

  // Resolves a fault at addr if it is in a region that allows the access: maps a zeroed page.
  enum class FaultResult { Mapped, Refused, OverQuota };
  FaultResult handle_fault(uintptr_t addr, bool write, bool exec);
  // Whether a region (mapped or demand-zero) covers addr: a fault there refused its access
  // rather than found nothing (Linux's SEGV_ACCERR against SEGV_MAPERR).
  bool has_region(uintptr_t addr) const { return find(addr) != nullptr; }

  AddressSpace() : Object(kType) {}  // use create

 private:
  ~AddressSpace() override;
  struct Region {
    uintptr_t start, end;
    uint32_t flags;
    Folio* folio;  // a reference, for folio mappings; null for demand-zero memory
  };
  // Where folios get mapped: 512 MiB, in the first 1 GiB with a Stellina program's code and
  // stack (kernel/spawn.cc), so that a process's mappings share their upper page tables.
  static constexpr uintptr_t kFolioBase = uintptr_t{512} << 20;
  uintptr_t next_folio_address_ = kFolioBase;
  const Region* find(uintptr_t addr) const;
  // The first region overlapping [start, end), or null.
  const Region* overlapping(uintptr_t start, uintptr_t end) const;
  // Where a folio mapping of size bytes can go (next fit). Errors: NoMemory.
  lib::Result<uintptr_t> folio_address(size_t size) const;
  // PageTableSource: tables charged to the silo like pages.
  lib::Result<uintptr_t> alloc_table() override;
  void free_table(uintptr_t phys) override;
  // A fresh zeroed page charged to the silo. Errors: QuotaExceeded, NoMemory.
  lib::Result<uintptr_t> charged_page();
  // Unmaps the pages of [start, end) and gives back the frames the space owns.
  void release_pages(uintptr_t start, uintptr_t end);
  // Whether a range of aligned, in-bounds user addresses.
  static bool valid_range(uintptr_t start, size_t size);
  // Regions a cut at start and at end would add (each region split in two by one).
  size_t splits_needed(uintptr_t start, uintptr_t end) const;
  // Splits the demand-zero region holding addr (strictly inside it) in two at addr; the
  // caller made sure a slot is free.
  void split_at(uintptr_t addr);
  // Merges demand-zero regions that touch and have the same rights.
  void coalesce();
  // Maps region r's mapped pages into child, shared (clone_for_fork).
  lib::Result<void> copy_region_into(const Region& r, AddressSpace& child);
  // The page at va (frame, with flags kPageWrite/kPageExec) into child: shared
  // copy-on-write, or copied when no more frames can be shared.
  lib::Result<void> share_page_with(uintptr_t va, uintptr_t frame, uint32_t flags,
                                    AddressSpace& child);
  lib::Result<void> copy_page_into(uintptr_t va, uintptr_t frame, uint32_t flags,
                                   AddressSpace& child) const;
  // A write to a kPageCopyOnWrite page at virt of a region with flags: the page becomes this
  // space's own (a copy if another space still maps the frame).
  FaultResult break_sharing(uintptr_t virt, uint32_t flags);
  // Maps a page from charged_page; gives it (and its charge) back if that fails.
  lib::Result<void> map_charged(uintptr_t virt, uintptr_t page, uint32_t flags);

  uintptr_t root_ = 0;
  Ref<Silo> silo_;
  size_t owned_pages_ = 0;  // mapped pages the address space owns (charged to silo_)
  size_t table_pages_ = 0;  // page tables below the root (charged to silo_, as is the root)
  Region regions_[kMaxRegions] = {};
  size_t region_count_ = 0;
};

}  // namespace kernel
