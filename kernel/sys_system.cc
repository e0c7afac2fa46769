// The syscall that reports on the machine itself, read-only: its memory (memory_info).

#include <stellina/sysinfo.h>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/pmm.h"
#include "kernel/silo.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<void> sys_memory_info(Handle silo, UserOut<abi::MemoryInfo> out) {
  {
    SpinlockGuard guard(sched_lock);
    Silo* s = TRY(current_process().handles().get<Silo>(silo, abi::kRightRead));
    if (s != &Silo::root()) return lib::Error::AccessDenied;  // the machine's, not a part
  }
  const lib::Heap::Stats heap = heap::stats();
  abi::MemoryInfo info{};
  info.total_bytes = pmm::total_page_count() * arch::kPageSize;
  info.free_bytes = pmm::free_page_count() * arch::kPageSize;
  info.kernel_heap_bytes = heap.live_bytes;
  info.kernel_heap_allocations = heap.live_allocations;
  info.kernel_heap_pages_bytes = (heap.slab_pages + heap.large_pages) * arch::kPageSize;
  return out.write(&info);
}

}  // namespace kernel
