// Devices: which physical ranges count as device memory, device folios, and a user program
// that maps device registers through the platform capability and reads them, is refused RAM,
// and learns the physical addresses of its folio's pages.

#include <stellina/platform.h>

#include "kernel/acpi.h"
#include "kernel/address_space.h"
#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/folio.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/platform.h"
#include "kernel/pmm.h"
#include "kernel/silo.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr uintptr_t kPage = arch::kPageSize;
// microvm's first virtio-mmio transport, and the value of its MagicValue register ("virt").
constexpr uintptr_t kVirtioMmioBase = 0xfeb00000;
constexpr uint32_t kVirtioMagic = 0x74726976;
// q35's host bridge (bus 0, device 0, function 0): vendor 8086, device 29c0.
constexpr uint32_t kQ35HostBridgeId = 0x29c08086;

// Whether the machine has PCI, asked the legacy way (configuration ports 0xcf8/0xcfc), which
// needs no ACPI: the vendor id of bus 0 device 0 function 0 is all ones where there is none.
bool legacy_pci_present() {
  arch::io_write(0xcf8, 0x80000000u, 4);
  return (arch::io_read(0xcfc, 4) & 0xffff) != 0xffff;
}

// What tests/user/device.cc receives and sends back.
struct DeviceProbe {
  uint64_t phys;
  uint32_t expected;
  uint32_t reserved;
};
struct DeviceReport {
  stellina::abi::PlatformInfo info;
  uint32_t value;
  uint32_t reserved;
  uint64_t pages[3];
};

bool in_usable_ram(uintptr_t phys) {
  const BootInfo& boot = boot_info();
  for (size_t i = 0; i < boot.region_count; ++i) {
    const MemoryRegion& r = boot.regions[i];
    if (r.type == MemoryType::Usable && phys >= r.base && phys + kPage <= r.base + r.size)
      return true;
  }
  return false;
}

KTEST(platform_refuses_ram_as_device_memory) {
  const BootInfo& boot = boot_info();
  KREQUIRE(boot.region_count > 0);
  for (size_t i = 0; i < boot.region_count; ++i) {
    const MemoryRegion& r = boot.regions[i];
    const uintptr_t first = r.base & ~(kPage - 1);
    const uintptr_t last = (r.base + r.size - 1) & ~(kPage - 1);
    const bool ram = r.type != MemoryType::Reserved;
    if (ram) {
      KEXPECT(!Platform::is_device_memory(first, kPage));
      KEXPECT(!Platform::is_device_memory(last, kPage));
      // A range that only touches the region at its end.
      if (first >= 4 * kPage) KEXPECT(!Platform::is_device_memory(first - 3 * kPage, 4 * kPage));
    }
  }
  const arch::PhysRange image = arch::kernel_image();
  KEXPECT(!Platform::is_device_memory(image.start, kPage));
  KEXPECT(!Platform::is_device_memory((image.end - 1) & ~(kPage - 1), kPage));
  for (size_t i = 0; i < boot.module_count; ++i)
    KEXPECT(!Platform::is_device_memory(boot.modules[i].phys & ~(kPage - 1), kPage));
  // Empty, wrapping, and beyond the CPU's physical addresses.
  KEXPECT(!Platform::is_device_memory(kVirtioMmioBase, 0));
  KEXPECT(!Platform::is_device_memory(~uintptr_t{0} - kPage + 1, 2 * kPage));
  KEXPECT(!Platform::is_device_memory(arch::phys_address_limit(), kPage));
  KEXPECT(!Platform::is_device_memory(arch::phys_address_limit() - kPage, 2 * kPage));
  // Where the interrupt controllers are: not RAM on any PC.
  KEXPECT(Platform::is_device_memory(0xfee00000, kPage));
  KEXPECT(Platform::is_device_memory(0xfec00000, kPage));
  const uint64_t ecam = acpi::info().ecam_base;
  if (ecam) KEXPECT(Platform::is_device_memory(ecam, kPage));
}

KTEST(folio_over_device_memory_is_not_ram) {
  const size_t pages_before = pmm::free_page_count();
  KEXPECT(Folio::create_device(0xfee00001, kPage).error() == lib::Error::InvalidArgument);
  KEXPECT(Folio::create_device(0xfee00000, 0).error() == lib::Error::InvalidArgument);
  KEXPECT(Folio::create_device(0xfee00000, (Folio::kMaxPages + 1) * kPage).error() ==
          lib::Error::TooLarge);
  KEXPECT(Folio::create_device(~uintptr_t{0} - kPage + 1, 2 * kPage).error() ==
          lib::Error::InvalidArgument);
  auto created = Folio::create_device(0xfec00000, 2 * kPage + 1);
  KREQUIRE(created.ok());
  Ref<Folio> folio = Ref<Folio>::adopt(created.value());
  KEXPECT(folio->is_device());
  KEXPECT(folio->page_count() == 3);
  for (size_t i = 0; i < 3; ++i) KEXPECT(folio->page(i) == 0xfec00000 + i * kPage);
  drop(folio);
  KEXPECT(pmm::free_page_count() == pages_before);
}

KTEST(device_folios_are_mapped_uncached) {
  auto space = AddressSpace::create(Ref<Silo>(&Silo::root()));
  KREQUIRE(space.ok());
  Ref<AddressSpace> as = Ref<AddressSpace>::adopt(space.value());
  auto device = Folio::create_device(0xfec00000, kPage);
  auto ram = Folio::create(kPage);
  KREQUIRE(device.ok() && ram.ok());
  Ref<Folio> device_folio = Ref<Folio>::adopt(device.value());
  Ref<Folio> ram_folio = Ref<Folio>::adopt(ram.value());
  auto device_at = as->map_folio(device_folio.get(), arch::kPageWrite);
  auto ram_at = as->map_folio(ram_folio.get(), arch::kPageWrite);
  KREQUIRE(device_at.ok() && ram_at.ok());
  auto device_flags = arch::user_page_flags(as->root(), device_at.value());
  auto ram_flags = arch::user_page_flags(as->root(), ram_at.value());
  KREQUIRE(device_flags.ok() && ram_flags.ok());
  KEXPECT(device_flags.value() & arch::kPageUncached);
  KEXPECT(device_flags.value() & arch::kPageWrite);
  KEXPECT(!(device_flags.value() & (arch::kPageOwned | arch::kPageExec)));
  KEXPECT(!(ram_flags.value() & arch::kPageUncached));
  drop(as, device_folio, ram_folio);
}

KTEST(user_device_memory_and_dma_addresses) {
  Platform* platform = Platform::get();  // lives forever: made before counting
  const SpawnHandle log = log_handle();
  sched::sleep_ns(10'000'000);  // let earlier tests' exited threads be reaped first
  const auto heap_before = heap::stats();
  const size_t pages_before = pmm::free_page_count();

  const bool pci = legacy_pci_present();
  const uint64_t ecam = acpi::info().ecam_base;
  KEXPECT(pci == (ecam != 0));  // q35 has an MCFG; microvm has neither PCI nor one
  DeviceProbe probe{};
  if (pci && ecam) {
    probe = {ecam, kQ35HostBridgeId, 0};  // bus 0 device 0 function 0: its vendor and device
  } else if (!pci) {
    probe = {kVirtioMmioBase, kVirtioMagic, 0};
  }

  Pair control = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {
      log,
      {control.user_end.get(), abi::kRightsAll},
      {platform, abi::kRightRead | abi::kRightManage | abi::kRightDuplicate}};
  auto p = spawn_from_archive("device", handles, 3, exit.user_end);
  KREQUIRE(p.ok());
  {
    auto m = Message::create(MessageKind::Data, 0, sizeof(probe));
    KREQUIRE(m.ok());
    __builtin_memcpy(m.value()->data, &probe, sizeof(probe));
    SpinlockGuard guard(sched_lock);
    KEXPECT(control.kernel_end->send(m.value()).ok());
  }
  Message* m = next_message(control.kernel_end.get(), 30 * kSecond);
  DeviceReport report{};
  const bool reported = m && m->data_size == sizeof(report);
  if (reported) __builtin_memcpy(&report, m->data, sizeof(report));
  if (m) free_message(m);
  KEXPECT(reported);
  if (reported) {
    print("ktest:   ecam {:#x} buses {}-{}, acpi {}; {:#x} reads {:#x}\n", report.info.ecam_base,
          report.info.ecam_bus_start, report.info.ecam_bus_end, report.info.has_acpi, probe.phys,
          report.value);
    KEXPECT(report.info.ecam_base == ecam);
    KEXPECT(report.info.has_acpi == (acpi::info().present ? 1u : 0u));
    if (ecam) KEXPECT(report.info.ecam_bus_start == 0 && report.info.ecam_bus_end >= 1);
    KEXPECT(report.value == probe.expected);
    // The DMA addresses are the folio's own pages, in RAM, holding what the program wrote.
    for (uint64_t i = 0; i < 3; ++i) {
      const uintptr_t phys = report.pages[i];
      KEXPECT(phys % kPage == 0 && in_usable_ram(phys));
      if (phys % kPage == 0 && in_usable_ram(phys))
        KEXPECT(*static_cast<volatile uint64_t*>(arch::phys_to_virt(phys)) == 0xd3a0 + i);
    }
    KEXPECT(report.pages[0] != report.pages[1] && report.pages[1] != report.pages[2]);
  }
  if (reported) send_u64(control.kernel_end.get(), 1);  // done looking: it may close its folio
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  if (info.code) print("ktest:   device: step {} failed ({})\n", info.code, info.detail);
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  Ref<Process> process = p.release_value();
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);

  // Everything comes back, and the device pages never went to the allocator.
  for (int spin = 0; spin < 100 && pmm::free_page_count() != pages_before; ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(pmm::free_page_count() == pages_before);
  KEXPECT(heap::stats().live_allocations == heap_before.live_allocations);
}

}  // namespace
}  // namespace kernel
