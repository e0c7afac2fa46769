// The syscall that reports on the machine itself, read-only: its memory (memory_info).

#include <stellina/sysinfo.h>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/pmm.h"
#include "kernel/silo.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_memory_info(SyscallArgs a) {
  {
    SpinlockGuard guard(sched_lock);
    auto silo = current_process().handles().get<Silo>(handle_arg(a[0]), abi::kRightRead);
    if (!silo.ok()) return to_status(silo.error());
    if (silo.value() != &Silo::root()) return abi::kErrAccessDenied;  // the machine's, not a part
  }
  const lib::Heap::Stats heap = heap::stats();
  abi::MemoryInfo info{};
  info.total_bytes = pmm::total_page_count() * arch::kPageSize;
  info.free_bytes = pmm::free_page_count() * arch::kPageSize;
  info.kernel_heap_bytes = heap.live_bytes;
  info.kernel_heap_allocations = heap.live_allocations;
  info.kernel_heap_pages_bytes = (heap.slab_pages + heap.large_pages) * arch::kPageSize;
  return to_return(copy_out(a[1], &info, sizeof(info)));
}

}  // namespace kernel
