#include "servers/fs/core/block_cache.h"

#include "servers/fs/core/memory.h"

namespace stellina::fs {

BlockRef& BlockRef::operator=(BlockRef&& other) noexcept {
  if (this != &other) {
    reset();
    cache_ = other.cache_;
    buffer_ = other.buffer_;
    other.buffer_ = nullptr;
  }
  return *this;
}

void BlockRef::mark_dirty() { buffer_->dirty = true; }

void BlockRef::reset() {
  if (buffer_) cache_->unpin(buffer_);
  buffer_ = nullptr;
}

Result<BlockCache*> BlockCache::create(BlockDevice& device, uint32_t block_size, size_t capacity) {
  if (block_size < kSectorSize || block_size > 65536 || (block_size & (block_size - 1)) ||
      capacity < 8 || capacity > (size_t{1} << 20))
    return abi::kErrInvalidArgument;
  void* memory = allocate(sizeof(BlockCache));
  if (!memory) return abi::kErrNoMemory;
  auto* cache = new (memory) BlockCache(device, block_size);
  cache->sectors_per_block_ = block_size / kSectorSize;
  cache->block_count_ = device.sector_count() / cache->sectors_per_block_;
  unsigned bits = 1;
  while ((size_t{1} << bits) < capacity) ++bits;
  cache->shift_ = 64 - bits;
  cache->capacity_ = capacity;
  cache->buffers_ = make_array<CacheBuffer>(capacity);
  cache->memory_ = make_array<uint8_t>(capacity * block_size);
  cache->table_ = make_array<CacheBuffer*>(size_t{1} << bits);
  if (!cache->buffers_ || !cache->memory_ || !cache->table_) {
    destroy(cache);
    return abi::kErrNoMemory;
  }
  for (size_t i = 0; i < capacity; ++i) {
    cache->buffers_[i].data = cache->memory_ + i * block_size;
    cache->lru_.push_back(&cache->buffers_[i]);
  }
  return cache;
}

BlockCache::~BlockCache() {
  deallocate(buffers_);
  deallocate(memory_);
  deallocate(table_);
}

CacheBuffer* BlockCache::find(uint64_t n) {
  for (CacheBuffer* b = table_[bucket(n)]; b; b = b->hash_next)
    if (b->block == n) return b;
  return nullptr;
}

void BlockCache::unhash(CacheBuffer* b) {
  if (!b->valid) return;
  for (CacheBuffer** p = &table_[bucket(b->block)]; *p; p = &(*p)->hash_next) {
    if (*p == b) {
      *p = b->hash_next;
      break;
    }
  }
  b->hash_next = nullptr;
  b->valid = false;
}

void BlockCache::unpin(CacheBuffer* b) {
  if (--b->pins == 0) lru_.push_back(b);
}

Result<void> BlockCache::write_back(CacheBuffer* b) {
  TRY(device_.write(b->block * sectors_per_block_, sectors_per_block_, b->data));
  b->dirty = false;
  ++stats_.writebacks;
  return {};
}

Result<CacheBuffer*> BlockCache::take(uint64_t n) {
  if (n >= block_count_) return abi::kErrInvalidArgument;
  if (CacheBuffer* b = find(n)) {
    if (b->pins++ == 0) lru_.remove(b);
    ++stats_.hits;
    return b;
  }
  CacheBuffer* b = lru_.front();
  if (!b) return abi::kErrNoResources;
  if (b->dirty) TRY(write_back(b));  // a failed write keeps the block cached and dirty
  lru_.remove(b);
  b->pins = 1;
  unhash(b);
  b->block = n;
  return b;
}

Result<BlockRef> BlockCache::get(uint64_t n) {
  CacheBuffer* b = TRY(take(n));
  if (!b->valid) {
    ++stats_.misses;
    Result<void> read = device_.read(n * sectors_per_block_, sectors_per_block_, b->data);
    if (!read.ok()) {
      unpin(b);
      return read.error();
    }
    b->valid = true;
    b->hash_next = table_[bucket(n)];
    table_[bucket(n)] = b;
  }
  return BlockRef(this, b);
}

Result<BlockRef> BlockCache::get_zeroed(uint64_t n) {
  CacheBuffer* b = TRY(take(n));
  __builtin_memset(b->data, 0, block_size_);
  b->dirty = true;
  if (!b->valid) {
    b->valid = true;
    b->hash_next = table_[bucket(n)];
    table_[bucket(n)] = b;
  }
  return BlockRef(this, b);
}

Result<void> BlockCache::read_direct(uint64_t first, uint64_t count, void* out) {
  if (first >= block_count_ || count > block_count_ - first) return abi::kErrInvalidArgument;
  TRY(device_.read(first * sectors_per_block_, count * sectors_per_block_, out));
  ++stats_.direct_reads;
  // Blocks written through the cache and not yet on the device: their cached bytes win.
  auto* bytes = static_cast<uint8_t*>(out);
  for (uint64_t i = 0; i < count; ++i) {
    CacheBuffer* b = find(first + i);
    if (b && b->dirty) __builtin_memcpy(bytes + i * block_size_, b->data, block_size_);
  }
  return {};
}

Result<void> BlockCache::write_direct(uint64_t first, uint64_t count, const void* data) {
  if (first >= block_count_ || count > block_count_ - first) return abi::kErrInvalidArgument;
  TRY(device_.write(first * sectors_per_block_, count * sectors_per_block_, data));
  ++stats_.direct_writes;
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (uint64_t i = 0; i < count; ++i) {
    CacheBuffer* b = find(first + i);
    if (!b) continue;
    __builtin_memcpy(b->data, bytes + i * block_size_, block_size_);
    b->dirty = false;
  }
  return {};
}

Result<void> BlockCache::sync() {
  for (size_t i = 0; i < capacity_; ++i) {
    CacheBuffer* b = &buffers_[i];
    if (b->valid && b->dirty) TRY(write_back(b));
  }
  return device_.flush();
}

void BlockCache::forget(uint64_t n) {
  CacheBuffer* b = find(n);
  if (!b) return;
  b->dirty = false;
  if (b->pins == 0) unhash(b);  // a pinned one stays until released, clean
}

}  // namespace stellina::fs
