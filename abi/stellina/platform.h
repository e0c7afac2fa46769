#pragma once
// The Platform object: the authority over the machine's devices (one, created at boot, given
// to the startup server). What platform_info reports about the firmware's device tables, and
// the flags of interrupt_create.

#include <stdint.h>

namespace stellina::abi {

struct PlatformInfo {
  uint64_t ecam_base;                     // PCI ECAM window of segment 0 (ACPI MCFG); 0 if none
  uint32_t ecam_bus_start, ecam_bus_end;  // the buses it covers
  uint32_t has_acpi;                      // 1 if the firmware gave ACPI tables
  uint32_t reserved;
};

// interrupt_create's flags: the trigger mode and polarity of the line. 0: edge, active high.
constexpr uint32_t kInterruptLevel = 1u << 0;      // level-triggered
constexpr uint32_t kInterruptActiveLow = 1u << 1;  // asserted low
// A message-signalled interrupt (PCI MSI or MSI-X) instead of a line: gsi must be 0, no
// other flag may be set, and the kernel fills an MsiMessage with what the device must write
// where to raise it.
constexpr uint32_t kInterruptMsi = 1u << 2;
constexpr uint32_t kInterruptFlagsAll = kInterruptLevel | kInterruptActiveLow | kInterruptMsi;

// What a device writes to raise a message-signalled interrupt: program these into an MSI-X
// table entry (Message Address, Message Upper Address, Message Data).
struct MsiMessage {
  uint64_t address;
  uint32_t data;
  uint32_t reserved;
};

}  // namespace stellina::abi
