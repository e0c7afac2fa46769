// PCI configuration mechanism #1: the address goes to port 0xcf8, the data comes and goes
// through port 0xcfc. Machines without an ECAM window (no ACPI MCFG, as QEMU's pc) have only
// this; the two port accesses must not be split by another user of the pair.

#include "cpu.h"
#include "kernel/arch.h"
#include "kernel/spinlock.h"

namespace arch {

namespace {

constexpr uint16_t kConfigAddress = 0xcf8, kConfigData = 0xcfc;
kernel::Spinlock config_lock;  // every CPU may use the pair

uint32_t address_of(uint32_t function, uint16_t offset) {
  return 1u << 31 | (function & 0xffff) << 8 | (offset & 0xfc);
}

}  // namespace

uint32_t pci_config_read(uint32_t function, uint16_t offset) {
  kernel::SpinlockGuard guard(config_lock);
  x86::outl(kConfigAddress, address_of(function, offset));
  return x86::inl(kConfigData);
}

void pci_config_write(uint32_t function, uint16_t offset, uint32_t value) {
  kernel::SpinlockGuard guard(config_lock);
  x86::outl(kConfigAddress, address_of(function, offset));
  x86::outl(kConfigData, value);
}

}  // namespace arch
