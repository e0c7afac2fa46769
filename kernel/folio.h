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
  static constexpr size_t kMaxPages = 1024;  // 4 MiB

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

  size_t page_count() const { return page_count_; }
  // The physical address of page i (< page_count()).
  uintptr_t page(size_t i) const { return device_ ? device_base_ + i * kPageBytes : pages_[i]; }
  bool is_device() const { return device_; }

  Folio() : Object(kType) {}

 private:
  ~Folio() override;
  static constexpr size_t kPageBytes = 4096;  // arch::kPageSize
  size_t page_count_ = 0;
  uintptr_t* pages_ = nullptr;  // physical addresses of owned pages (not for a device folio)
  bool device_ = false;
  uintptr_t device_base_ = 0;  // a device folio's first page
};

}  // namespace kernel
