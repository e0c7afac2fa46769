#pragma once
// The devices in a component's typed environment: env().device for a driver, env().platform
// for the device manager, filled from the DeviceResources message (abi/stellina/device.h) the
// startup server queues before the component runs. A driver never counts startup handles.

#include <stellina/device.h>
#include <stellina/result.h>
#include <stellina/startup.h>
#include <stellina/types.h>

namespace stellina {

// The device a driver was bound to.
struct Device {
  abi::DeviceResources info{};  // bus, match, registers offset, PCI function, MSI message
  // virtio-mmio: the page holding the registers; PCI: the configuration space.
  abi::Handle registers = abi::kInvalidHandle;
  abi::Handle interrupt = abi::kInvalidHandle;
  abi::Handle bars[6] = {};  // PCI: each memory BAR given (kInvalidHandle if not)

  bool pci() const { return info.bus == abi::DeviceBus::Pci; }
  // Whether the interrupt is message-signalled (program info.msi_* into MSI-X entry 0).
  bool msi() const { return info.msi_address != 0; }
};

// Takes the DeviceResources message off the startup channel and resolves its handles in
// startup into *device and/or *platform (either may be null: not in the spec).
// Errors: kErrNotFound (no such message queued: the component was not started as a driver or
// device manager), kErrInvalidArgument (a malformed one, or an index out of range).
Result<void> load_devices(const abi::StartupBlock& startup, abi::Handle startup_channel,
                          Device* device, abi::Handle* platform);

}  // namespace stellina
