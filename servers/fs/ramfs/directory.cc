#include "servers/fs/ramfs/directory.h"

#include "servers/fs/core/memory.h"

namespace stellina::fs::ramfs {

DirEntry* DirEntry::make(lib::StringView name, Inode* inode) {
  void* memory = allocate(sizeof(DirEntry) + name.size());
  if (!memory) return nullptr;
  auto* entry = new (memory) DirEntry;
  entry->inode = inode;
  entry->name_size = static_cast<uint16_t>(name.size());
  __builtin_memcpy(entry + 1, name.data(), name.size());
  return entry;
}

void DirEntry::free(DirEntry* entry) { destroy(entry); }

Directory::~Directory() {
  deallocate(buckets_);
  deallocate(order_);
}

// FNV-1a.
uint32_t Directory::hash_of(lib::StringView name) {
  uint32_t h = 2166136261u;
  for (const char c : name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

DirEntry* Directory::find(lib::StringView name) const {
  if (!bucket_count_) return nullptr;
  const uint32_t h = hash_of(name);
  for (DirEntry* e = buckets_[h & (bucket_count_ - 1)]; e; e = e->hash_next)
    if (e->hash == h && e->name() == name) return e;
  return nullptr;
}

Result<void> Directory::reserve() {
  if (count_ + 1 > bucket_count_) {
    const size_t n = bucket_count_ ? bucket_count_ * 2 : 16;
    auto** buckets = make_array<DirEntry*>(n);
    if (!buckets) return abi::kErrNoSpace;
    for (size_t i = 0; i < bucket_count_; ++i) {
      while (DirEntry* e = buckets_[i]) {
        buckets_[i] = e->hash_next;
        e->hash_next = buckets[e->hash & (n - 1)];
        buckets[e->hash & (n - 1)] = e;
      }
    }
    deallocate(buckets_);
    buckets_ = buckets;
    bucket_count_ = n;
  }
  if (order_size_ == order_capacity_) {
    // Tombstones make up at least half: squeezing them out makes room without growing.
    if (order_size_ - count_ >= order_size_ / 2 && order_size_ > 0) {
      compact();
    } else {
      const size_t n = order_capacity_ ? order_capacity_ * 2 : 16;
      Slot* order = make_array<Slot>(n);
      if (!order) return abi::kErrNoSpace;
      if (order_size_) __builtin_memcpy(order, order_, order_size_ * sizeof(Slot));
      deallocate(order_);
      order_ = order;
      order_capacity_ = n;
    }
  }
  return {};
}

void Directory::insert(DirEntry* entry) {
  entry->hash = hash_of(entry->name());
  entry->seq = next_seq_++;
  DirEntry*& bucket = buckets_[entry->hash & (bucket_count_ - 1)];
  entry->hash_next = bucket;
  bucket = entry;
  order_[order_size_++] = Slot{entry->seq, entry};
  ++count_;
}

size_t Directory::first_after(uint64_t cursor) const {
  size_t low = 0;
  size_t high = order_size_;
  while (low < high) {
    const size_t mid = low + (high - low) / 2;
    if (order_[mid].seq <= cursor) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

size_t Directory::index_of(uint64_t seq) const { return first_after(seq - 1); }

void Directory::remove(DirEntry* entry) {
  DirEntry** link = &buckets_[entry->hash & (bucket_count_ - 1)];
  while (*link != entry) link = &(*link)->hash_next;
  *link = entry->hash_next;
  entry->hash_next = nullptr;
  order_[index_of(entry->seq)].entry = nullptr;
  --count_;
  if (count_ == 0) {
    order_size_ = 0;  // nothing left to list: every cursor reads as the end
  } else if (order_size_ > 64 && order_size_ - count_ > order_size_ / 2 + 32) {
    compact();
  }
}

DirEntry* Directory::pop() {
  while (order_size_ > 0) {
    DirEntry* e = order_[order_size_ - 1].entry;
    if (e) {
      remove(e);
      return e;
    }
    --order_size_;
  }
  return nullptr;
}

void Directory::compact() {
  size_t kept = 0;
  for (size_t i = 0; i < order_size_; ++i)
    if (order_[i].entry) order_[kept++] = order_[i];
  order_size_ = kept;
}

}  // namespace stellina::fs::ramfs
