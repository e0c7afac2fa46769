#include "drivers/common/mmio_device.h"

#include <new>

namespace drivers {

namespace abi = stellina::abi;
namespace sys = stellina::sys;

namespace {

// "offset=0x..." in the device line.
lib::Result<uint64_t> offset_of(const char* s, size_t n) {
  for (size_t i = 0; i + 9 < n; ++i) {
    if (__builtin_memcmp(s + i, "offset=0x", 9) != 0) continue;
    uint64_t v = 0;
    for (size_t k = i + 9; k < n && k < i + 9 + 8; ++k) {
      const char c = s[k];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) break;
      v = v * 16 + static_cast<uint64_t>(d);
    }
    return v;
  }
  return lib::Error::InvalidArgument;
}

template <typename T>
lib::Result<T> from_status(int64_t r) {
  if (r >= 0) return static_cast<T>(r);
  return r == abi::kErrNoMemory || r == abi::kErrQuotaExceeded ? lib::Error::NoMemory
                                                               : lib::Error::InvalidArgument;
}

}  // namespace

lib::Result<void> MmioDevice::open(abi::Handle regs, const char* line, size_t size,
                                   size_t dma_pages) {
  constexpr size_t kSlot = 0x200;
  const uint64_t offset = TRY(offset_of(line, size));
  if (offset + kSlot > kPage || dma_pages > kMaxDmaPages) return lib::Error::InvalidArgument;
  const auto mapped = TRY(from_status<uintptr_t>(sys::folio_map(regs, true)));
  const auto dma = TRY(from_status<abi::Handle>(sys::folio_create(dma_pages * kPage)));
  dma_ = reinterpret_cast<uint8_t*>(TRY(from_status<uintptr_t>(sys::folio_map(dma, true))));
  for (size_t p = 0; p < dma_pages; ++p)
    phys_[p] = TRY(from_status<uint64_t>(sys::folio_physical(dma, p)));
  auto transport = lib::virtio::MmioTransport::create(
      reinterpret_cast<volatile uint32_t*>(mapped + offset), kSlot);
  if (!transport.ok()) return transport.error();
  transport_ = new (storage_) lib::virtio::MmioTransport(transport.release_value());
  return {};
}

}  // namespace drivers
