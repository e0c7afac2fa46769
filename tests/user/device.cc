// Device memory and DMA addresses through the platform capability. Handles: log, control,
// the platform (kRightRead | kRightManage | kRightDuplicate).
// The first message on control is a DeviceProbe: a physical address of device registers and
// the 32-bit value expected there (0 if none). The program checks every refusal itself and
// sends back a DeviceReport, then waits for a message on control before closing its handles
// (so the kernel can look at its folio's pages). Exits 0, or the step that failed.
#include "user_test.h"

using namespace test;

namespace {

struct DeviceProbe {
  uint64_t phys;      // device registers to map and read; 0: none on this machine
  uint32_t expected;  // the 32-bit value at phys
  uint32_t reserved;
};

struct DeviceReport {
  abi::PlatformInfo info;
  uint32_t value;  // what the mapping of probe.phys read
  uint32_t reserved;
  uint64_t pages[3];  // folio_physical of a three-page folio, each page holding its index
};

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxDevicePages = 4096;

bool refused(int64_t status, int64_t expected) { return status == expected; }

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  const abi::Handle control = startup.handles[1], platform = startup.handles[2];
  DeviceProbe probe{};
  abi::MessageBuffer first = data_message(&probe, sizeof(probe));
  if (receive(control, first) < 0 || first.data_size != sizeof(probe)) return 2;

  DeviceReport report{};
  if (sys::platform_info(platform, &report.info) != abi::kOk) return 3;
  if (report.info.ecam_base % kPage) return 4;
  if (report.info.ecam_base && report.info.ecam_bus_start > report.info.ecam_bus_end) return 5;
  // The legacy configuration ports: refused where there is ECAM; elsewhere arguments are
  // checked, and a function that is not there reads as all ones (microvm has no PCI).
  const int64_t host = sys::pci_config(platform, 0, 0, sys::kPciConfigRead);
  if (report.info.ecam_base) {
    if (host != abi::kErrNotSupported) return 6;
  } else {
    if (sys::pci_config(platform, 0, 2, sys::kPciConfigRead) != abi::kErrInvalidArgument ||
        sys::pci_config(platform, 0, 256, sys::kPciConfigRead) != abi::kErrInvalidArgument ||
        sys::pci_config(platform, 0x10000, 0, sys::kPciConfigRead) != abi::kErrInvalidArgument)
      return 7;
    if (sys::pci_config(platform, 0xffff, 0, sys::kPciConfigRead) != 0xffffffff) return 8;
  }
  if (sys::pci_config(control, 0, 0, sys::kPciConfigRead) != abi::kErrWrongType) return 9;

  // Device registers, mapped and read.
  if (probe.phys) {
    const int64_t regs = sys::device_map(platform, probe.phys, kPage);
    if (regs <= 0) return 10;
    uintptr_t address = 0;
    if (sys::folio_map(static_cast<abi::Handle>(regs), false, &address) != abi::kOk) return 11;
    report.value = *reinterpret_cast<volatile uint32_t*>(address);
    if (sys::folio_unmap(static_cast<uint64_t>(address)) != abi::kOk) return 12;
    // A device folio has physical addresses like any other: its own.
    if (sys::folio_physical(static_cast<abi::Handle>(regs), 0) != static_cast<int64_t>(probe.phys))
      return 13;
    if (sys::handle_close(static_cast<abi::Handle>(regs)) != abi::kOk) return 14;
    // A size that is not a page multiple is rounded up: two pages here.
    const int64_t two = sys::device_map(platform, probe.phys, kPage + 1);
    if (two <= 0) return 15;
    if (sys::folio_size(static_cast<abi::Handle>(two)) != static_cast<int64_t>(2 * kPage) ||
        sys::folio_size(platform) != abi::kErrWrongType ||
        sys::folio_physical(static_cast<abi::Handle>(two), 1) !=
            static_cast<int64_t>(probe.phys + kPage) ||
        !refused(sys::folio_physical(static_cast<abi::Handle>(two), 2), abi::kErrInvalidArgument))
      return 16;
    sys::handle_close(static_cast<abi::Handle>(two));
    // Unaligned, empty and too large requests.
    if (!refused(sys::device_map(platform, probe.phys + 1, kPage), abi::kErrInvalidArgument))
      return 17;
    if (!refused(sys::device_map(platform, probe.phys, 0), abi::kErrInvalidArgument)) return 18;
    if (!refused(sys::device_map(platform, probe.phys, (kMaxDevicePages + 1) * kPage),
                 abi::kErrTooLarge))
      return 19;
  }

  // Wrapping ranges and addresses beyond any CPU's reach.
  if (!refused(sys::device_map(platform, 0xfffffffffffff000ull, 2 * kPage),
               abi::kErrInvalidArgument))
    return 20;
  if (!refused(sys::device_map(platform, 1ull << 60, kPage), abi::kErrInvalidArgument)) return 21;

  // RAM is refused: the kernel image at 2 MiB, and a page of the program's own folio.
  if (!refused(sys::device_map(platform, 0x200000, kPage), abi::kErrInvalidArgument)) return 30;
  const int64_t folio = sys::folio_create(3 * kPage);
  if (folio <= 0) return 31;
  const auto f = static_cast<abi::Handle>(folio);
  uintptr_t mapped = 0;
  if (sys::folio_map(f, true, &mapped) != abi::kOk) return 32;
  for (uint64_t i = 0; i < 3; ++i) {
    *reinterpret_cast<volatile uint64_t*>(mapped + static_cast<int64_t>(i * kPage)) = 0xd3a0 + i;
    const int64_t phys = sys::folio_physical(f, i);
    if (phys <= 0 || phys % static_cast<int64_t>(kPage)) return 33;
    report.pages[i] = static_cast<uint64_t>(phys);
    if (!refused(sys::device_map(platform, report.pages[i], kPage), abi::kErrInvalidArgument))
      return 34;
  }
  if (!refused(sys::folio_physical(f, 3), abi::kErrInvalidArgument)) return 35;
  if (!refused(sys::folio_physical(f, ~0ull), abi::kErrInvalidArgument)) return 36;
  // folio_physical needs kRightMap.
  const int64_t no_map = sys::handle_duplicate(f, abi::kRightRead | abi::kRightWrite);
  if (no_map <= 0) return 37;
  if (!refused(sys::folio_physical(static_cast<abi::Handle>(no_map), 0), abi::kErrAccessDenied))
    return 38;

  // Rights on the platform: no kRightManage, no device memory; no kRightRead, no info.
  const int64_t read_only = sys::handle_duplicate(platform, abi::kRightRead);
  if (read_only <= 0) return 40;
  const auto ro = static_cast<abi::Handle>(read_only);
  abi::PlatformInfo again{};
  if (sys::platform_info(ro, &again) != abi::kOk || again.ecam_base != report.info.ecam_base)
    return 41;
  const uint64_t any_device = probe.phys ? probe.phys : 0xfeb00000;
  if (!refused(sys::device_map(ro, any_device, kPage), abi::kErrAccessDenied)) return 42;
  const int64_t manage_only = sys::handle_duplicate(platform, abi::kRightManage);
  if (manage_only <= 0) return 43;
  if (!refused(sys::platform_info(static_cast<abi::Handle>(manage_only), &again),
               abi::kErrAccessDenied))
    return 44;
  // Another object is not a platform; a bad pointer is a fault.
  if (!refused(sys::device_map(control, any_device, kPage), abi::kErrWrongType)) return 45;
  if (!refused(sys::platform_info(platform, nullptr), abi::kErrFault)) return 46;

  abi::MessageBuffer out = data_message(&report, sizeof(report));
  if (sys::channel_send(control, &out) != abi::kOk) return 50;
  uint64_t done = 0;
  abi::MessageBuffer ack = data_message(&done, sizeof(done));
  if (receive(control, ack) < 0) return 51;
  if (sys::folio_unmap(static_cast<uint64_t>(mapped)) != abi::kOk) return 52;
  sys::handle_close(f);
  return 0;
}
