#pragma once
// What every file system engine (ramfs, ext2, fat) implements, and what the file server
// (servers/fs/core/file_server.h) serves over the file protocol of abi/stellina/file.h.
// Inodes are named by number; names are single path components (no '/', not "." or "..",
// 1 to kFileMaxName bytes: the server checks them before an engine sees them). An engine
// is synchronous: each call finishes its work (through the block cache) before it returns.
// Errors are the ABI's, with the meanings abi/stellina/file.h gives them.
//
// An engine allocates only through servers/fs/core/memory.h (make, destroy), and is itself
// destroyed with destroy().

#include <stddef.h>
#include <stdint.h>

#include <stellina/file.h>
#include <stellina/result.h>

#include <lib/string_view.h>

namespace stellina::fs {

using InodeId = uint64_t;
using abi::FileStat;
using abi::FileSystemStat;

// The time for timestamps, in nanoseconds since 1970-01-01 UTC. The component runtime and
// host tests each define it.
int64_t now_ns();

// ReadDir's callback: one entry; return false to stop (the entry was not taken).
class DirVisitor {
 public:
  virtual bool visit(InodeId node, uint32_t type_mode, lib::StringView name,
                     uint64_t next_cursor) = 0;

 protected:
  ~DirVisitor() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual FileSystemStat statfs() = 0;
  virtual InodeId root() const = 0;

  virtual Result<FileStat> stat(InodeId node) = 0;
  // The entry name of directory dir. Errors: kErrNotFound, kErrNotDirectory.
  virtual Result<FileStat> lookup(InodeId dir, lib::StringView name) = 0;
  // A new regular file or directory (mode holds the type and permissions). Errors: kErrExists,
  // kErrNotDirectory, kErrNoSpace, kErrReadOnly, kErrInvalidArgument (another type).
  virtual Result<FileStat> create(InodeId dir, lib::StringView name, uint32_t mode) = 0;
  // A symbolic link name in dir to target (1 to kFileMaxPath bytes).
  virtual Result<FileStat> symlink(InodeId dir, lib::StringView name, lib::StringView target) = 0;
  // The target of a symbolic link, into out; returns its length. Errors: kErrInvalidArgument
  // (not a link), kErrBufferTooSmall.
  virtual Result<size_t> readlink(InodeId node, char* out, size_t capacity) = 0;
  // Removes the entry; directory says which kind is expected (kErrIsDirectory for a
  // directory without it, kErrNotDirectory for a file with it; kErrNotEmpty). The inode is
  // freed with its last link.
  virtual Result<void> unlink(InodeId dir, lib::StringView name, bool directory) = 0;
  // Moves from_dir/from to to_dir/to, replacing a file there, or an empty directory when
  // the moved entry is a directory (kErrIsDirectory / kErrNotDirectory on a mismatch).
  // A directory cannot move into itself or below itself (kErrInvalidArgument).
  virtual Result<void> rename(InodeId from_dir, lib::StringView from, InodeId to_dir,
                              lib::StringView to) = 0;

  // Bytes of a regular file: fewer at its end, 0 past it. Errors: kErrIsDirectory.
  virtual Result<size_t> read(InodeId node, uint64_t offset, void* out, size_t size) = 0;
  // Writes, extending the file (holes read as zeroes). Errors: kErrNoSpace (nothing was
  // written; a partial write returns what it wrote), kErrIsDirectory, kErrTooLarge (past the
  // largest file the format holds).
  virtual Result<size_t> write(InodeId node, uint64_t offset, const void* data, size_t size) = 0;
  virtual Result<void> truncate(InodeId node, uint64_t size) = 0;
  // Times in ns; abi::kTimeOmit leaves one unchanged.
  virtual Result<void> set_times(InodeId node, int64_t atime_ns, int64_t mtime_ns) = 0;

  // Entries of dir from cursor (0: the first; '.' and '..' are not given). Returns the
  // cursor to go on from (0: the end was reached).
  virtual Result<uint64_t> readdir(InodeId dir, uint64_t cursor, DirVisitor& visitor) = 0;

  // Everything written so far is on the device (a no-op in memory).
  virtual Result<void> sync() = 0;
};

// How a disk file system is mounted. Each engine has a function
//   Result<FileSystem*> mount_NAME(BlockDevice& device, const MountOptions& options,
//                                  MountMessage& message);
// that checks the image before it serves anything: a corrupt one, or one with a feature the
// engine does not understand, is refused (kErrCorrupt, kErrNotSupported) with the reason in
// message ("unsupported feature: journal_dev"); a feature that allows reading but not
// writing makes a writable mount fail the same way (kErrReadOnly), naming the feature.
struct MountOptions {
  bool read_only = false;
  size_t cache_bytes = size_t{1} << 20;  // the block cache's memory
};
struct MountMessage {
  char text[120] = {};
};

}  // namespace stellina::fs
