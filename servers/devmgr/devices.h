#pragma once
// The device manager's table of devices: discovery over ECAM (PCI) and the virtio-mmio
// slots, and the text the log and the "devices" service show.

#include <stellina/device.h>
#include <stellina/platform.h>
#include <stellina/sys.h>

#include <lib/pci.h>

namespace devmgr {

namespace abi = stellina::abi;

struct Device {
  enum class Bus : uint8_t { Pci, VirtioMmio };
  Bus bus;
  lib::pci::Function pci;  // Pci
  uint64_t mmio_base;      // VirtioMmio: the transport's registers
  uint32_t virtio_type;    // the virtio device type (1 net, 2 block, ...); 0 if not virtio
  bool bound;              // a driver has it
  uint32_t version;        // VirtioMmio: the transport's version (1 legacy, 2 virtio 1.x)
  bool msix;               // Pci: it has an MSI-X capability
};

class Devices {
 public:
  static constexpr size_t kMaxDevices = 64;

  // Finds the devices; returns how many.
  size_t discover(abi::Handle platform, const abi::PlatformInfo& info);
  size_t count() const { return count_; }
  // One line (no newline) about device i.
  size_t describe(size_t i, char* out, size_t capacity) const;
  // Every device, one line each, NUL-terminated; returns the length.
  size_t table(char* out, size_t capacity) const;
  // Asks the startup server (on the startup channel) for the driver of each device a driver
  // takes, sending only that device's resources. Returns how many requests went out; the
  // answers come back on the startup channel.
  size_t bind_all(abi::Handle platform, abi::Handle startup, abi::Handle log);
  // The startup server's answer "ok: MATCH NAME": marks the device bound.
  void bound(const char* match);
  size_t bound_count() const;

 private:
  void add(const Device& d);
  // Walks the buses through config; places unassigned memory BARs in *window if given.
  void discover_pci(lib::pci::ConfigAccess& config, uint8_t first_bus,
                    lib::pci::AddressWindow* window);
  void discover_virtio_mmio(abi::Handle platform);
  // The resources of one device, sent to the startup server; false if it could not be.
  bool bind_mmio(const Device& d, abi::Handle platform, abi::Handle startup, abi::Handle log);
  bool bind_pci(const Device& d, abi::Handle platform, abi::Handle startup, abi::Handle log);

  abi::PlatformInfo info_ = {};
  bool q35_ = false;           // the host bridge is Q35's: its INTx routing is known
  bool legacy_ports_ = false;  // PCI through the legacy configuration ports (no ECAM)
  Device devices_[kMaxDevices] = {};
  size_t count_ = 0;
};

// The virtio device type of a PCI function, or 0 (virtio 1.x: vendor 0x1af4, device
// 0x1040 + type; transitional devices 0x1000..0x103f carry it in the subsystem id).
uint32_t virtio_type(const lib::pci::Function& f);
const char* virtio_type_name(uint32_t type);
// What a driver's spec lists for a virtio device type ("virtio-entropy"); null if none.
const char* virtio_match(uint32_t type);
// What a driver's spec lists for this device ("virtio-net", "e1000"); null if no driver
// takes it.
const char* match_of(const Device& d);

}  // namespace devmgr
