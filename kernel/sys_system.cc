// The syscalls about the machine itself: its memory (memory_info, read-only), and turning it
// off or resetting it (system_power).

#include <stellina/sysinfo.h>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/pmm.h"
#include "kernel/power.h"
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

lib::Result<void> sys_system_power(Handle silo, uint32_t action) {
  if (action != abi::kPowerOff && action != abi::kPowerReset) return lib::Error::InvalidArgument;
  {
    SpinlockGuard guard(sched_lock);
    Silo* s = TRY(current_process().handles().get<Silo>(silo, abi::kRightManage));
    if (s != &Silo::root()) return lib::Error::AccessDenied;  // the machine's, not a part
  }
  // Validated: from here it does not return.
  if (action == abi::kPowerReset) power::reboot();
  power::shutdown();
}

}  // namespace kernel
