#include "servers/devmgr/devices.h"

#include <lib/format.h>

namespace devmgr {

namespace sys = stellina::sys;

namespace {

constexpr size_t kPage = 4096;
constexpr size_t kBusBytes = size_t{1} << 20;  // ECAM: 32 devices x 8 functions x 4 KiB
constexpr size_t kMaxBuses = 16;               // buses mapped at most (16 MiB of windows)

// ECAM: each bus's 1 MiB window is mapped when first read.
class Ecam final : public lib::pci::ConfigAccess {
 public:
  Ecam(abi::Handle platform, const abi::PlatformInfo& info) : platform_(platform), info_(info) {}
  ~Ecam() {
    for (size_t i = 0; i < mapped_count_; ++i) {
      sys::folio_unmap(mapped_[i].address);
      sys::handle_close(mapped_[i].folio);
    }
  }

  uint32_t read32(lib::pci::Address a, uint16_t offset) override {
    volatile uint32_t* r = reg(a, offset);
    return r ? *r : 0xffffffff;
  }
  void write32(lib::pci::Address a, uint16_t offset, uint32_t value) override {
    if (volatile uint32_t* r = reg(a, offset)) *r = value;
  }

 private:
  struct Window {
    uint8_t bus;
    abi::Handle folio;
    uintptr_t address;
  };

  volatile uint32_t* reg(lib::pci::Address a, uint16_t offset) {
    if (a.bus < info_.ecam_bus_start || a.bus > info_.ecam_bus_end || offset >= kPage)
      return nullptr;
    const uintptr_t base = window(a.bus);
    if (!base) return nullptr;
    const uintptr_t at = base + (uintptr_t{a.device} << 15 | uintptr_t{a.function} << 12 | offset);
    return reinterpret_cast<volatile uint32_t*>(at);
  }

  uintptr_t window(uint8_t bus) {
    for (size_t i = 0; i < mapped_count_; ++i)
      if (mapped_[i].bus == bus) return mapped_[i].address;
    if (mapped_count_ == kMaxBuses) return 0;
    const uint64_t phys = info_.ecam_base + uint64_t{bus} * kBusBytes;  // MCFG: bus 0 base
    const int64_t folio = sys::device_map(platform_, phys, kBusBytes);
    if (folio < 0) return 0;
    const int64_t address = sys::folio_map(static_cast<abi::Handle>(folio), true);
    if (address < 0) {
      sys::handle_close(static_cast<abi::Handle>(folio));
      return 0;
    }
    mapped_[mapped_count_++] = {bus, static_cast<abi::Handle>(folio),
                                static_cast<uintptr_t>(address)};
    return static_cast<uintptr_t>(address);
  }

  abi::Handle platform_;
  abi::PlatformInfo info_;
  Window mapped_[kMaxBuses] = {};
  size_t mapped_count_ = 0;
};

// virtio-mmio on QEMU's microvm: 24 transports of 512 bytes from 0xfeb00000.
constexpr uint64_t kVirtioMmioBase = 0xfeb00000;
constexpr size_t kVirtioMmioSlots = 24, kVirtioMmioSlotSize = 512;
constexpr uint32_t kVirtioMagic = 0x74726976;  // "virt"

}  // namespace

uint32_t virtio_type(const lib::pci::Function& f) {
  if (f.vendor != 0x1af4) return 0;
  if (f.device >= 0x1040 && f.device <= 0x107f) return f.device - 0x1040u;
  if (f.device >= 0x1000 && f.device <= 0x103f) return f.subsystem;  // transitional
  return 0;
}

const char* virtio_type_name(uint32_t type) {
  switch (type) {
    case 1: return "virtio network";
    case 2: return "virtio block";
    case 3: return "virtio console";
    case 4: return "virtio entropy";
    case 5: return "virtio balloon";
    case 8: return "virtio SCSI";
    case 9: return "virtio 9P";
    case 16: return "virtio GPU";
    case 18: return "virtio input";
    case 19: return "virtio vsock";
    default: return "virtio device";
  }
}

const char* virtio_match(uint32_t type) {
  switch (type) {
    case 1: return "virtio-net";
    case 2: return "virtio-block";
    case 3: return "virtio-console";
    case 4: return "virtio-entropy";
    default: return nullptr;
  }
}

size_t Devices::bind_all(abi::Handle platform, abi::Handle startup, abi::Handle log) {
  size_t sent = 0;
  for (size_t i = 0; i < count_; ++i) {
    const Device& d = devices_[i];
    const char* match = virtio_match(d.virtio_type);
    if (d.bus != Device::Bus::VirtioMmio || !match || d.version != 2) continue;
    // microvm's slot i interrupts on GSI 24 + i (its second I/O APIC), or 16 + i when it has
    // only one; level-triggered, active high.
    const uint64_t slot = (d.mmio_base - kVirtioMmioBase) / kVirtioMmioSlotSize;
    int64_t irq =
        sys::interrupt_create(platform, static_cast<uint32_t>(24 + slot), abi::kInterruptLevel);
    if (irq == abi::kErrInvalidArgument)
      irq = sys::interrupt_create(platform, static_cast<uint32_t>(16 + slot), abi::kInterruptLevel);
    const uint64_t page = d.mmio_base & ~uint64_t{kPage - 1};
    const int64_t regs = sys::device_map(platform, page, kPage);
    if (irq < 0 || regs < 0) {
      char line[96];
      const size_t n = lib::format_to(
          line, sizeof(line), "{:#x}: no interrupt ({}) or registers ({})", d.mmio_base, irq, regs);
      sys::log_write(log, line, n);
      if (irq >= 0) sys::handle_close(static_cast<abi::Handle>(irq));
      if (regs >= 0) sys::handle_close(static_cast<abi::Handle>(regs));
      continue;
    }
    char text[64];
    const size_t n =
        lib::format_to(text, sizeof(text), "bind {} offset={:#x}", match, d.mmio_base - page);
    abi::Handle moved[2] = {static_cast<abi::Handle>(regs), static_cast<abi::Handle>(irq)};
    abi::MessageBuffer m{};
    m.kind = abi::MessageKind::Data;
    m.data = text;
    m.data_size = static_cast<uint32_t>(n);
    m.handles = moved;
    m.handle_count = 2;
    if (sys::channel_send(startup, &m) == abi::kOk) {
      ++sent;
    } else {
      for (abi::Handle h : moved) sys::handle_close(h);
    }
  }
  return sent;
}

void Devices::bound(const char* match) {
  for (size_t i = 0; i < count_; ++i) {
    const char* m = virtio_match(devices_[i].virtio_type);
    if (!m || devices_[i].bound) continue;
    size_t k = 0;
    while (m[k] && m[k] == match[k]) ++k;
    if (m[k] == '\0' && (match[k] == ' ' || match[k] == '\0')) {
      devices_[i].bound = true;
      return;
    }
  }
}

size_t Devices::bound_count() const {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) n += devices_[i].bound ? 1 : 0;
  return n;
}

void Devices::add(const Device& d) {
  if (count_ < kMaxDevices) devices_[count_++] = d;
}

void Devices::discover_pci(abi::Handle platform, const abi::PlatformInfo& info) {
  Ecam ecam(platform, info);
  lib::pci::enumerate(ecam, static_cast<uint8_t>(info.ecam_bus_start), kMaxBuses,
                      [&](const lib::pci::Function& found) {
                        Device d{Device::Bus::Pci, found, 0, 0, false, 0};
                        lib::pci::size_bars(ecam, d.pci);
                        d.virtio_type = virtio_type(found);
                        add(d);
                        return count_ < kMaxDevices;
                      });
}

void Devices::discover_virtio_mmio(abi::Handle platform) {
  const size_t bytes = kVirtioMmioSlots * kVirtioMmioSlotSize;
  const int64_t folio = sys::device_map(platform, kVirtioMmioBase, bytes);
  if (folio < 0) return;
  const int64_t address = sys::folio_map(static_cast<abi::Handle>(folio), false);
  if (address >= 0) {
    for (size_t slot = 0; slot < kVirtioMmioSlots; ++slot) {
      const auto* regs = reinterpret_cast<volatile const uint32_t*>(
          static_cast<uintptr_t>(address) + slot * kVirtioMmioSlotSize);
      const uint32_t magic = regs[0], version = regs[1], type = regs[2];
      if (magic != kVirtioMagic || (version != 1 && version != 2) || type == 0) continue;
      add(Device{Device::Bus::VirtioMmio,
                 {},
                 kVirtioMmioBase + slot * kVirtioMmioSlotSize,
                 type,
                 false,
                 version});
    }
    sys::folio_unmap(static_cast<uint64_t>(address));
  }
  sys::handle_close(static_cast<abi::Handle>(folio));
}

size_t Devices::discover(abi::Handle platform, const abi::PlatformInfo& info) {
  if (info.ecam_base) {
    discover_pci(platform, info);
  } else {
    discover_virtio_mmio(platform);  // microvm: no PCI
  }
  return count_;
}

size_t Devices::describe(size_t i, char* out, size_t capacity) const {
  const Device& d = devices_[i];
  if (d.bus == Device::Bus::VirtioMmio) {
    // Drivers speak virtio 1.x; QEMU's transports are legacy unless started with
    // -global virtio-mmio.force-legacy=false.
    return lib::format_to(
        out, capacity, "virtio-mmio {:#x} {}{} ({})", d.mmio_base, virtio_type_name(d.virtio_type),
        d.version == 2 ? "" : ", legacy transport", d.bound ? "bound" : "unbound");
  }
  const lib::pci::Function& f = d.pci;
  size_t n = lib::format_to(out, capacity, "pci {:02x}:{:02x}.{} {:04x}:{:04x} {}", f.address.bus,
                            f.address.device, f.address.function, f.vendor, f.device,
                            d.virtio_type ? virtio_type_name(d.virtio_type)
                                          : lib::pci::class_name(f.class_code, f.subclass));
  for (const lib::pci::Bar& bar : f.bars) {
    if (bar.kind == lib::pci::Bar::Kind::None || n >= capacity) continue;
    n += lib::format_to(out + n, capacity - n, " {}{:#x}+{:#x}",
                        bar.kind == lib::pci::Bar::Kind::Io ? "io " : "", bar.base, bar.size);
  }
  if (n < capacity)
    n += lib::format_to(out + n, capacity - n, " ({})", d.bound ? "bound" : "unbound");
  return n < capacity ? n : capacity - 1;
}

size_t Devices::table(char* out, size_t capacity) const {
  size_t n = 0;
  out[0] = '\0';
  for (size_t i = 0; i < count_ && n + 1 < capacity; ++i) {
    n += describe(i, out + n, capacity - n);
    if (n + 1 < capacity) {
      out[n++] = '\n';
      out[n] = '\0';
    }
  }
  return n;
}

}  // namespace devmgr
