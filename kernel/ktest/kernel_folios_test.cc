// The folio mappings of components built into the kernel (kernel/kernel_folios.h): what is
// written through a mapping is the folio's page, the table holds kMaxMappings and refuses
// the next, and what is unmapped is gone and its window free again.

#include "kernel/kernel_folios.h"
#include "kernel/arch.h"
#include "kernel/folio.h"
#include "kernel/ktest/ktest.h"
#include "kernel/spinlock.h"

namespace kernel {
namespace {

KTEST(kernel_folios_map_limit_unmap) {
  auto created = Folio::create(2 * arch::kPageSize);
  KREQUIRE(created.ok());
  Folio* folio = created.value();
  {
    KernelFolios folios;
    auto first = folios.map(folio, arch::kPageWrite);
    KREQUIRE(first.ok());
    KEXPECT(first.value() >= arch::kFolioRegionBase &&
            first.value() < arch::kFolioRegionBase + arch::kFolioRegionSize);
    // The second page, written through the mapping, is the folio's second page.
    KEXPECT(arch::probe_write(first.value() + arch::kPageSize + 5, 0x6b));
    KEXPECT(static_cast<uint8_t*>(arch::phys_to_virt(folio->page(1)))[5] == 0x6b);
    // Past the folio is the window's unmapped gap.
    uint8_t byte = 0;
    KEXPECT(!arch::probe_read(first.value() + 2 * arch::kPageSize, &byte));

    uintptr_t last = first.value();
    for (size_t i = 1; i < KernelFolios::kMaxMappings; ++i) {
      auto mapped = folios.map(folio, 0);
      KREQUIRE(mapped.ok());
      KEXPECT(mapped.value() != last);
      last = mapped.value();
    }
    KEXPECT(folios.map(folio, 0).error() == lib::Error::NoResources);  // one too many
    KEXPECT(folios.unmap(first.value() + 1).error() == lib::Error::NotFound);
    KREQUIRE(folios.unmap(first.value()).ok());
    KEXPECT(!arch::probe_read(first.value(), &byte));
    KEXPECT(folios.unmap(first.value()).error() == lib::Error::NotFound);
    // Its window is free again: the next mapping takes it (first fit).
    auto again = folios.map(folio, 0);
    KEXPECT(again.ok() && again.value() == first.value());
  }  // the rest is unmapped with the table
  uint8_t byte = 0;
  KEXPECT(!arch::probe_read(arch::kFolioRegionBase, &byte));
  SpinlockGuard guard(sched_lock);
  folio->release();
}

}  // namespace
}  // namespace kernel
