#pragma once
// A folio: physically backed pages that processes map into their address spaces. The same
// folio mapped by two processes is shared memory: data moves between them without copying.
// A device folio covers device memory instead (registers, a PCI configuration window): its
// pages belong to the device, are never freed, and are mapped uncached.

#include <lib/result.h>

#include "kernel/object.h"

namespace kernel {

class Folio final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Folio;
  static constexpr size_t kMaxPages = 4096;  // 16 MiB

  // Zeroed pages, size rounded up to whole pages. With a silo, the pages and the folio's
  // bookkeeping are charged to it while the folio exists. Errors: InvalidArgument (0 or
  // above kMaxPages pages), QuotaExceeded, NoMemory.
  static lib::Result<Folio*> create(size_t size, Silo* silo = nullptr);
  // The device memory [phys, phys + size), size rounded up to whole pages. It is not RAM, so
  // only the folio's bookkeeping is charged to silo (when given). The caller has checked
  // that the range is device memory (Platform::is_device_memory). Errors: InvalidArgument
  // (phys not page-aligned, size 0, the range wraps), TooLarge (above kMaxPages pages),
  // QuotaExceeded, NoMemory.
  static lib::Result<Folio*> create_device(uintptr_t phys, size_t size, Silo* silo = nullptr);

  // RAM the kernel keeps for its whole life and lends out to be read (the boot archive):
  // [phys, phys + size), size rounded up to whole pages, which the caller has reserved and
  // nothing else uses. Its pages are never freed, and it is never mapped writable, whatever
  // the rights of a handle to it. Not charged to any silo. Errors: InvalidArgument (phys not
  // page-aligned, size 0, the range wraps), NoMemory.
  static lib::Result<Folio*> create_static(uintptr_t phys, size_t size);

  size_t page_count() const { return page_count_; }
  // The physical address of page i (< page_count()).
  uintptr_t page(size_t i) const {
    return kind_ == Kind::Owned ? pages_[i] : contiguous_base_ + i * kPageBytes;
  }
  bool is_device() const { return kind_ == Kind::Device; }
  // A static folio: folio_map refuses to map it writable.
  bool read_only() const { return kind_ == Kind::Static; }

  Folio() : Object(kType) {}

 private:
  ~Folio() override;
  static constexpr size_t kPageBytes = 4096;  // arch::kPageSize
  enum class Kind : uint8_t {
    Owned,   // pages from the physical allocator, freed with the folio
    Device,  // device memory: not RAM, never freed, mapped uncached
    Static,  // RAM the kernel keeps (the boot archive): never freed, never writable
  };
  size_t page_count_ = 0;
  uintptr_t* pages_ = nullptr;  // physical addresses of owned pages (Kind::Owned only)
  Kind kind_ = Kind::Owned;
  uintptr_t contiguous_base_ = 0;  // the first page of a device or static folio
};

}  // namespace kernel
