// ext2's block map: 12 direct blocks in the inode, then a single, a double and a triple
// indirect block, each a block of 32-bit block numbers. A 0 is a hole (reads as zeroes,
// takes no space). Every number read from an inode or an indirect block is checked to be a
// data block before it is followed or used.
#include "servers/fs/ext2/ext2_fs.h"

namespace stellina::fs::ext2 {
namespace {

// The route to a logical block: the i_block slot, then one index per indirect level.
struct Path {
  uint32_t slot = 0;
  uint32_t levels = 0;
  uint32_t index[3] = {};
};

// False if n lies past what the triple indirect block reaches.
bool path_of(uint64_t n, uint32_t per_block, Path& path) {
  if (n < ino::kDirectBlocks) {
    path.slot = static_cast<uint32_t>(n);
    return true;
  }
  n -= ino::kDirectBlocks;
  uint64_t span = per_block;
  for (uint32_t levels = 1; levels <= 3; ++levels) {
    if (n < span) {
      path.slot = ino::kDirectBlocks + levels - 1;
      path.levels = levels;
      for (uint32_t l = levels; l-- > 0;) {
        path.index[l] = static_cast<uint32_t>(n % per_block);
        n /= per_block;
      }
      return true;
    }
    n -= span;
    span *= per_block;
  }
  return false;
}

}  // namespace

uint64_t Ext2FileSystem::max_blocks() const {
  const uint64_t p = block_size_ / 4;
  uint64_t blocks = ino::kDirectBlocks + p + p * p + p * p * p;
  // i_blocks counts 512-byte sectors in 32 bits (data and indirect blocks alike).
  const uint64_t sector_limit = (uint64_t{1} << 32) / (block_size_ / 512) / 2;
  if (blocks > sector_limit) blocks = sector_limit;
  return blocks;
}

Result<uint64_t> Ext2FileSystem::map(const Inode& inode, uint64_t n) {
  if (inode.uses_extents()) return map_extent(inode, n);
  if (inode.flags() & ino::kInlineDataFlag) return abi::kErrCorrupt;
  Path path;
  if (!path_of(n, block_size_ / 4, path)) return 0;
  uint64_t block = inode.block(path.slot);
  for (uint32_t l = 0; l < path.levels && block != 0; ++l) {
    if (!is_data_block(block)) return abi::kErrCorrupt;
    BlockRef ref = TRY(cache_->get(block));
    block = le32(ref.data() + size_t{4} * path.index[l]);
  }
  if (block != 0 && !is_data_block(block)) return abi::kErrCorrupt;
  return block;
}

Result<uint64_t> Ext2FileSystem::map_or_allocate(Inode& inode, uint64_t n, bool& fresh) {
  fresh = false;
  if (inode.uses_extents()) return abi::kErrReadOnly;
  Path path;
  if (!path_of(n, block_size_ / 4, path)) return abi::kErrTooLarge;
  // Near the block before it, or at the start of the inode's group.
  uint64_t goal = group_first_block((inode.number - 1) / inodes_per_group_);
  if (n > 0) {
    const uint64_t before = TRY(map(inode, n - 1));
    if (before) goal = before + 1;
  }
  uint64_t block = inode.block(path.slot);
  if (block == 0) {
    block = TRY(allocate_block(goal));
    add_blocks(inode, 1);
    inode.set_block(path.slot, static_cast<uint32_t>(block));
    if (path.levels > 0) {
      TRY(cache_->get_zeroed(block));
    } else {
      fresh = true;
    }
  }
  for (uint32_t l = 0; l < path.levels; ++l) {
    if (!is_data_block(block)) return abi::kErrCorrupt;
    BlockRef ref = TRY(cache_->get(block));
    uint8_t* slot = ref.data() + size_t{4} * path.index[l];
    uint64_t next = le32(slot);
    if (next == 0) {
      next = TRY(allocate_block(block + 1));
      add_blocks(inode, 1);
      put32(slot, static_cast<uint32_t>(next));
      ref.mark_dirty();
      if (l + 1 < path.levels) {
        TRY(cache_->get_zeroed(next));
      } else {
        fresh = true;
      }
    }
    block = next;
  }
  if (!is_data_block(block)) return abi::kErrCorrupt;
  return block;
}

Result<void> Ext2FileSystem::free_from(Inode& inode, uint64_t first) {
  if (inode.uses_extents()) return abi::kErrReadOnly;
  for (uint32_t i = 0; i < ino::kDirectBlocks; ++i) {
    const uint32_t block = inode.block(i);
    if (i < first || block == 0) continue;
    TRY(free_block(block));
    inode.set_block(i, 0);
    add_blocks(inode, -1);
  }
  const uint64_t per_block = block_size_ / 4;
  uint64_t base = ino::kDirectBlocks;
  uint64_t span = per_block;
  for (uint32_t levels = 1; levels <= 3; ++levels) {
    const uint32_t slot = ino::kDirectBlocks + levels - 1;
    const uint32_t block = inode.block(slot);
    if (block != 0 && base + span > first) {
      const bool emptied = TRY(free_tree(inode, block, levels, base, first));
      if (emptied) {
        TRY(free_block(block));
        inode.set_block(slot, 0);
        add_blocks(inode, -1);
      }
    }
    base += span;
    span *= per_block;
  }
  return {};
}

// Frees what the indirect block at block (levels above the data) maps from logical block
// first on; true if that was everything it maps, so it may go too. Recursion is at most
// three deep.
Result<bool> Ext2FileSystem::free_tree(Inode& inode, uint64_t block, uint32_t level, uint64_t base,
                                       uint64_t first) {
  if (!is_data_block(block)) return abi::kErrCorrupt;
  const uint32_t per_block = block_size_ / 4;
  uint64_t child_span = 1;
  for (uint32_t l = 1; l < level; ++l) child_span *= per_block;
  BlockRef ref = TRY(cache_->get(block));
  for (uint32_t i = 0; i < per_block; ++i) {
    const uint32_t child = le32(ref.data() + size_t{4} * i);
    const uint64_t child_base = base + i * child_span;
    if (child == 0 || child_base + child_span <= first) continue;
    bool emptied = child_base >= first;
    if (level > 1) emptied = TRY(free_tree(inode, child, level - 1, child_base, first));
    if (!emptied) continue;
    TRY(free_block(child));
    put32(ref.data() + size_t{4} * i, 0);
    ref.mark_dirty();
    add_blocks(inode, -1);
  }
  return first <= base;
}

Result<void> Ext2FileSystem::zero_tail(Inode& inode, uint64_t size) {
  const uint32_t within = size % block_size_;
  if (within == 0) return {};
  const uint64_t block = TRY(map(inode, size / block_size_));
  if (block == 0) return {};
  BlockRef ref = TRY(cache_->get(block));
  __builtin_memset(ref.data() + within, 0, block_size_ - within);
  ref.mark_dirty();
  return {};
}

}  // namespace stellina::fs::ext2
