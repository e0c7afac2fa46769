// Syscalls on the platform: what the firmware says about the devices, device memory, and
// legacy PCI configuration access.

#include "kernel/arch.h"
#include "kernel/folio.h"
#include "kernel/platform.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<void> sys_platform_info(Handle platform, UserOut<abi::PlatformInfo> out) {
  abi::PlatformInfo info;
  {
    SpinlockGuard guard(sched_lock);
    info = TRY(current_process().handles().get<Platform>(platform, abi::kRightRead))->info();
  }
  return out.write(&info);
}

namespace {

// A Folio over device memory, charged to the caller's silo. The folio checks alignment and
// size; then its whole (page-rounded) range must be device memory. Handing out RAM would let
// a process read and write any other's pages.
lib::Result<Folio*> map_device(uint64_t phys, uint64_t size) {
  Folio* folio = TRY(Folio::create_device(phys, size, &current_process().silo()));
  SpinlockGuard guard(sched_lock);
  if (!Platform::is_device_memory(phys, folio->page_count() * arch::kPageSize)) {
    folio->release();
    return lib::Error::InvalidArgument;
  }
  return folio;
}

}  // namespace

lib::Result<Handle> sys_device_map(Handle platform, uint64_t phys, uint64_t size) {
  {
    SpinlockGuard guard(sched_lock);
    TRY(current_process().handles().get<Platform>(platform, abi::kRightManage));
  }
  return install_new([&] { return map_device(phys, size); });
}

lib::Result<uint64_t> sys_pci_config(Handle platform, uint32_t function, uint32_t offset,
                                     uint64_t value) {
  {
    SpinlockGuard guard(sched_lock);
    Platform* p = TRY(current_process().handles().get<Platform>(platform, abi::kRightManage));
    if (p->info().ecam_base != 0) return lib::Error::NotSupported;
  }
  if (function > 0xffff || offset >= 256 || offset % 4 != 0) return lib::Error::InvalidArgument;
  const auto register_offset = static_cast<uint16_t>(offset);
  if (value > 0xffffffff) return arch::pci_config_read(function, register_offset);
  arch::pci_config_write(function, register_offset, static_cast<uint32_t>(value));
  return 0;
}

}  // namespace kernel
