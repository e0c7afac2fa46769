// Syscalls on folios: create, map, unmap, their size, and the physical address of a page
// (for DMA).

#include "kernel/arch.h"
#include "kernel/folio.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<Handle> sys_folio_create(uint64_t size) {
  return install_new([&] { return Folio::create(size, &current_process().silo()); });
}

lib::Result<void> sys_folio_map(Handle h, bool writable, UserOut<uint64_t> address) {
  const uint32_t rights = abi::kRightMap | (writable ? abi::kRightWrite : 0);
  const uint32_t flags = writable ? arch::kPageWrite : 0;
  Process& process = current_process();
  uint64_t mapped;
  {
    SpinlockGuard guard(sched_lock);
    Folio* folio = TRY(process.handles().get<Folio>(h, rights));
    // Lent by the kernel to be read (the boot archive): no right makes it writable.
    if (writable && folio->read_only()) return lib::Error::AccessDenied;
    mapped = TRY(process.in_kernel() ? process.kernel_folios().map(folio, flags)
                                     : process.address_space().map_folio(folio, flags));
  }
  // Outside the lock: the copy may fault in a demand-zero page.
  auto written = address.write(&mapped);
  if (written.ok()) return {};
  SpinlockGuard guard(sched_lock);
  (void)(process.in_kernel() ? process.kernel_folios().unmap(mapped)
                             : process.address_space().unmap_folio(mapped));
  return written.error();
}

lib::Result<void> sys_folio_unmap(uint64_t address) {
  SpinlockGuard guard(sched_lock);
  Process& process = current_process();
  return process.in_kernel() ? process.kernel_folios().unmap(address)
                             : process.address_space().unmap_folio(address);
}

lib::Result<uint64_t> sys_folio_physical(Handle h, uint64_t page_index) {
  SpinlockGuard guard(sched_lock);
  Folio* folio = TRY(current_process().handles().get<Folio>(h, abi::kRightMap));
  if (page_index >= folio->page_count()) return lib::Error::InvalidArgument;
  return folio->page(page_index);
}

lib::Result<uint64_t> sys_folio_size(Handle h) {
  SpinlockGuard guard(sched_lock);
  Folio* folio = TRY(current_process().handles().get<Folio>(h, 0));
  return folio->page_count() * arch::kPageSize;
}

}  // namespace kernel
