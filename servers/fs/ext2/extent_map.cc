// ext4's extent tree, read-only: a header and up to four entries in i_block, then index
// blocks down to leaves of (logical block, length, device block) runs. Every node's header
// is checked (magic, entries within its room, depth exactly one less than its parent's),
// so a hostile tree cannot loop or reach past a block.
#include "servers/fs/ext2/ext2_fs.h"

namespace stellina::fs::ext2 {

Result<uint64_t> Ext2FileSystem::map_extent(const Inode& inode, uint64_t n) {
  if (n > 0xffffffffu) return 0;
  const auto logical = static_cast<uint32_t>(n);
  const uint8_t* node = inode.raw + ino::kBlock;
  uint32_t room = ino::kBlockPointers * 4;
  uint32_t expected_depth = le16(node + 6);
  if (expected_depth > kExtentMaxDepth) return abi::kErrCorrupt;
  BlockRef ref;
  for (uint32_t level = 0; level <= kExtentMaxDepth; ++level) {
    const uint32_t entries = le16(node + 2);
    const uint32_t max = le16(node + 4);
    if (le16(node) != kExtentMagic || entries > max || kExtentHeader + max * kExtentEntry > room ||
        le16(node + 6) != expected_depth)
      return abi::kErrCorrupt;
    // The last entry that starts at or before the block (entries are sorted).
    const uint8_t* found = nullptr;
    for (uint32_t i = 0; i < entries; ++i) {
      const uint8_t* entry = node + kExtentHeader + size_t{i} * kExtentEntry;
      if (le32(entry) > logical) break;
      found = entry;
    }
    if (!found) return 0;
    if (expected_depth == 0) {
      uint32_t length = le16(found + 4);
      const bool initialized = length <= kExtentInitMaxLen;
      if (!initialized) length -= kExtentInitMaxLen;
      const uint32_t start = le32(found);
      if (logical - start >= length) return 0;
      if (!initialized) return 0;  // allocated but never written: reads as zeroes
      const uint64_t block =
          (le32(found + 8) | (static_cast<uint64_t>(le16(found + 6)) << 32)) + (logical - start);
      if (!is_data_block(block)) return abi::kErrCorrupt;
      return block;
    }
    const uint64_t child = le32(found + 4) | (static_cast<uint64_t>(le16(found + 8)) << 32);
    if (!is_data_block(child)) return abi::kErrCorrupt;
    ref = TRY(cache_->get(child));
    node = ref.data();
    room = block_size_;
    --expected_depth;
  }
  return abi::kErrCorrupt;
}

}  // namespace stellina::fs::ext2
