#pragma once
// ramfs: a file system in memory (a tmpfs), with regular files, directories and symbolic
// links. File data lives in 4 KiB pages allocated as they are first written, so holes cost
// nothing, and freed on truncate and unlink. Everything it holds is counted against the size
// limit given at creation:
//
//   - each data page (and each node of a file's page tree): kPageSize bytes
//   - each inode: kInodeCost bytes, plus a symbolic link's target
//   - each directory entry: kEntryCost bytes plus its name
//
// Past the limit an operation fails with kErrNoSpace and changes nothing (a write that
// could store part of its bytes returns how many). statfs reports the limit and what is
// left in kPageSize blocks. Inode numbers come from a 64-bit counter and are never reused
// while the file system lives. A directory's size is its number of entries.

#include <stdint.h>

#include <stellina/result.h>

#include "servers/fs/core/filesystem.h"

namespace stellina::fs {

namespace ramfs {
constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kInodeCost = 256;
constexpr uint64_t kEntryCost = 64;
constexpr uint64_t kMaxFileSize = uint64_t{1} << 40;  // writes past it: kErrTooLarge
}  // namespace ramfs

// A new, empty ramfs (its root directory counts against the limit). Destroy it with
// destroy(). Errors: kErrNoSpace (the limit cannot hold the root, or no memory).
Result<FileSystem*> make_ramfs(uint64_t size_limit_bytes);

// The bytes a ramfs has charged against its limit (statfs rounds them to blocks): for tests
// and statistics. fs must come from make_ramfs.
uint64_t ramfs_used_bytes(const FileSystem& fs);

}  // namespace stellina::fs
