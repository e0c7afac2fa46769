#pragma once
// The FAT file system engine: FAT16 and FAT32 (the type follows from the cluster count, as
// the specification says; FAT12 is refused), read and write, long file names (VFAT LFN
// entries, UTF-16) with a unique 8.3 alias generated for each, case-insensitive lookup.
//
// What FAT does not have is made up:
// - Inode numbers. A node is named by where its 8.3 directory entry is: its byte offset on
//   the volume / 32 in bits 0..35, and the first cluster of the directory holding it in bits
//   36..63 (so a directory node can be checked against its '..' entry, which makes a
//   directory loop in a hostile image kErrCorrupt instead of an endless tree). The root is
//   kFatRootNode. A number stays valid while the entry stays where it is: a rename gives the
//   entry a new number, and the number of a deleted entry may be reused by a later one.
//   Volumes over 2 TiB are refused (the offset would not fit).
// - Modes: directories 0755, files 0644 (0444 with the read-only attribute); uid and gid 0.
// - Times: mtime is the write time, ctime the creation time, atime the access date (FAT
//   keeps 2-second steps and no time zone: stored as UTC). Reads do not update atime.
// - Symbolic links: kErrNotSupported.
//
// Files hold at most 4 GiB - 1 bytes (kErrTooLarge past it). A corrupt image is refused at
// mount (the boot sector) or gives kErrCorrupt where it is met (a chain, a directory).
// One call at a time: the engine keeps its scratch buffers in itself, and a DirVisitor must
// not call back into it.

#include <stellina/result.h>

#include "servers/fs/core/block_device.h"
#include "servers/fs/core/filesystem.h"

namespace stellina::fs {

constexpr InodeId kFatRootNode = 1;  // offset 32: inside the boot sector, never an entry

// Builds the engine's block cache (options.cache_bytes, of sector-sized blocks) over device
// and checks the boot sector and the FAT. Errors: kErrCorrupt, kErrNotSupported (with the
// reason in message), kErrNoMemory, kErrFault.
Result<FileSystem*> mount_fat(BlockDevice& device, const MountOptions& options,
                              MountMessage& message);

}  // namespace stellina::fs
