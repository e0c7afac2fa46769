// Syscalls on the platform: what the firmware says about the devices, device memory, and
// legacy PCI configuration access.

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

int64_t sys_pci_config(SyscallArgs a) {
  {
    SpinlockGuard guard(sched_lock);
    auto platform = current_process().handles().get<Platform>(handle_arg(a[0]), abi::kRightManage);
    if (!platform.ok()) return to_status(platform.error());
    if (platform.value()->info().ecam_base != 0) return abi::kErrNotSupported;
  }
  if (a[1] > 0xffff || a[2] >= 256 || a[2] % 4 != 0) return abi::kErrInvalidArgument;
  const auto function = static_cast<uint32_t>(a[1]);
  const auto offset = static_cast<uint16_t>(a[2]);
  if (a[3] > 0xffffffff) return arch::pci_config_read(function, offset);
  arch::pci_config_write(function, offset, static_cast<uint32_t>(a[3]));
  return abi::kOk;
}

}  // namespace kernel
