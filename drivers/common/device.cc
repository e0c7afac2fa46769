#include "drivers/common/device.h"

namespace drivers {

namespace sys = stellina::sys;

lib::Result<uint64_t> from_status(int64_t status) {
  if (status >= 0) return static_cast<uint64_t>(status);
  return status == abi::kErrNoMemory || status == abi::kErrQuotaExceeded
             ? lib::Error::NoMemory
             : lib::Error::InvalidArgument;
}

const char* DeviceLine::word(const char* key, size_t* length) const {
  size_t k = 0;
  while (key[k]) ++k;
  *length = 0;
  for (size_t i = 0; i + k + 1 <= size_; ++i) {
    const bool starts = i == 0 || text_[i - 1] == ' ';
    if (!starts || __builtin_memcmp(text_ + i, key, k) != 0 || text_[i + k] != '=') continue;
    const char* at = text_ + i + k + 1;
    while (at + *length < text_ + size_ && at[*length] != ' ' && at[*length] != '\0') ++*length;
    return at;
  }
  return nullptr;
}

namespace {

// A number: hexadecimal with 0x, else decimal. Errors: InvalidArgument.
lib::Result<uint64_t> parse_number(const char* at, size_t n) {
  const bool hex = n > 2 && at[0] == '0' && at[1] == 'x';
  if (n == 0) return lib::Error::InvalidArgument;
  uint64_t v = 0;
  for (size_t i = hex ? 2 : 0; i < n; ++i) {
    const char c = at[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0 || v > (~uint64_t{0} >> 4)) return lib::Error::InvalidArgument;
    v = v * (hex ? 16 : 10) + static_cast<uint64_t>(d);
  }
  return v;
}

}  // namespace

lib::Result<uint64_t> DeviceLine::number(const char* key) const {
  size_t n = 0;
  const char* at = word(key, &n);
  if (!at) return lib::Error::NotFound;
  return parse_number(at, n);
}

lib::Result<void> DmaPages::allocate(size_t pages, abi::Handle keeper) {
  if (pages == 0 || pages > kMaxPages || base_) return lib::Error::InvalidArgument;
  const auto folio = static_cast<abi::Handle>(TRY(from_status(sys::folio_create(pages * kPage))));
  auto copy =
      static_cast<abi::Handle>(TRY(from_status(sys::handle_duplicate(folio, abi::kRightTransfer))));
  abi::MessageBuffer m{};
  m.kind = abi::MessageKind::Data;
  m.data = const_cast<char*>("dma");
  m.data_size = 3;
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

lib::Result<void> PciFunction::open(const abi::Handle* resources, const DeviceLine& line) {
  config_ = TRY(map_registers(resources[0]));
  if (config_.size() < kPage) return lib::Error::NotFound;
  for (int i = 0; i < 6; ++i) {
    const char key[5] = {'b', 'a', 'r', static_cast<char>('0' + i), '\0'};
    auto handle = line.number(key);
    if (!handle.ok()) continue;
    const uint64_t k = handle.value() - kFirstResource;
    if (handle.value() < kFirstResource || k >= kMaxResources) return lib::Error::InvalidArgument;
    bars_[i] = TRY(map_registers(resources[k]));
  }
  size_t n = 0;
  if (const char* msi = line.word("msi", &n)) {  // "0xADDRESS,0xDATA"
    size_t comma = 0;
    while (comma < n && msi[comma] != ',') ++comma;
    if (comma == n) return lib::Error::InvalidArgument;
    msi_address_ = TRY(parse_number(msi, comma));
    msi_data_ = static_cast<uint32_t>(TRY(parse_number(msi + comma + 1, n - comma - 1)));
    if (msi_address_ == 0) return lib::Error::InvalidArgument;
  }
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
