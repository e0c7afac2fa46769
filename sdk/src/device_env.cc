#include <stellina/device_env.h>
#include <stellina/sys.h>

namespace stellina {
namespace {

// The startup handle at index, or kInvalidHandle for kNoResource. Errors: kErrInvalidArgument.
Result<abi::Handle> resolve(const abi::StartupBlock& startup, uint32_t index) {
  if (index == abi::kNoResource) return abi::kInvalidHandle;
  if (index >= startup.handle_count) return abi::kErrInvalidArgument;
  return startup.handles[index];
}

}  // namespace

Result<void> load_devices(const abi::StartupBlock& startup, abi::Handle startup_channel,
                          Device* device, abi::Handle* platform) {
  abi::DeviceResources r{};
  abi::MessageBuffer m{};
  m.data = &r;
  m.data_capacity = sizeof(r);
  const int64_t received = sys::channel_recv(startup_channel, &m);
  if (received == abi::kErrWouldBlock) return abi::kErrNotFound;
  TRY(check(received));
  if (m.kind != abi::MessageKind::Data || m.data_size != sizeof(r) ||
      r.magic != abi::kDeviceResourcesMagic || r.match[sizeof(r.match) - 1] != '\0')
    return abi::kErrInvalidArgument;
  if (platform) *platform = TRY(resolve(startup, r.platform));
  if (device) {
    device->info = r;
    device->registers = TRY(resolve(startup, r.registers));
    device->interrupt = TRY(resolve(startup, r.interrupt));
    for (size_t i = 0; i < 6; ++i) device->bars[i] = TRY(resolve(startup, r.bars[i]));
  }
  return {};
}

}  // namespace stellina
