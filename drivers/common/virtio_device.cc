#include "drivers/common/virtio_device.h"

#include <new>

namespace drivers {

lib::Result<void> VirtioDevice::open(const stellina::Component& driver,
                                     const stellina::Device& device, size_t dma_pages) {
  TRY(device.pci() ? open_pci(device) : open_mmio(device));
  return dma_.allocate(dma_pages, driver.parent().get());
}

lib::Result<void> VirtioDevice::open_mmio(const stellina::Device& device) {
  constexpr size_t kSlot = 0x200;
  const uint64_t offset = device.info.registers_offset;
  const Mmio page = TRY(map_registers(device.registers));
  if (offset > page.size() || page.size() - offset < kSlot) return lib::Error::InvalidArgument;
  auto transport = lib::virtio::MmioTransport::create(
      reinterpret_cast<volatile uint32_t*>(page.base() + offset), kSlot);
  if (!transport.ok()) return transport.error();
  transport_ = new (storage_) lib::virtio::MmioTransport(transport.release_value());
  return {};
}

lib::Result<void> VirtioDevice::open_pci(const stellina::Device& device) {
  TRY(pci_.open(device));
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
