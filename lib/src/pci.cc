#include <lib/pci.h>

namespace lib::pci {

Result<Function> read_function(ConfigAccess& config, Address a) {
  const uint32_t id = config.read32(a, kVendorId);
  if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) return Error::NotFound;
  Function f{};
  f.address = a;
  f.vendor = static_cast<uint16_t>(id);
  f.device = static_cast<uint16_t>(id >> 16);
  const uint32_t cr = config.read32(a, kClassRevision);
  f.revision = static_cast<uint8_t>(cr);
  f.prog_if = static_cast<uint8_t>(cr >> 8);
  f.subclass = static_cast<uint8_t>(cr >> 16);
  f.class_code = static_cast<uint8_t>(cr >> 24);
  f.header_type = static_cast<uint8_t>(config.read32(a, kHeaderType) >> 16) & 0x7f;
  if (f.header_type == 0) {
    const uint32_t sub = config.read32(a, kSubsystem);
    f.subsystem_vendor = static_cast<uint16_t>(sub);
    f.subsystem = static_cast<uint16_t>(sub >> 16);
  }
  const uint32_t irq = config.read32(a, kInterrupt);
  f.interrupt_line = static_cast<uint8_t>(irq);
  f.interrupt_pin = static_cast<uint8_t>(irq >> 8);
  return f;
}

Result<uint64_t> AddressWindow::take(uint64_t size) {
  constexpr uint64_t kPage = 4096;
  if (size == 0 || (size & (size - 1)) != 0) return Error::InvalidArgument;
  if (size < kPage) size = kPage;
  const uint64_t at = (next_ + size - 1) & ~(size - 1);
  if (at < next_ || at > end_ || end_ - at < size) return Error::NoMemory;
  next_ = at + size;
  return at;
}

Result<void> assign_memory_bars(ConfigAccess& config, Function& f, AddressWindow& window) {
  if (f.header_type != 0) return {};
  const Address a = f.address;
  const uint32_t command = config.read32(a, kCommand);
  config.write32(a, kCommand, command & ~uint32_t{kCommandIo | kCommandMemory});
  Result<void> result;
  for (int i = 0; i < 6 && result.ok(); ++i) {
    Bar& bar = f.bars[i];
    const bool memory = bar.kind == Bar::Kind::Memory32 || bar.kind == Bar::Kind::Memory64;
    if (!memory || bar.base != 0 || bar.size == 0) continue;
    auto at = window.take(bar.size);
    if (!at.ok()) {
      result = at.error();
      break;
    }
    const auto offset = static_cast<uint16_t>(kBar0 + 4 * i);
    const uint32_t flags = config.read32(a, offset) & 0xf;
    config.write32(a, offset, static_cast<uint32_t>(at.value()) | flags);
    if (bar.kind == Bar::Kind::Memory64)
      config.write32(a, static_cast<uint16_t>(offset + 4), static_cast<uint32_t>(at.value() >> 32));
    bar.base = at.value();
  }
  config.write32(a, kCommand, command);
  return result;
}

void update_command(ConfigAccess& config, Address a, uint16_t set, uint16_t clear) {
  const uint32_t word = config.read32(a, kCommand);  // the status half: write 1 to clear
  const uint32_t command = ((word & 0xffff) | set) & ~uint32_t{clear};
  config.write32(a, kCommand, command & 0xffff);
}

void size_bars(ConfigAccess& config, Function& f) {
  if (f.header_type != 0) return;
  const Address a = f.address;
  const uint32_t command = config.read32(a, kCommand);
  config.write32(a, kCommand, command & ~uint32_t{kCommandIo | kCommandMemory});
  for (int i = 0; i < 6; ++i) {
    const auto offset = static_cast<uint16_t>(kBar0 + 4 * i);
    const uint32_t original = config.read32(a, offset);
    config.write32(a, offset, 0xffffffff);
    const uint32_t mask = config.read32(a, offset);
    config.write32(a, offset, original);
    Bar& bar = f.bars[i];
    bar = Bar{};
    if (mask == 0 || mask == 0xffffffff) continue;  // not implemented (or no device)
    if (original & 1) {                             // I/O space
      const uint32_t size_mask = mask & ~uint32_t{3};
      bar.kind = Bar::Kind::Io;
      bar.base = original & ~uint32_t{3};
      bar.size = size_mask ? (~size_mask & 0xffff) + 1 : 0;
      if (!bar.size) bar.kind = Bar::Kind::None;
      continue;
    }
    const uint32_t type = (original >> 1) & 3;
    bar.prefetchable = (original & 8) != 0;
    uint64_t base = original & ~uint32_t{0xf};
    uint64_t size_mask = mask & ~uint32_t{0xf};
    if (type == 2 && i < 5) {  // 64-bit: the next BAR holds the upper half
      const auto upper_offset = static_cast<uint16_t>(offset + 4);
      const uint32_t upper = config.read32(a, upper_offset);
      config.write32(a, upper_offset, 0xffffffff);
      const uint32_t upper_mask = config.read32(a, upper_offset);
      config.write32(a, upper_offset, upper);
      base |= uint64_t{upper} << 32;
      size_mask |= uint64_t{upper_mask} << 32;
      bar.kind = Bar::Kind::Memory64;
      bar.size = ~size_mask + 1;
      f.bars[++i] = Bar{};  // the upper half is part of this one
    } else {
      bar.kind = Bar::Kind::Memory32;
      bar.size = (~size_mask & 0xffffffff) + 1;
    }
    bar.base = base;
  }
  config.write32(a, kCommand, command);
}

uint16_t find_capability(ConfigAccess& config, Address a, uint8_t id, uint16_t from) {
  const uint32_t status = config.read32(a, kCommand) >> 16;
  if (!(status & kStatusCapabilities)) return 0;
  uint16_t at = from ? static_cast<uint16_t>((config.read32(a, from) >> 8) & 0xfc)
                     : static_cast<uint16_t>(config.read32(a, kCapabilities) & 0xfc);
  // Capabilities live in 0x40..0xff, 4-byte aligned: at most 48 of them.
  for (int steps = 0; at >= 0x40 && steps < 48; ++steps) {
    const uint32_t header = config.read32(a, at);
    if ((header & 0xff) == id) return at;
    at = static_cast<uint16_t>((header >> 8) & 0xfc);
  }
  return 0;
}

const char* class_name(uint8_t class_code, uint8_t subclass) {
  switch (class_code) {
    case 0x01:
      switch (subclass) {
        case 0x00: return "SCSI controller";
        case 0x01: return "IDE controller";
        case 0x06: return "SATA controller";
        case 0x08: return "NVMe controller";
        default: return "storage controller";
      }
    case 0x02: return subclass == 0x00 ? "Ethernet controller" : "network controller";
    case 0x03: return "display controller";
    case 0x04: return "multimedia controller";
    case 0x05: return "memory controller";
    case 0x06:
      switch (subclass) {
        case 0x00: return "host bridge";
        case 0x01: return "ISA bridge";
        case 0x04: return "PCI bridge";
        default: return "bridge";
      }
    case 0x07: return "communication controller";
    case 0x08: return "system peripheral";
    case 0x0c: return subclass == 0x03 ? "USB controller" : "serial bus controller";
    case 0xff: return "unassigned class";
    default: return "device";
  }
}

namespace detail {

bool scan_bus(ConfigAccess& config, uint8_t bus, size_t& buses_left, size_t& visited,
              bool (*visit)(void*, const Function&), void* context) {
  if (buses_left == 0) return true;
  --buses_left;
  for (uint8_t device = 0; device < 32; ++device) {
    for (uint8_t function = 0; function < 8; ++function) {
      const Address a{bus, device, function};
      auto f = read_function(config, a);
      if (!f.ok()) {
        if (function == 0) break;  // no device here at all
        continue;
      }
      ++visited;
      if (!visit(context, f.value())) return false;
      if (f.value().header_type == 1) {  // a bridge: the bus behind it
        const auto secondary = static_cast<uint8_t>(config.read32(a, kBusNumbers) >> 8);
        if (secondary > bus && !scan_bus(config, secondary, buses_left, visited, visit, context))
          return false;
      }
      const bool multifunction = (config.read32(a, kHeaderType) >> 16) & 0x80;
      if (function == 0 && !multifunction) break;
    }
  }
  return true;
}

}  // namespace detail

}  // namespace lib::pci
