#pragma once
// Every inode of a ramfs by number: a hash table that grows by doubling. As Directory,
// insert cannot fail once reserve() has succeeded.

#include <stddef.h>

#include <stellina/result.h>

#include "servers/fs/ramfs/inode.h"

namespace stellina::fs::ramfs {

class InodeTable {
 public:
  InodeTable() = default;
  InodeTable(const InodeTable&) = delete;
  InodeTable& operator=(const InodeTable&) = delete;
  ~InodeTable();  // frees the table, not the inodes (take them out with pop first)

  Inode* find(InodeId id) const;
  // Room for one more. Errors: kErrNoSpace (no memory).
  Result<void> reserve();
  void insert(Inode* inode);
  void remove(Inode* inode);
  // Any inode, taken out (null when empty).
  Inode* pop();

 private:
  size_t bucket(InodeId id) const {
    return static_cast<size_t>((id * 0x9e3779b97f4a7c15ull) >> (64 - bits_));
  }

  Inode** buckets_ = nullptr;
  unsigned bits_ = 0;  // 2^bits_ buckets, once there are any
  size_t count_ = 0;
};

}  // namespace stellina::fs::ramfs
