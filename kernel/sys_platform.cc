// Syscalls on the platform: what the firmware says about the devices, and device memory.

#include "kernel/arch.h"
#include "kernel/folio.h"
#include "kernel/platform.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_platform_info(SyscallArgs a) {
  abi::PlatformInfo info;
  {
    SpinlockGuard guard(sched_lock);
    auto platform = current_process().handles().get<Platform>(handle_arg(a[0]), abi::kRightRead);
    if (!platform.ok()) return to_status(platform.error());
    info = platform.value()->info();
  }
  return to_return(copy_out(a[1], &info, sizeof(info)));
}

int64_t sys_device_map(SyscallArgs a) {
  Process& process = current_process();
  {
    SpinlockGuard guard(sched_lock);
    auto platform = process.handles().get<Platform>(handle_arg(a[0]), abi::kRightManage);
    if (!platform.ok()) return to_status(platform.error());
  }
  // The folio checks alignment and size; then its whole (page-rounded) range must be device
  // memory. Handing out RAM would let a process read and write any other's pages.
  Folio* folio = TRY_RESULT(Folio::create_device(a[1], a[2], &process.silo()));
  SpinlockGuard guard(sched_lock);
  if (!Platform::is_device_memory(a[1], folio->page_count() * arch::kPageSize)) {
    folio->release();
    return abi::kErrInvalidArgument;
  }
  auto h = process.handles().install(folio, abi::kRightsAll);
  folio->release();
  return to_return(h);
}

}  // namespace kernel
