#pragma once
// A ramfs inode: a regular file (its pages), a directory (its entries) or a symbolic link
// (its target). Found by number in the InodeTable.

#include <stdint.h>

#include <stellina/file.h>

#include "servers/fs/core/filesystem.h"
#include "servers/fs/ramfs/directory.h"
#include "servers/fs/ramfs/page_tree.h"

namespace stellina::fs::ramfs {

struct Inode {
  InodeId id = 0;
  uint32_t mode = 0;   // type | permissions
  uint32_t links = 0;  // a directory: 2 + its subdirectories
  uint64_t size = 0;   // a file's bytes, a link's target length
  int64_t atime_ns = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  Inode* hash_next = nullptr;  // in the InodeTable
  Inode* parent = nullptr;     // a directory's parent (the root's: itself)
  PageTree data;               // a regular file
  Directory entries;           // a directory
  char* target = nullptr;      // a symbolic link: size bytes

  uint32_t type() const { return mode & abi::kModeTypeMask; }
  bool is_directory() const { return type() == abi::kModeDirectory; }
};

}  // namespace stellina::fs::ramfs
