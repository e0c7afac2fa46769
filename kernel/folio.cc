#include "kernel/folio.h"

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/pmm.h"

namespace kernel {

lib::Result<Folio*> Folio::create(size_t size, Silo* silo) {
  const size_t pages = (size + arch::kPageSize - 1) / arch::kPageSize;
  if (pages == 0 || pages > kMaxPages || size > kMaxPages * arch::kPageSize)
    return lib::Error::InvalidArgument;
  Folio* folio = TRY(heap::create<Folio>());
  if (silo) {
    auto charged =
        folio->charge_to(*silo, sizeof(Folio) + pages * (sizeof(uintptr_t) + arch::kPageSize));
    if (!charged.ok()) {
      folio->release();
      return charged.error();
    }
  }
  auto array = heap::alloc(pages * sizeof(uintptr_t));
  if (!array.ok()) {
    folio->release();
    return array.error();
  }
  folio->pages_ = static_cast<uintptr_t*>(array.value());
  for (size_t i = 0; i < pages; ++i) {
    auto page = pmm::alloc_zeroed_page();
    if (!page.ok()) {
      folio->release();  // frees the pages made so far
      return page.error();
    }
    folio->pages_[folio->page_count_++] = page.value();
  }
  return folio;
}

lib::Result<Folio*> Folio::create_device(uintptr_t phys, size_t size, Silo* silo) {
  static_assert(kPageBytes == arch::kPageSize);
  if ((phys & (arch::kPageSize - 1)) || size == 0) return lib::Error::InvalidArgument;
  const size_t pages = size / arch::kPageSize + (size % arch::kPageSize ? 1 : 0);
  if (pages > kMaxPages) return lib::Error::TooLarge;
  if (phys + pages * arch::kPageSize < phys) return lib::Error::InvalidArgument;
  Folio* folio = TRY(heap::create<Folio>());
  if (silo) {
    auto charged = folio->charge_to(*silo, sizeof(Folio));
    if (!charged.ok()) {
      folio->release();
      return charged.error();
    }
  }
  folio->kind_ = Kind::Device;
  folio->contiguous_base_ = phys;
  folio->page_count_ = pages;
  return folio;
}

lib::Result<Folio*> Folio::create_static(uintptr_t phys, size_t size) {
  if ((phys & (arch::kPageSize - 1)) || size == 0) return lib::Error::InvalidArgument;
  const size_t pages = size / arch::kPageSize + (size % arch::kPageSize ? 1 : 0);
  if (phys + pages * arch::kPageSize < phys) return lib::Error::InvalidArgument;
  Folio* folio = TRY(heap::create<Folio>());
  folio->kind_ = Kind::Static;
  folio->contiguous_base_ = phys;
  folio->page_count_ = pages;
  return folio;
}

Folio::~Folio() {
  if (kind_ != Kind::Owned) return;  // the device's pages, or the kernel's: never freed
  for (size_t i = 0; i < page_count_; ++i) (void)pmm::free_pages(pages_[i]);
  heap::free(pages_);
}

}  // namespace kernel
