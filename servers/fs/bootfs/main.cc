// bootfs: the boot archive as a read-only file system (mounted at /boot by the system's
// mount table), read in place from the kernel's folio (boot:?archive), without a copy.
#include <stellina/component.h>
#include <stellina/status.h>

#include "bootfs_env.h"
#include "servers/fs/bootfs/bootfs.h"
#include "servers/fs/core/file_component.h"

namespace stellina {
namespace {

constexpr uint64_t kTimeoutNs = 5'000'000'000;

class BootFs final : public fs::FileComponent<components::bootfs::Env> {
  Result<fs::FileSystem*> mount() override {
    Channel file = TRY(open("boot:?archive"));
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::BootFile info{};
    abi::MessageBuffer m{};
    m.data = &info;
    m.data_capacity = sizeof(info);
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    TRY(check_ok(
        sys::object_wait(file.get(), abi::kSignalReadable, sys::clock_now() + kTimeoutNs)));
    TRY(check_ok(sys::channel_recv(file.get(), &m)));
    for (uint32_t i = 1; i < m.handle_count; ++i) sys::handle_close(handles[i]);
    if (m.handle_count < 1 || m.data_size != sizeof(info)) return abi::kErrInvalidArgument;
    archive_.reset(handles[0]);
    uint64_t address = 0;
    TRY(check_ok(sys::folio_map(archive_.get(), false, &address)));
    return fs::make_bootfs(reinterpret_cast<const void*>(address), info.size);
  }
  bool read_only() const override { return true; }

  OwnedHandle archive_;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::BootFs)
