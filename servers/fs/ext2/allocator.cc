// Blocks and inodes are taken and given back through the group bitmaps; the group and
// superblock free counts change with every bit, so they stay exact. A bitmap that offers a
// metadata block, or a bit already in the state it is being put in, is corruption: refused,
// never followed.
#include "servers/fs/ext2/ext2_fs.h"

namespace stellina::fs::ext2 {
namespace {

// The first clear bit in [from, to) of bitmap, or to.
uint32_t find_clear(const uint8_t* bitmap, uint32_t from, uint32_t to) {
  uint32_t bit = from;
  while (bit < to) {
    if ((bit & 7) == 0 && bitmap[bit >> 3] == 0xff) {
      bit += 8;
      continue;
    }
    if (!(bitmap[bit >> 3] & (1u << (bit & 7)))) return bit;
    ++bit;
  }
  return to;
}

bool test_bit(const uint8_t* bitmap, uint32_t bit) { return bitmap[bit >> 3] & (1u << (bit & 7)); }
void set_bit(uint8_t* bitmap, uint32_t bit) {
  bitmap[bit >> 3] |= static_cast<uint8_t>(1u << (bit & 7));
}
void clear_bit(uint8_t* bitmap, uint32_t bit) {
  bitmap[bit >> 3] &= static_cast<uint8_t>(~(1u << (bit & 7)));
}

}  // namespace

Result<uint64_t> Ext2FileSystem::allocate_block(uint64_t goal) {
  if (free_blocks_ == 0) return abi::kErrNoSpace;
  uint32_t start = last_group_;
  uint32_t start_bit = 0;
  if (goal >= first_data_block_ && goal < blocks_count_) {
    start = static_cast<uint32_t>((goal - first_data_block_) / blocks_per_group_);
    start_bit = static_cast<uint32_t>((goal - first_data_block_) % blocks_per_group_);
  }
  for (uint32_t i = 0; i <= group_count_; ++i) {
    const uint32_t g = (start + i) % group_count_;
    Group& group = groups_[g];
    if (group.free_blocks == 0) continue;
    BlockRef bitmap = TRY(cache_->get(group.block_bitmap));
    const auto count = static_cast<uint32_t>(group_block_count(g));
    const uint32_t from = i == 0 && start_bit < count ? start_bit : 0;
    uint32_t bit = find_clear(bitmap.data(), from, count);
    if (bit == count) {
      bit = find_clear(bitmap.data(), 0, from);
      if (bit == from) continue;
    }
    const uint64_t block = group_first_block(g) + bit;
    if (!is_data_block(block)) return abi::kErrCorrupt;  // the bitmap offers metadata
    set_bit(bitmap.data(), bit);
    bitmap.mark_dirty();
    --group.free_blocks;
    --free_blocks_;
    dirty_ = true;
    last_group_ = g;
    return block;
  }
  return abi::kErrCorrupt;  // the counts say free, the bitmaps say full
}

Result<void> Ext2FileSystem::free_block(uint64_t n) {
  if (!is_data_block(n)) return abi::kErrCorrupt;
  const auto g = static_cast<uint32_t>((n - first_data_block_) / blocks_per_group_);
  const auto bit = static_cast<uint32_t>((n - first_data_block_) % blocks_per_group_);
  Group& group = groups_[g];
  BlockRef bitmap = TRY(cache_->get(group.block_bitmap));
  if (!test_bit(bitmap.data(), bit)) return abi::kErrCorrupt;  // freed twice: cross-linked
  clear_bit(bitmap.data(), bit);
  bitmap.mark_dirty();
  ++group.free_blocks;
  ++free_blocks_;
  dirty_ = true;
  cache_->forget(n);
  return {};
}

Result<uint32_t> Ext2FileSystem::allocate_inode(uint32_t parent, bool directory) {
  if (free_inodes_ == 0) return abi::kErrNoSpace;
  const uint32_t home =
      parent >= 1 && parent <= inodes_count_ ? (parent - 1) / inodes_per_group_ : 0;
  // A directory goes to the group with the fewest directories (spreading the tree), a
  // file next to its directory.
  uint32_t first_choice = home;
  if (directory) {
    uint32_t best = group_count_;
    for (uint32_t i = 0; i < group_count_; ++i) {
      const uint32_t g = (home + i) % group_count_;
      if (groups_[g].free_inodes == 0 || groups_[g].free_blocks == 0) continue;
      if (best == group_count_ || groups_[g].used_dirs < groups_[best].used_dirs) best = g;
    }
    if (best != group_count_) first_choice = best;
  }
  for (uint32_t i = 0; i <= group_count_; ++i) {
    const uint32_t g = i == 0 ? first_choice : (home + i - 1) % group_count_;
    Group& group = groups_[g];
    if (group.free_inodes == 0) continue;
    BlockRef bitmap = TRY(cache_->get(group.inode_bitmap));
    const uint64_t group_first = static_cast<uint64_t>(g) * inodes_per_group_ + 1;
    const uint32_t from =
        group_first < first_ino_ ? static_cast<uint32_t>(first_ino_ - group_first) : 0;
    if (from >= inodes_per_group_) continue;
    const uint32_t bit = find_clear(bitmap.data(), from, inodes_per_group_);
    if (bit == inodes_per_group_) continue;
    const auto node = static_cast<uint32_t>(group_first + bit);
    // The bitmap may lie: an inode in use is never handed out again.
    const Inode old = TRY(load(node));
    if (old.mode() != 0 && old.links() != 0 && old.get32(ino::kDtime) == 0) return abi::kErrCorrupt;
    set_bit(bitmap.data(), bit);
    bitmap.mark_dirty();
    --group.free_inodes;
    --free_inodes_;
    if (directory) ++group.used_dirs;
    dirty_ = true;
    return node;
  }
  return abi::kErrCorrupt;
}

Result<void> Ext2FileSystem::free_inode(uint32_t node, bool directory) {
  if (node < first_ino_ || node > inodes_count_) return abi::kErrCorrupt;
  const uint32_t g = (node - 1) / inodes_per_group_;
  const uint32_t bit = (node - 1) % inodes_per_group_;
  Group& group = groups_[g];
  BlockRef bitmap = TRY(cache_->get(group.inode_bitmap));
  if (!test_bit(bitmap.data(), bit)) return abi::kErrCorrupt;
  clear_bit(bitmap.data(), bit);
  bitmap.mark_dirty();
  ++group.free_inodes;
  ++free_inodes_;
  if (directory && group.used_dirs > 0) --group.used_dirs;
  dirty_ = true;
  return {};
}

Result<void> Ext2FileSystem::write_metadata() {
  const bool wide = (incompat_ & kIncompat64Bit) && desc_size_ >= 64;
  for (uint32_t g = 0; g < group_count_; ++g) {
    const uint64_t byte = static_cast<uint64_t>(g) * desc_size_;
    BlockRef ref = TRY(cache_->get(first_data_block_ + 1 + byte / block_size_));
    uint8_t* d = ref.data() + byte % block_size_;
    const Group& group = groups_[g];
    put16(d + gd::kFreeBlocks, static_cast<uint16_t>(group.free_blocks));
    put16(d + gd::kFreeInodes, static_cast<uint16_t>(group.free_inodes));
    put16(d + gd::kUsedDirs, static_cast<uint16_t>(group.used_dirs));
    if (wide) {
      put16(d + gd::kFreeBlocksHi, static_cast<uint16_t>(group.free_blocks >> 16));
      put16(d + gd::kFreeInodesHi, static_cast<uint16_t>(group.free_inodes >> 16));
      put16(d + gd::kUsedDirsHi, static_cast<uint16_t>(group.used_dirs >> 16));
    }
    ref.mark_dirty();
  }
  BlockRef ref = TRY(cache_->get(kSuperblockOffset / block_size_));
  uint8_t* super = ref.data() + kSuperblockOffset % block_size_;
  put32(super + sb::kFreeBlocks, static_cast<uint32_t>(free_blocks_));
  if (incompat_ & kIncompat64Bit)
    put32(super + sb::kFreeBlocksHi, static_cast<uint32_t>(free_blocks_ >> 32));
  put32(super + sb::kFreeInodes, free_inodes_);
  put32(super + sb::kFeatureRoCompat, ro_compat_);
  put32(super + sb::kWtime, static_cast<uint32_t>(now_ns() / 1000000000));
  ref.mark_dirty();
  dirty_ = false;
  return {};
}

}  // namespace stellina::fs::ext2
