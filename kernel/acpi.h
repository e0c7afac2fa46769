#pragma once
// ACPI tables: interrupt controllers (MADT), power control (FADT, and the \_S5 sleep type
// from the DSDT) and the PCI configuration window (MCFG). Without ACPI, the defaults are the
// machine's (arch::kDefaultLapicPhys, one I/O APIC at arch::kDefaultIoApicPhys), no overrides.

#include <cstddef>
#include <cstdint>

#include "kernel/arch.h"

namespace kernel {
struct BootInfo;
}

namespace kernel::acpi {

// A Generic Address Structure: where a register lives.
struct Register {
  uint8_t space = 0;  // 0 system memory, 1 system I/O
  uint8_t width_bits = 0;
  uint64_t address = 0;
  bool present() const { return address != 0; }
};

struct IoApic {
  uint64_t phys;
  uint32_t gsi_base;
};

struct IsaOverride {
  uint8_t source;
  uint32_t gsi;
  uint16_t flags;
};

struct Info {
  static constexpr size_t kMaxListedCpus = 64;
  bool present = false;
  char oem[7] = {};
  uint64_t lapic_phys = arch::kDefaultLapicPhys;
  IoApic ioapics[4] = {{arch::kDefaultIoApicPhys, 0}};
  size_t ioapic_count = 1;
  IsaOverride overrides[16] = {};
  size_t override_count = 0;
  // Processors (MADT local APIC and x2APIC entries marked enabled), by APIC ID in the table's
  // order; the boot CPU is among them. Entries beyond kMaxListedCpus, or with an ID the xAPIC
  // cannot address (above 254), are counted in cpus_unusable; entries not enabled (slots
  // for CPUs that could be plugged in later) are skipped. Without a MADT the list is empty:
  // the boot CPU alone.
  uint32_t cpu_apic_ids[kMaxListedCpus] = {};
  size_t cpu_count = 0;
  size_t cpus_unusable = 0;
  // Power (FADT).
  bool hardware_reduced = false;
  uint32_t pm1a_control = 0;  // I/O port
  uint32_t pm1b_control = 0;
  uint8_t s5_sleep_type_a = 0;
  uint8_t s5_sleep_type_b = 0;
  Register sleep_control;  // hardware-reduced ACPI (microvm)
  Register reset;
  uint8_t reset_value = 0;
  // PCI ECAM (MCFG): the window of segment 0 and the buses it covers; 0 if none (microvm).
  uint64_t ecam_base = 0;
  uint8_t ecam_bus_start = 0;
  uint8_t ecam_bus_end = 0;
};

void init(const BootInfo& boot);
const Info& info();

// Writes value to a register described by a Generic Address Structure.
void write_register(const Register& reg, uint64_t value);

}  // namespace kernel::acpi
