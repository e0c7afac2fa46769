// bootfs: the boot archive as a read-only file system (mounted at /boot by the system's
// mount table), read in place from the kernel's folio (boot:?archive), without a copy.
#include <stellina/boot_file.h>

#include "bootfs_env.h"
#include "servers/fs/bootfs/bootfs.h"
#include "servers/fs/core/file_component.h"

namespace stellina {
namespace {

class BootFs final : public fs::FileComponent<components::bootfs::Env> {
  Result<fs::FileSystem*> mount() override {
    archive_ = TRY(map_boot_file(*this, "boot:?archive"));
    return fs::make_bootfs(archive_.data, archive_.size);
  }
  bool read_only() const override { return true; }

  BootFile archive_;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::BootFs)
