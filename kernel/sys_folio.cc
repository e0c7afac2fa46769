// Syscalls on folios: create, map, unmap, their size, and the physical address of a page
// (for DMA).

#include "kernel/arch.h"
#include "kernel/folio.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_folio_create(SyscallArgs a) {
  Folio* folio = TRY_RESULT(Folio::create(a[0], &current_process().silo()));
  SpinlockGuard guard(sched_lock);
  auto h = current_process().handles().install(folio, abi::kRightsAll);
  folio->release();
  return to_return(h);
}

int64_t sys_folio_map(SyscallArgs a) {
  const bool writable = a[1] != 0;
  const uint32_t rights = abi::kRightMap | (writable ? abi::kRightWrite : 0);
  const uint32_t flags = writable ? arch::kPageWrite : 0;
  Process& process = current_process();
  uint64_t address;
  {
    SpinlockGuard guard(sched_lock);
    auto folio = process.handles().get<Folio>(handle_arg(a[0]), rights);
    if (!folio.ok()) return to_status(folio.error());
    // Lent by the kernel to be read (the boot archive): no right makes it writable.
    if (writable && folio.value()->read_only()) return abi::kErrAccessDenied;
    auto mapped = process.in_kernel() ? process.kernel_folios().map(folio.value(), flags)
                                      : process.address_space().map_folio(folio.value(), flags);
    if (!mapped.ok()) return to_status(mapped.error());
    address = mapped.value();
  }
  // Outside the lock: the copy may fault in a demand-zero page.
  if (copy_out(a[2], &address, sizeof(address)).ok()) return abi::kOk;
  SpinlockGuard guard(sched_lock);
  (void)(process.in_kernel() ? process.kernel_folios().unmap(address)
                             : process.address_space().unmap_folio(address));
  return abi::kErrFault;
}

int64_t sys_folio_unmap(SyscallArgs a) {
  SpinlockGuard guard(sched_lock);
  Process& process = current_process();
  return to_return(process.in_kernel() ? process.kernel_folios().unmap(a[0])
                                       : process.address_space().unmap_folio(a[0]));
}

int64_t sys_folio_physical(SyscallArgs a) {
  SpinlockGuard guard(sched_lock);
  auto folio = current_process().handles().get<Folio>(handle_arg(a[0]), abi::kRightMap);
  if (!folio.ok()) return to_status(folio.error());
  if (a[1] >= folio.value()->page_count()) return abi::kErrInvalidArgument;
  return static_cast<int64_t>(folio.value()->page(a[1]));
}

int64_t sys_folio_size(SyscallArgs a) {
  SpinlockGuard guard(sched_lock);
  auto folio = current_process().handles().get<Folio>(handle_arg(a[0]), 0);
  if (!folio.ok()) return to_status(folio.error());
  return static_cast<int64_t>(folio.value()->page_count() * arch::kPageSize);
}

}  // namespace kernel
