#pragma once
// The ext2 file system engine: ext2 (revision 0 and 1, 1 KiB to 64 KiB blocks) read and
// write, and ext3/ext4 images (extents, flex_bg, 64bit, hashed directories, metadata_csum)
// read-only. Inode numbers are ext2's; the root is inode 2.

#include "servers/fs/core/block_device.h"
#include "servers/fs/core/filesystem.h"

namespace stellina::fs {

// Checks the image and mounts it. Errors: kErrCorrupt (the superblock or group descriptors
// are inconsistent), kErrNotSupported (an incompatible feature this engine does not know),
// kErrReadOnly (a writable mount of an image with a feature the write path cannot
// maintain), kErrNoMemory; message says why.
Result<FileSystem*> mount_ext2(BlockDevice& device, const MountOptions& options,
                               MountMessage& message);

}  // namespace stellina::fs
