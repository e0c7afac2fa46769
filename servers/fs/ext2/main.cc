// ext2: the ext2 file system (and ext4, read-only) of the disk the block service serves,
// served over the file protocol (abi/stellina/file.h) as "rootfs". It mounts the disk when
// the block driver connects, and again after the driver restarts.
#include <stellina/component.h>

#include "ext2_env.h"
#include "servers/fs/block_client.h"
#include "servers/fs/core/file_component.h"
#include "servers/fs/ext2/ext2.h"

namespace stellina {
namespace {

class Ext2 final : public fs::FileComponent<components::ext2::Env> {
  Result<fs::FileSystem*> mount() override {
    if (!env().block.valid()) return abi::kErrPeerClosed;  // no disk yet
    TRY(disk_.connect(env().block));
    fs::MountOptions options;
    options.read_only = env().config.read_only;
    env_read_only_ = options.read_only;
    options.cache_bytes = static_cast<size_t>(env().config.cache_kib) << 10;
    fs::MountMessage message;
    Result<fs::FileSystem*> fs = fs::mount_ext2(disk_, options, message);
    if (!fs.ok()) {
      log("the disk is refused: {}", static_cast<const char*>(message.text));
      return fs.error();
    }
    log("mounted the disk ({} sectors){}", disk_.sector_count(),
        options.read_only ? " read-only" : "");
    return fs;
  }
  bool read_only() const override { return env_read_only_; }

  void on_service_connected(const char* field) override {
    if (lib::StringView(field) != "block") return;
    if (file_system()) {
      // The driver restarted: the folio goes to its new channel; the cache is still good.
      ignore(disk_.connect(env().block), "the next request fails and says why");
      return;
    }
    try_mount();
  }

  fs::BlockClient disk_;
  bool env_read_only_ = false;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::Ext2)
