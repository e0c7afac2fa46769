#pragma once
// The driver SDK: what every driver does with the device its typed environment holds
// (env().device, a stellina::Device: sdk/include/stellina/device_env.h).
//
//   DmaPages     memory the device reads and writes, with each page's physical address
//   Mmio         a mapped register window with bounds-checked, typed accesses
//   PciFunction  a PCI function: its configuration space and memory BARs, mapped
//
// Interrupts plug into the component's loop with Component::watch_interrupt.

#include <stellina/arch/dma.h>
#include <stellina/component.h>
#include <stellina/device_env.h>
#include <stellina/sys.h>

#include <lib/pci.h>
#include <lib/result.h>

namespace drivers {

namespace abi = stellina::abi;

constexpr size_t kPage = 4096;

// Plain stores to DMA memory before the register write that hands them to the device, and
// the device's status before the data it describes: the machine's barrier (sdk/arch/<cpu>/).
using stellina::arch::dma_barrier;

// A driver that lost its interrupt cannot go on: it ends, and restarted it resets the device.
inline void stop_driving(stellina::Component& driver, const char* why) {
  driver.log("{}: restarting", why);
  driver.stop(1);
}

// A status from a syscall as a Result: NoMemory for memory and quota, else InvalidArgument.
lib::Result<uint64_t> from_status(int64_t status);

// Pages of DMA memory: one folio, mapped, with the physical address of every page. A copy
// of the folio goes to the startup server (`keeper`, the driver's startup channel), which
// keeps the pages until it has stopped the device's DMA after the driver ended: a device
// never writes into memory that has gone back to the system.
class DmaPages {
 public:
  static constexpr size_t kMaxPages = 64;
  lib::Result<void> allocate(size_t pages, abi::Handle keeper);
  uint8_t* page(size_t i) const { return base_ + i * kPage; }
  uint64_t physical(size_t i) const { return physical_[i]; }
  size_t count() const { return count_; }

 private:
  uint8_t* base_ = nullptr;
  uint64_t physical_[kMaxPages] = {};
  size_t count_ = 0;
};

// A register window. Offsets are checked against the size: an access outside reads as all
// ones and writes nothing (a driver bug, not a fault).
class Mmio {
 public:
  Mmio() = default;
  Mmio(volatile uint8_t* base, size_t size) : base_(base), size_(size) {}
  template <typename T = uint32_t>
  T read(size_t offset) const {
    if (!fits<T>(offset)) return static_cast<T>(~T{0});
    return *reinterpret_cast<volatile T*>(base_ + offset);
  }
  template <typename T = uint32_t>
  void write(size_t offset, T value) const {
    if (fits<T>(offset)) *reinterpret_cast<volatile T*>(base_ + offset) = value;
  }
  volatile uint8_t* base() const { return base_; }
  size_t size() const { return size_; }

 private:
  template <typename T>
  bool fits(size_t offset) const {
    return base_ && offset % sizeof(T) == 0 && offset + sizeof(T) <= size_;
  }
  volatile uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

// Maps a device folio (uncached): the whole folio as one window.
lib::Result<Mmio> map_registers(abi::Handle folio);

// A PCI function given to a driver: its configuration space (4 KiB) and memory BARs.
class PciFunction final : public lib::pci::ConfigAccess {
 public:
  // Maps what device holds. Errors: InvalidArgument (not a PCI function), those of mapping;
  // NotFound (no configuration space).
  lib::Result<void> open(const stellina::Device& device);
  lib::pci::Address address() const { return {}; }  // config space is this function's alone
  const Mmio& bar(int i) const { return bars_[i]; }
  // Whether its interrupt is message-signalled.
  bool msix() const { return msi_address_ != 0; }
  // Memory decoding and bus mastering on; then either MSI-X on, with table entry 0 the
  // message the device's resources name (the interrupt handle is its vector), or INTx
  // on (the handle is its line). Errors: NotFound (no MSI-X capability, or its table is not
  // in a BAR given).
  lib::Result<void> enable();

  uint32_t read32(lib::pci::Address, uint16_t offset) override { return config_.read(offset); }
  void write32(lib::pci::Address, uint16_t offset, uint32_t value) override {
    config_.write(offset, value);
  }

 private:
  static constexpr uint16_t kEnable = lib::pci::kCommandMemory | lib::pci::kCommandBusMaster;
  Mmio config_;
  Mmio bars_[6];
  uint64_t msi_address_ = 0;
  uint32_t msi_data_ = 0;
};

}  // namespace drivers
