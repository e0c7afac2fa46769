// ramfs: a file system in memory (a tmpfs), its memory charged to its silo, at most
// config.size_mib of it. It exports "tmpfs", which mount tables name.
#include "ramfs_env.h"
#include "servers/fs/core/file_component.h"
#include "servers/fs/ramfs/ramfs.h"

namespace stellina {
namespace {

class RamFs final : public fs::FileComponent<components::ramfs::Env> {
  Result<fs::FileSystem*> mount() override {
    return fs::make_ramfs(static_cast<uint64_t>(env().config.size_mib) << 20);
  }
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::RamFs)
