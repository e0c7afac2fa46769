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
constexpr uint32_t kInterruptFlagsAll = kInterruptLevel | kInterruptActiveLow;

}  // namespace stellina::abi
