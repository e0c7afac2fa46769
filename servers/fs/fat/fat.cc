#include "servers/fs/fat/fat.h"

#include "servers/fs/core/memory.h"
#include "servers/fs/fat/fat_file_system.h"

namespace stellina::fs {

Result<FileSystem*> mount_fat(BlockDevice& device, const MountOptions& options,
                              MountMessage& message) {
  using fat::set_message;
  uint8_t boot[kSectorSize];
  if (device.sector_count() == 0 || !device.read(0, 1, boot).ok()) {
    set_message(message, "cannot read the boot sector");
    return abi::kErrFault;
  }
  fat::Geometry geometry;
  TRY(fat::parse_boot_sector(boot, device.sector_count(), geometry, message));
  size_t buffers = options.cache_bytes / geometry.sector_size;
  if (buffers < 16) buffers = 16;
  if (buffers > (size_t{1} << 20)) buffers = size_t{1} << 20;
  Result<BlockCache*> cache = BlockCache::create(device, geometry.sector_size, buffers);
  if (!cache.ok()) {
    set_message(message, "no memory for the block cache");
    return cache.error();
  }
  const bool read_only = options.read_only || !device.writable();
  auto* fs = make<fat::FatFileSystem>(cache.value(), geometry, read_only);
  if (!fs) {
    destroy(cache.value());
    set_message(message, "no memory for the file system");
    return abi::kErrNoMemory;
  }
  Result<void> loaded = fs->load(message);
  if (!loaded.ok()) {
    destroy(fs);
    return loaded.error();
  }
  return static_cast<FileSystem*>(fs);
}

}  // namespace stellina::fs
