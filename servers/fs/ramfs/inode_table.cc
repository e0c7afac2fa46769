#include "servers/fs/ramfs/inode_table.h"

#include "servers/fs/core/memory.h"

namespace stellina::fs::ramfs {

InodeTable::~InodeTable() { deallocate(buckets_); }

Inode* InodeTable::find(InodeId id) const {
  if (!buckets_) return nullptr;
  for (Inode* i = buckets_[bucket(id)]; i; i = i->hash_next)
    if (i->id == id) return i;
  return nullptr;
}

Result<void> InodeTable::reserve() {
  if (buckets_ && count_ + 1 <= (size_t{1} << bits_)) return {};
  const unsigned bits = buckets_ ? bits_ + 1 : 6;
  auto** buckets = make_array<Inode*>(size_t{1} << bits);
  if (!buckets) return abi::kErrNoSpace;
  Inode** old = buckets_;
  const size_t old_count = old ? size_t{1} << bits_ : 0;
  buckets_ = buckets;
  bits_ = bits;
  for (size_t b = 0; b < old_count; ++b) {
    while (Inode* i = old[b]) {
      old[b] = i->hash_next;
      i->hash_next = buckets_[bucket(i->id)];
      buckets_[bucket(i->id)] = i;
    }
  }
  deallocate(old);
  return {};
}

void InodeTable::insert(Inode* inode) {
  Inode*& head = buckets_[bucket(inode->id)];
  inode->hash_next = head;
  head = inode;
  ++count_;
}

void InodeTable::remove(Inode* inode) {
  Inode** link = &buckets_[bucket(inode->id)];
  while (*link != inode) link = &(*link)->hash_next;
  *link = inode->hash_next;
  inode->hash_next = nullptr;
  --count_;
}

Inode* InodeTable::pop() {
  if (!count_) return nullptr;
  for (size_t b = 0;; ++b) {
    if (Inode* i = buckets_[b]) {
      remove(i);
      return i;
    }
  }
}

}  // namespace stellina::fs::ramfs
