#pragma once
// What a component that drives or finds devices is told about the handles it starts with.
//
// Binding: the device manager sends the startup server a Data message holding a
// DeviceResources (match, bus, where the registers are, the MSI message) with the device's
// handles attached; its handle fields are indices into the handles of that message. The
// startup server starts the driver whose spec lists the match, with copies of the handles
// after its three usual ones, and before the driver runs queues on its startup channel a
// Data message holding the same DeviceResources, its handle fields now indices into the
// driver's StartupBlock. The device manager (devices = ["platform"]) gets one too, naming
// its Platform. The SDK reads that message before on_start and fills the typed environment
// speccc generates (env().device, env().platform): no component counts handles itself.

#include <stdint.h>

namespace stellina::abi {

constexpr uint32_t kDeviceResourcesMagic = 0x53455244;  // "DRES"
// A handle field that names no handle.
constexpr uint32_t kNoResource = 0xffffffff;

enum class DeviceBus : uint32_t {
  None = 0,        // no device: only a Platform (the device manager)
  VirtioMmio = 1,  // a virtio-mmio transport
  Pci = 2,         // a PCI function
};

struct DeviceResources {
  uint32_t magic = kDeviceResourcesMagic;
  DeviceBus bus = DeviceBus::None;
  char match[32] = {};  // the spec's devices entry it was bound by ("virtio-net"), NUL-ended
  // Handle indices (kNoResource: none given).
  uint32_t platform = kNoResource;   // the Platform (device memory, interrupts)
  uint32_t registers = kNoResource;  // virtio-mmio: the page holding the registers; PCI: the
                                     // function's configuration space (4 KiB of ECAM)
  uint32_t interrupt = kNoResource;  // the slot's line, INTx, or a message-signalled one
  uint32_t bars[6] = {kNoResource, kNoResource, kNoResource,
                      kNoResource, kNoResource, kNoResource};  // PCI: each memory BAR given
  uint32_t registers_offset = 0;  // virtio-mmio: where the device's registers begin in the page
  uint32_t pci_function = 0;      // PCI: bus << 8 | device << 3 | function
  uint64_t msi_address = 0;       // a message-signalled interrupt: what to program into the
  uint32_t msi_data = 0;          //   function's MSI-X table entry 0 (address 0: INTx)
  uint32_t gsi = 0;               // a line interrupt: its GSI (what the log shows)
};

}  // namespace stellina::abi
