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
    uintptr_t address = 0;
    if (sys::folio_map(static_cast<abi::Handle>(folio), true, &address) != abi::kOk) {
      sys::handle_close(static_cast<abi::Handle>(folio));
      return 0;
    }
    mapped_[mapped_count_++] = {bus, static_cast<abi::Handle>(folio), address};
    return static_cast<uintptr_t>(address);
  }

  abi::Handle platform_;
  abi::PlatformInfo info_;
  Window mapped_[kMaxBuses] = {};
  size_t mapped_count_ = 0;
};

// The legacy configuration ports, through the kernel, where there is no ECAM window.
class PortConfig final : public lib::pci::ConfigAccess {
 public:
  explicit PortConfig(abi::Handle platform) : platform_(platform) {}
  uint32_t read32(lib::pci::Address a, uint16_t offset) override {
    const int64_t v = sys::pci_config(platform_, function(a), offset, sys::kPciConfigRead);
    return v < 0 ? 0xffffffff : static_cast<uint32_t>(v);
  }
  void write32(lib::pci::Address a, uint16_t offset, uint32_t value) override {
    sys::pci_config(platform_, function(a), offset, value);
  }

 private:
  static uint32_t function(lib::pci::Address a) {
    return uint32_t{a.bus} << 8 | uint32_t{a.device} << 3 | a.function;
  }
  abi::Handle platform_;
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

const char* match_of(const Device& d) {
  if (d.bus == Device::Bus::VirtioMmio)
    return d.version == 2 ? virtio_match(d.virtio_type) : nullptr;
  if (d.virtio_type) return virtio_match(d.virtio_type);
  if (d.pci.vendor == 0x8086 && d.pci.device == 0x100e) return "e1000";  // 82540EM
  return nullptr;
}

namespace {

// Sends "bind MATCH ARGS" with the resources to the startup server; closes them if that fails.
// Sends the bind; the handles go with it, or are closed if it cannot be sent.
bool send_bind(abi::Handle startup, const abi::DeviceResources& resources, abi::Handle* moved,
               uint32_t count) {
  abi::MessageBuffer m{};
  m.kind = abi::MessageKind::Data;
  m.data = const_cast<abi::DeviceResources*>(&resources);
  m.data_size = sizeof(resources);
  m.handles = moved;
  m.handle_count = count;
  if (sys::channel_send(startup, &m) == abi::kOk) return true;
  for (uint32_t k = 0; k < count; ++k) sys::handle_close(moved[k]);
  return false;
}

void close_all(const abi::Handle* handles, uint32_t count) {
  for (uint32_t k = 0; k < count; ++k) sys::handle_close(handles[k]);
}

}  // namespace

bool Devices::bind_mmio(const Device& d, abi::Handle platform, abi::Handle startup,
                        abi::Handle log) {
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
    return false;
  }
  abi::DeviceResources r{};
  r.bus = abi::DeviceBus::VirtioMmio;
  lib::format_to(r.match, sizeof(r.match), "{}", match_of(d));
  r.registers = 0;
  r.interrupt = 1;
  r.registers_offset = static_cast<uint32_t>(d.mmio_base - page);
  abi::Handle moved[2] = {static_cast<abi::Handle>(regs), static_cast<abi::Handle>(irq)};
  return send_bind(startup, r, moved, 2);
}

// A PCI function's driver gets its configuration space (the function's 4 KiB of ECAM), its
// interrupt and its memory BARs. The interrupt is message-signalled where the function has
// MSI-X (the bind says what to program), otherwise the function's INTx line.
bool Devices::bind_pci(const Device& d, abi::Handle platform, abi::Handle startup,
                       abi::Handle log) {
  const lib::pci::Function& f = d.pci;
  abi::DeviceResources r{};
  r.bus = abi::DeviceBus::Pci;
  lib::format_to(r.match, sizeof(r.match), "{}", match_of(d));
  r.pci_function =
      uint32_t{f.address.bus} << 8 | uint32_t{f.address.device} << 3 | f.address.function;
  abi::Handle moved[abi::kMaxMessageHandles];
  uint32_t count = 0;
  const uint64_t config_page =
      info_.ecam_base + (uint64_t{f.address.bus} - info_.ecam_bus_start) * kBusBytes +
      (uint64_t{f.address.device} << 15 | uint64_t{f.address.function} << 12);
  const int64_t config = sys::device_map(platform, config_page, kPage);
  if (config >= 0) {
    r.registers = count;
    moved[count++] = static_cast<abi::Handle>(config);
  }
  int64_t irq = abi::kErrNotSupported;
  if (d.msix) {
    abi::MsiMessage msi{};
    irq = sys::interrupt_create_msi(platform, &msi);
    if (irq >= 0) {
      r.msi_address = msi.address;
      r.msi_data = msi.data;
    }
  }
  // Q35 routes INTx of bus 0's slots to PIRQ E..H, (slot + pin) mod 4, which its I/O APIC
  // takes as GSI 20..23, level-triggered (the routing QEMU's ACPI tables describe). Other
  // chipsets need the ACPI _PRT, an AML method: not read yet.
  const bool intx = q35_ && f.address.bus == 0 && f.interrupt_pin >= 1 && f.interrupt_pin <= 4;
  if (irq < 0 && intx) {
    const uint32_t gsi = 20 + (f.address.device + f.interrupt_pin - 1u) % 4;
    irq = sys::interrupt_create(platform, gsi, abi::kInterruptLevel);
    if (irq >= 0) r.gsi = gsi;
  }
  if (irq >= 0) {
    r.interrupt = count;
    moved[count++] = static_cast<abi::Handle>(irq);
  }
  int64_t failed = config < 0 ? config : irq;
  for (int i = 0; i < 6 && failed >= 0 && count < abi::kMaxMessageHandles; ++i) {
    const lib::pci::Bar& bar = f.bars[i];
    const bool memory =
        bar.kind == lib::pci::Bar::Kind::Memory32 || bar.kind == lib::pci::Bar::Kind::Memory64;
    if (!memory || bar.base == 0 || bar.size == 0) continue;
    const int64_t folio =
        sys::device_map(platform, bar.base, (bar.size + kPage - 1) & ~(kPage - 1));
    if (folio < 0) {
      failed = folio;
      break;
    }
    r.bars[i] = count;
    moved[count++] = static_cast<abi::Handle>(folio);
  }
  if (failed < 0) {
    close_all(moved, count);
    char line[96];
    const size_t n =
        lib::format_to(line, sizeof(line), "pci {:02x}:{:02x}.{}: cannot take its resources ({})",
                       f.address.bus, f.address.device, f.address.function, failed);
    sys::log_write(log, line, n);
    return false;
  }
  return send_bind(startup, r, moved, count);
}

size_t Devices::bind_all(abi::Handle platform, abi::Handle startup, abi::Handle log) {
  size_t sent = 0;
  for (size_t i = 0; i < count_; ++i) {
    const Device& d = devices_[i];
    if (!match_of(d)) continue;
    if (d.bus == Device::Bus::Pci && legacy_ports_) {
      char line[96];
      const size_t n = lib::format_to(
          line, sizeof(line), "pci {:02x}:{:02x}.{}: not bound: no ECAM window for its driver",
          d.pci.address.bus, d.pci.address.device, d.pci.address.function);
      sys::log_write(log, line, n);
      continue;
    }
    const bool ok = d.bus == Device::Bus::VirtioMmio ? bind_mmio(d, platform, startup, log)
                                                     : bind_pci(d, platform, startup, log);
    sent += ok ? 1 : 0;
  }
  return sent;
}

void Devices::bound(const char* match) {
  for (size_t i = 0; i < count_; ++i) {
    const char* m = match_of(devices_[i]);
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

// Memory BARs the firmware left unassigned (qboot assigns none) are placed between the end
// of the ECAM window and the I/O APIC, QEMU's 32-bit PCI hole. Without ECAM (the legacy
// ports) nothing is placed: those machines' drivers would need a configuration space window.
void Devices::discover_pci(lib::pci::ConfigAccess& config, uint8_t first_bus,
                           lib::pci::AddressWindow* window) {
  lib::pci::enumerate(config, first_bus, kMaxBuses, [&](const lib::pci::Function& found) {
    Device d{Device::Bus::Pci, found, 0, 0, false, 0, false};
    lib::pci::size_bars(config, d.pci);
    // Bridges would need their windows set: only bus 0 is placed.
    if (window && found.address.bus == 0)
      (void)lib::pci::assign_memory_bars(config, d.pci, *window);
    if (found.vendor == 0x8086 && found.device == 0x29c0) q35_ = true;
    d.virtio_type = virtio_type(found);
    d.msix = lib::pci::find_capability(config, found.address, lib::pci::kCapabilityMsiX) != 0;
    add(d);
    return count_ < kMaxDevices;
  });
}

void Devices::discover_virtio_mmio(abi::Handle platform) {
  const size_t bytes = kVirtioMmioSlots * kVirtioMmioSlotSize;
  const int64_t folio = sys::device_map(platform, kVirtioMmioBase, bytes);
  if (folio < 0) return;
  uintptr_t address = 0;
  if (sys::folio_map(static_cast<abi::Handle>(folio), false, &address) == abi::kOk) {
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
                 version,
                 false});
    }
    sys::folio_unmap(static_cast<uint64_t>(address));
  }
  sys::handle_close(static_cast<abi::Handle>(folio));
}

size_t Devices::discover(abi::Handle platform, const abi::PlatformInfo& info) {
  info_ = info;
  if (info.ecam_base) {
    constexpr uint64_t kHoleEnd = 0xfec00000;
    const uint64_t ecam_end =
        info.ecam_base + (uint64_t{info.ecam_bus_end} - info.ecam_bus_start + 1) * kBusBytes;
    lib::pci::AddressWindow window(ecam_end, ecam_end < kHoleEnd ? kHoleEnd : ecam_end);
    Ecam ecam(platform, info);
    discover_pci(ecam, static_cast<uint8_t>(info.ecam_bus_start), &window);
    return count_;
  }
  PortConfig ports(platform);
  if (lib::pci::read_function(ports, {0, 0, 0}).ok()) {  // a host bridge: the legacy ports
    legacy_ports_ = true;
    discover_pci(ports, 0, nullptr);
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
