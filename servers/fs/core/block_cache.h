#pragma once
// The write-back cache of blocks in front of a disk file system: a fixed number of buffers
// of the file system's block size, found by block number, reused least recently used
// first. A written block stays dirty in memory until sync() (the file system's fsync, the
// disk server's write-back timer and its stop) or until its buffer is reused. Its memory is taken
// once, at create, so what it holds is bounded and charged to the server's silo.
//
//   BlockRef b = TRY(cache.get(7));      // read from the device unless cached
//   b.data()[0] = 1;
//   b.mark_dirty();                      // released when b goes out of scope

#include <stddef.h>
#include <stdint.h>

#include <lib/intrusive_list.h>

#include "servers/fs/core/block_device.h"

namespace stellina::fs {

class BlockCache;

struct CacheBuffer {
  uint64_t block = 0;
  uint8_t* data = nullptr;
  uint32_t pins = 0;
  bool valid = false;
  bool dirty = false;
  CacheBuffer* hash_next = nullptr;
  lib::ListNode lru;  // on the LRU list while unpinned
};

// A pinned block: its buffer is not reused while the ref lives.
class BlockRef {
 public:
  BlockRef() = default;
  BlockRef(BlockCache* cache, CacheBuffer* buffer) : cache_(cache), buffer_(buffer) {}
  BlockRef(BlockRef&& other) noexcept : cache_(other.cache_), buffer_(other.buffer_) {
    other.buffer_ = nullptr;
  }
  BlockRef& operator=(BlockRef&& other) noexcept;
  BlockRef(const BlockRef&) = delete;
  BlockRef& operator=(const BlockRef&) = delete;
  ~BlockRef() { reset(); }

  uint8_t* data() const { return buffer_->data; }
  uint64_t number() const { return buffer_->block; }
  void mark_dirty();
  void reset();

 private:
  BlockCache* cache_ = nullptr;
  CacheBuffer* buffer_ = nullptr;
};

class BlockCache {
 public:
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t writebacks = 0;  // dirty blocks written (by sync or to reuse a buffer)
    uint64_t direct_reads = 0;
    uint64_t direct_writes = 0;
  };

  // block_size: a power of two from 512 to 65536. capacity: buffers (at least 8).
  // Errors: kErrInvalidArgument, kErrNoMemory.
  static Result<BlockCache*> create(BlockDevice& device, uint32_t block_size, size_t capacity);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  uint32_t block_size() const { return block_size_; }
  uint64_t block_count() const { return block_count_; }
  bool writable() const { return device_.writable(); }
  const Stats& stats() const { return stats_; }

  // Block n, read from the device unless cached. Errors: kErrInvalidArgument (past the
  // end), kErrFault (the device), kErrNoResources (every buffer pinned).
  Result<BlockRef> get(uint64_t n);
  // Block n about to be overwritten whole: its buffer is zeroed and marked dirty, not read.
  Result<BlockRef> get_zeroed(uint64_t n);

  // Large file data, bypassing the buffers but coherent with them: count blocks from first.
  // A read sees blocks written through the cache; a write replaces cached copies.
  Result<void> read_direct(uint64_t first, uint64_t count, void* out);
  Result<void> write_direct(uint64_t first, uint64_t count, const void* data);

  // Writes every dirty block, then flushes the device.
  Result<void> sync();
  // Drops a block's cached copy without writing it (a freed block).
  void forget(uint64_t n);

 private:
  friend class BlockRef;
  BlockCache(BlockDevice& device, uint32_t block_size) : device_(device), block_size_(block_size) {}
  CacheBuffer* find(uint64_t n);
  Result<CacheBuffer*> take(uint64_t n);  // a buffer for n: found, or reused and rehashed
  Result<void> write_back(CacheBuffer* b);
  void unhash(CacheBuffer* b);
  void unpin(CacheBuffer* b);
  size_t bucket(uint64_t n) const { return (n * 0x9e3779b97f4a7c15ull) >> shift_; }

  using Lru = lib::IntrusiveList<CacheBuffer, &CacheBuffer::lru>;

  BlockDevice& device_;
  uint32_t block_size_;
  uint32_t sectors_per_block_ = 0;
  uint64_t block_count_ = 0;
  CacheBuffer* buffers_ = nullptr;
  size_t capacity_ = 0;
  uint8_t* memory_ = nullptr;
  CacheBuffer** table_ = nullptr;
  unsigned shift_ = 0;
  Lru lru_;
  Stats stats_;
};

}  // namespace stellina::fs
