#include "drivers/common/device.h"

#include <lib/string_view.h>

namespace drivers {

namespace sys = stellina::sys;

lib::Result<uint64_t> from_status(int64_t status) {
  if (status >= 0) return static_cast<uint64_t>(status);
  return status == abi::kErrNoMemory || status == abi::kErrQuotaExceeded
             ? lib::Error::NoMemory
             : lib::Error::InvalidArgument;
}

lib::Result<void> DmaPages::allocate(size_t pages, abi::Handle keeper) {
  if (pages == 0 || pages > kMaxPages || base_) return lib::Error::InvalidArgument;
  const auto folio = static_cast<abi::Handle>(TRY(from_status(sys::folio_create(pages * kPage))));
  auto copy =
      static_cast<abi::Handle>(TRY(from_status(sys::handle_duplicate(folio, abi::kRightTransfer))));
  abi::MessageBuffer m{};
  m.kind = abi::MessageKind::Data;
  const lib::StringView tag = "dma";  // what the startup server keeps DMA memory by
  m.data = const_cast<char*>(tag.data());
  m.data_size = static_cast<uint32_t>(tag.size());
  m.handles = &copy;
  m.handle_count = 1;
  if (sys::channel_send(keeper, &m) != abi::kOk) {
    sys::handle_close(copy);
    return lib::Error::NoResources;  // without a keeper the pages could outlive nothing
  }
  uintptr_t base = 0;
  TRY(from_status(sys::folio_map(folio, true, &base)));
  base_ = reinterpret_cast<uint8_t*>(base);
  for (size_t p = 0; p < pages; ++p) physical_[p] = TRY(from_status(sys::folio_physical(folio, p)));
  count_ = pages;
  return {};
}

lib::Result<Mmio> map_registers(abi::Handle folio) {
  const size_t size = TRY(from_status(sys::folio_size(folio)));
  uintptr_t address = 0;
  TRY(from_status(sys::folio_map(folio, true, &address)));
  return Mmio(reinterpret_cast<volatile uint8_t*>(address), size);
}

lib::Result<void> PciFunction::open(const stellina::Device& device) {
  if (!device.pci()) return lib::Error::InvalidArgument;
  config_ = TRY(map_registers(device.registers));
  if (config_.size() < kPage) return lib::Error::NotFound;
  for (int i = 0; i < 6; ++i)
    if (device.bars[i] != abi::kInvalidHandle) bars_[i] = TRY(map_registers(device.bars[i]));
  msi_address_ = device.info.msi_address;
  msi_data_ = device.info.msi_data;
  return {};
}

lib::Result<void> PciFunction::enable() {
  using lib::pci::kCommandIntxDisable;
  if (!msix()) {
    lib::pci::update_command(*this, {}, kEnable, kCommandIntxDisable);
    return {};
  }
  // The MSI-X capability (PCI Local Bus 3.0, 6.8.2): message control in the upper half of
  // its first dword (bit 31 enable, bit 30 function mask), then the table's offset and BAR.
  const uint16_t cap = lib::pci::find_capability(*this, {}, lib::pci::kCapabilityMsiX);
  if (cap == 0) return lib::Error::NotFound;
  const uint32_t table = read32({}, static_cast<uint16_t>(cap + 4));
  const Mmio& bar = bars_[table & 7];
  const size_t entry = table & ~uint32_t{7};
  if (!bar.base() || entry + 16 > bar.size()) return lib::Error::NotFound;
  lib::pci::update_command(*this, {}, kEnable, 0);
  bar.write<uint32_t>(entry + 0, static_cast<uint32_t>(msi_address_));
  bar.write<uint32_t>(entry + 4, static_cast<uint32_t>(msi_address_ >> 32));
  bar.write<uint32_t>(entry + 8, msi_data_);
  bar.write<uint32_t>(entry + 12, 0);  // unmasked
  const uint32_t control = read32({}, cap);
  write32({}, cap, (control & ~(1u << 30)) | 1u << 31);
  return {};
}

}  // namespace drivers
