#pragma once
// What a virtio-mmio driver does first: find its registers in the page it was given (the
// device line on its startup channel says where), map them, and make its DMA memory.

#include <stellina/sys.h>

#include <lib/result.h>
#include <lib/virtio.h>

namespace drivers {

class MmioDevice {
 public:
  static constexpr size_t kPage = 4096;
  static constexpr size_t kMaxDmaPages = 16;

  // regs: the device folio of the registers' page; line: "device MATCH offset=0x...";
  // dma_pages: how many pages of DMA memory to make. Errors: InvalidArgument (no or a bad
  // offset), NotSupported (not a version 2 transport), those of mapping and allocation.
  lib::Result<void> open(stellina::abi::Handle regs, const char* line, size_t size,
                         size_t dma_pages);

  lib::virtio::Transport& transport() { return *transport_; }
  bool ready() const { return transport_ != nullptr; }
  uint8_t* page(size_t i) const { return dma_ + i * kPage; }
  uint64_t page_phys(size_t i) const { return phys_[i]; }
  // The queue memory for one queue: pages first and first + 1.
  lib::virtio::QueueMemory queue_memory(size_t first) const {
    return {page(first), phys_[first], page(first + 1), phys_[first + 1]};
  }

 private:
  alignas(lib::virtio::MmioTransport) unsigned char storage_[sizeof(lib::virtio::MmioTransport)];
  lib::virtio::Transport* transport_ = nullptr;  // in storage_ once open
  uint8_t* dma_ = nullptr;
  uint64_t phys_[kMaxDmaPages] = {};
};

}  // namespace drivers
