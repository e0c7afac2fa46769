#include "drivers/common/virtio_device.h"

#include <new>

namespace drivers {

lib::Result<void> VirtioDevice::open(const stellina::Component& driver, const char* text,
                                     size_t size, size_t dma_pages) {
  abi::Handle resources[kMaxResources];
  for (size_t k = 0; k < kMaxResources; ++k)
    resources[k] = driver.startup_handle(kFirstResource + k);
  const DeviceLine line(text, size);
  size_t n = 0;
  TRY(line.word("pci", &n) ? open_pci(resources, line) : open_mmio(resources[0], line));
  return dma_.allocate(dma_pages, driver.startup_handle(1));
}

lib::Result<void> VirtioDevice::open_mmio(abi::Handle regs, const DeviceLine& line) {
  constexpr size_t kSlot = 0x200;
  const uint64_t offset = TRY(line.number("offset"));
  const Mmio page = TRY(map_registers(regs));
  if (offset > page.size() || page.size() - offset < kSlot) return lib::Error::InvalidArgument;
  auto transport = lib::virtio::MmioTransport::create(
      reinterpret_cast<volatile uint32_t*>(page.base() + offset), kSlot);
  if (!transport.ok()) return transport.error();
  transport_ = new (storage_) lib::virtio::MmioTransport(transport.release_value());
  return {};
}

lib::Result<void> VirtioDevice::open_pci(const abi::Handle* resources, const DeviceLine& line) {
  TRY(pci_.open(resources, line));
  const lib::virtio::PciCapabilities caps =
      TRY(lib::virtio::parse_pci_capabilities(pci_, pci_.address()));
  volatile uint8_t* bars[6] = {};
  uint64_t sizes[6] = {};
  for (int i = 0; i < 6; ++i) {
    bars[i] = pci_.bar(i).base();
    sizes[i] = pci_.bar(i).size();
  }
  auto transport = lib::virtio::PciTransport::create(caps, bars, sizes);
  if (!transport.ok()) return transport.error();
  TRY(pci_.enable());
  auto* pci = new (storage_) lib::virtio::PciTransport(transport.release_value());
  if (pci_.msix()) pci->use_msix_vector(0);  // table entry 0, the one enable() programmed
  transport_ = pci;
  return {};
}

}  // namespace drivers
