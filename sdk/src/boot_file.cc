#include <stellina/boot_file.h>
#include <stellina/status.h>

namespace stellina {

Result<BootFile> map_boot_file(Component& component, const char* uri, uint64_t timeout_ns) {
  Channel ch = TRY(component.open(uri, timeout_ns));
  abi::Handle handles[abi::kMaxMessageHandles];
  abi::BootFile info{};
  abi::MessageBuffer m{};
  m.data = &info;
  m.data_capacity = sizeof(info);
  m.handles = handles;
  m.handle_capacity = abi::kMaxMessageHandles;
  TRY(check_ok(sys::object_wait(ch.get(), abi::kSignalReadable, sys::clock_now() + timeout_ns)));
  TRY(check_ok(sys::channel_recv(ch.get(), &m)));
  BootFile file;
  if (m.handle_count) file.folio.reset(handles[0]);
  for (uint32_t i = 1; i < m.handle_count; ++i) sys::handle_close(handles[i]);
  const int64_t folio_size = file.folio.valid() ? sys::folio_size(file.folio.get()) : -1;
  if (m.kind != abi::MessageKind::Data || m.data_size != sizeof(info) || folio_size < 0 ||
      info.size > static_cast<uint64_t>(folio_size)) {
    return abi::kErrInvalidArgument;
  }
  uint64_t address = 0;
  TRY(check_ok(sys::folio_map(file.folio.get(), false, &address)));
  file.data = reinterpret_cast<const uint8_t*>(address);
  file.size = info.size;
  return file;
}

}  // namespace stellina
