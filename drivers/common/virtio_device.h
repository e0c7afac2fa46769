#pragma once
// What a virtio driver does first: open its device's transport from the resources it was
// given, whichever bus it sits on, and make its DMA memory.
//
//   virtio-mmio  device.registers is the page holding the registers (at registers_offset)
//   virtio-pci   device.registers is the function's configuration space, whose
//                capabilities say where in the BARs the structures are
//
// Either way device.interrupt is the interrupt; reading the transport's interrupt status
// acknowledges it at the device.

#include <stellina/component.h>

#include <lib/virtio.h>

#include "drivers/common/device.h"

namespace drivers {

class VirtioDevice {
 public:
  // driver's parent keeps a copy of the DMA pages (DmaPages). Errors: InvalidArgument (a bad
  // registers offset), NotSupported (a legacy transport), NotFound (virtio-pci structures
  // missing or not in a BAR given), those of mapping and allocation.
  lib::Result<void> open(const stellina::Component& driver, const stellina::Device& device,
                         size_t dma_pages);

  lib::virtio::Transport& transport() { return *transport_; }
  bool ready() const { return transport_ != nullptr; }
  uint8_t* page(size_t i) const { return dma_.page(i); }
  uint64_t page_phys(size_t i) const { return dma_.physical(i); }
  // The queue memory for one queue: pages first and first + 1.
  lib::virtio::QueueMemory queue_memory(size_t first) const {
    return {page(first), page_phys(first), page(first + 1), page_phys(first + 1)};
  }

 private:
  lib::Result<void> open_mmio(const stellina::Device& device);
  lib::Result<void> open_pci(const stellina::Device& device);

  static constexpr size_t kStorage = sizeof(lib::virtio::MmioTransport) >
                                             sizeof(lib::virtio::PciTransport)
                                         ? sizeof(lib::virtio::MmioTransport)
                                         : sizeof(lib::virtio::PciTransport);
  alignas(lib::virtio::MmioTransport) alignas(
      lib::virtio::PciTransport) unsigned char storage_[kStorage];
  lib::virtio::Transport* transport_ = nullptr;  // in storage_ once open
  PciFunction pci_;
  DmaPages dma_;
};

}  // namespace drivers
