#pragma once
// A simulated PCI configuration space for the unit tests (pci_test, virtio_test).

#include <lib/pci.h>

#include <cstdint>
#include <map>
#include <vector>

namespace unit {

// A simulated configuration space: functions with registers, BARs that decode like hardware
// (writes keep only the address bits above the BAR's size; the type bits are read-only),
// and all ones where there is no function.
class FakePciConfig final : public lib::pci::ConfigAccess {
 public:
  struct Fake {
    std::vector<uint32_t> regs = std::vector<uint32_t>(1024, 0);
    uint64_t bar_size[6] = {};           // 0: not implemented; a 64-bit BAR's size in its low slot
    uint32_t writes_while_decoding = 0;  // BAR writes made with decoding switched on
  };

  Fake& add(lib::pci::Address a, uint16_t vendor, uint16_t device, uint32_t class_rev,
            uint8_t header, bool multifunction = false) {
    Fake& f = functions_[key(a)];
    f.regs[0] = vendor | uint32_t{device} << 16;
    f.regs[2] = class_rev;
    f.regs[3] = uint32_t{static_cast<uint8_t>(header | (multifunction ? 0x80 : 0))} << 16;
    f.regs[1] = 0x0007;  // io, memory, bus master on
    return f;
  }
  static void bar(Fake& f, int i, uint32_t value, uint64_t size) {
    f.regs[4 + i] = value;
    f.bar_size[i] = size;
  }
  static void capability(Fake& f, uint8_t at, uint8_t id, uint8_t next) {
    f.regs[1] |= uint32_t{lib::pci::kStatusCapabilities} << 16;
    f.regs[at / 4] = id | uint32_t{next} << 8;
  }

  uint32_t read32(lib::pci::Address a, uint16_t offset) override {
    ++reads;
    auto it = functions_.find(key(a));
    return it == functions_.end() ? 0xffffffff : it->second.regs[offset / 4];
  }
  void write32(lib::pci::Address a, uint16_t offset, uint32_t value) override {
    auto it = functions_.find(key(a));
    if (it == functions_.end()) return;
    Fake& f = it->second;
    const int slot = (offset - lib::pci::kBar0) / 4;
    if (offset == lib::pci::kCommand) {
      f.regs[1] = (f.regs[1] & 0xffff0000) | (value & 0xffff);
    } else if (offset >= lib::pci::kBar0 && offset < lib::pci::kBar0 + 24) {
      if (f.regs[1] & (lib::pci::kCommandIo | lib::pci::kCommandMemory)) ++f.writes_while_decoding;
      f.regs[4 + slot] = bar_write(f, slot, value);
    } else if (offset == lib::pci::kBusNumbers) {
      f.regs[6] = value;
    }
  }
  Fake& at(lib::pci::Address a) { return functions_.at(key(a)); }
  size_t reads = 0;

 private:
  static uint32_t key(lib::pci::Address a) {
    return uint32_t{a.bus} << 16 | a.device << 8 | a.function;
  }
  static uint32_t bar_write(const Fake& f, int slot, uint32_t value) {
    const uint32_t old = f.regs[4 + slot];
    if (f.bar_size[slot]) {
      if (old & 1) return (value & ~static_cast<uint32_t>(f.bar_size[slot] - 1) & 0xfffc) | 1;
      const uint32_t flags = old & 0xf;
      return (value & ~static_cast<uint32_t>(f.bar_size[slot] - 1) & ~0xfu) | flags;
    }
    if (slot > 0 && f.bar_size[slot - 1] && ((f.regs[4 + slot - 1] >> 1) & 3) == 2)
      return value & static_cast<uint32_t>(~(f.bar_size[slot - 1] - 1) >> 32);  // upper half
    return 0;
  }
  std::map<uint32_t, Fake> functions_;
};

}  // namespace unit
