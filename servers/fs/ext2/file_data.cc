// File contents: read through the block map (holes as zeroes, long contiguous runs straight
// from the device), written allocating as they go: runs of whole blocks that lie one after
// another on the device straight to it, the rest block by block through the cache.
#include "servers/fs/ext2/ext2_fs.h"

namespace stellina::fs::ext2 {
namespace {

constexpr uint64_t kMaxDirectRun = 256;  // blocks read or written past the cache at once

}  // namespace

Result<size_t> Ext2FileSystem::read_data(const Inode& inode, uint64_t offset, void* out,
                                         size_t size) {
  const uint64_t file_size = inode.size();
  if (offset >= file_size) return 0;
  if (size > file_size - offset) size = static_cast<size_t>(file_size - offset);
  auto* bytes = static_cast<uint8_t*>(out);
  size_t done = 0;
  while (done < size) {
    const uint64_t position = offset + done;
    const uint64_t logical = position / block_size_;
    const uint32_t within = position % block_size_;
    const uint64_t block = TRY(map(inode, logical));
    size_t chunk = block_size_ - within;
    if (chunk > size - done) chunk = size - done;
    if (block == 0) {
      __builtin_memset(bytes + done, 0, chunk);
    } else if (within == 0 && size - done >= 2 * uint64_t{block_size_}) {
      // A run of whole blocks that lie one after another on the device.
      uint64_t run = 1;
      const uint64_t whole = (size - done) / block_size_;
      while (run < whole && run < kMaxDirectRun) {
        const uint64_t next = TRY(map(inode, logical + run));
        if (next != block + run) break;
        ++run;
      }
      TRY(cache_->read_direct(block, run, bytes + done));
      chunk = run * block_size_;
    } else {
      BlockRef ref = TRY(cache_->get(block));
      __builtin_memcpy(bytes + done, ref.data() + within, chunk);
    }
    done += chunk;
  }
  return size;
}

Result<size_t> Ext2FileSystem::write_data(Inode& inode, uint64_t offset, const void* data,
                                          size_t size) {
  if (size == 0) return 0;
  const uint64_t limit = max_blocks() * block_size_;
  if (offset >= limit || size > limit - offset) return abi::kErrTooLarge;
  const auto* bytes = static_cast<const uint8_t*>(data);
  size_t done = 0;
  abi::Status failure = abi::kOk;
  while (done < size && failure == abi::kOk) {
    const uint64_t position = offset + done;
    const uint64_t logical = position / block_size_;
    const uint32_t within = position % block_size_;
    size_t chunk = block_size_ - within;
    if (chunk > size - done) chunk = size - done;
    bool fresh = false;
    Result<uint64_t> block = map_or_allocate(inode, logical, fresh);
    if (!block.ok()) {
      failure = block.error();
      break;
    }
    const uint64_t whole = within == 0 ? (size - done) / block_size_ : 0;
    if (whole >= 2) {
      // A run of whole blocks that lie one after another on the device (allocation aims
      // each block right after the one before it): one write, and no cache buffer to evict.
      // A block mapped that does not continue the run is written by the next round.
      uint64_t run = 1;
      while (run < whole && run < kMaxDirectRun) {
        Result<uint64_t> next = map_or_allocate(inode, logical + run, fresh);
        if (!next.ok()) failure = next.error();
        if (!next.ok() || next.value() != block.value() + run) break;
        ++run;
      }
      Result<void> wrote = cache_->write_direct(block.value(), run, bytes + done);
      if (!wrote.ok()) {
        failure = wrote.error();
        break;
      }
      chunk = run * block_size_;
    } else {
      Result<BlockRef> ref = (fresh || chunk == block_size_) ? cache_->get_zeroed(block.value())
                                                             : cache_->get(block.value());
      if (!ref.ok()) {
        failure = ref.error();
        break;
      }
      __builtin_memcpy(ref.value().data() + within, bytes + done, chunk);
      ref.value().mark_dirty();
    }
    done += chunk;
    if (position + chunk > inode.size()) inode.set_size(position + chunk);
  }
  if (inode.size() > 0x7fffffffu && !(ro_compat_ & kRoCompatLargeFile)) {
    ro_compat_ |= kRoCompatLargeFile;
    dirty_ = true;
  }
  if (failure != abi::kOk) {
    // Indirect blocks taken for a block that could not be: give back what lies past the end.
    const uint64_t kept = (inode.size() + block_size_ - 1) / block_size_;
    TRY(free_from(inode, kept));
    if (done == 0) return failure;
  }
  return done;
}

}  // namespace stellina::fs::ext2
