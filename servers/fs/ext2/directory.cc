// Directories, read linearly: blocks of entries (inode, rec_len, name_len, file_type, name)
// that tile each block exactly. Hashed (htree) directories read the same way: their index
// blocks look like empty entries. A change to a directory clears its index flag, as Linux's
// ext2 does, so it stays consistent as a linear one. Every entry is checked before it is
// used; a block that does not tile is kErrCorrupt.
#include "servers/fs/ext2/ext2_fs.h"

namespace stellina::fs::ext2 {
namespace {

uint8_t* entry_name(uint8_t* entry) { return entry + kDirEntryHeader; }

bool is_dot_or_dotdot(const uint8_t* entry, uint32_t length) {
  return (length == 1 && entry[8] == '.') || (length == 2 && entry[8] == '.' && entry[9] == '.');
}

uint32_t mode_of_file_type(uint8_t type) {
  switch (type) {
    case kFileTypeRegular: return kModeRegular;
    case kFileTypeDirectory: return kModeDirectory;
    case 3: return 0020000;
    case 4: return 0060000;
    case 5: return 0010000;
    case 6: return 0140000;
    case kFileTypeSymlink: return kModeSymlink;
    default: return 0;
  }
}

}  // namespace

uint32_t Ext2FileSystem::rec_len(const uint8_t* entry) const {
  const uint32_t value = le16(entry + 4);
  if (block_size_ >= 65536 && (value == 0 || value == 65535)) return 65536;
  return value;
}

void Ext2FileSystem::set_rec_len(uint8_t* entry, uint32_t length) const {
  put16(entry + 4, static_cast<uint16_t>(length >= 65536 ? 65535 : length));
}

uint32_t Ext2FileSystem::name_len(const uint8_t* entry) const {
  return (incompat_ & kIncompatFiletype) ? entry[6] : le16(entry + 6);
}

bool Ext2FileSystem::entry_ok(const uint8_t* block, uint32_t offset) const {
  if (offset + kDirEntryHeader > block_size_) return false;
  const uint8_t* entry = block + offset;
  const uint32_t length = rec_len(entry);
  if (length < kDirEntryHeader || (length & 3) || length > block_size_ - offset) return false;
  if (kDirEntryHeader + name_len(entry) > length) return false;
  const uint32_t node = le32(entry);
  return node == 0 || (node <= inodes_count_ && name_len(entry) > 0);
}

uint8_t Ext2FileSystem::file_type_of(uint32_t mode) const {
  if (!(incompat_ & kIncompatFiletype)) return 0;
  switch (mode & kModeTypeMask) {
    case kModeRegular: return kFileTypeRegular;
    case kModeDirectory: return kFileTypeDirectory;
    case kModeSymlink: return kFileTypeSymlink;
    default: return 0;
  }
}

Result<uint64_t> Ext2FileSystem::directory_blocks(const Inode& dir) const {
  const uint64_t blocks = dir.size() / block_size_;
  if (blocks > blocks_count_) return abi::kErrCorrupt;
  return blocks;
}

Result<bool> Ext2FileSystem::find_entry(const Inode& dir, lib::StringView name, DirSlot& slot) {
  const uint64_t blocks = TRY(directory_blocks(dir));
  for (uint64_t logical = 0; logical < blocks; ++logical) {
    const uint64_t block = TRY(map(dir, logical));
    if (block == 0) return abi::kErrCorrupt;  // directories have no holes
    BlockRef ref = TRY(cache_->get(block));
    for (uint32_t offset = 0; offset < block_size_; offset += rec_len(ref.data() + offset)) {
      if (!entry_ok(ref.data(), offset)) return abi::kErrCorrupt;
      uint8_t* entry = ref.data() + offset;
      if (le32(entry) == 0 || name_len(entry) != name.size() ||
          __builtin_memcmp(entry_name(entry), name.data(), name.size()) != 0)
        continue;
      slot.logical = logical;
      slot.offset = offset;
      slot.node = le32(entry);
      slot.file_type = (incompat_ & kIncompatFiletype) ? entry[7] : 0;
      return true;
    }
  }
  return false;
}

Result<void> Ext2FileSystem::add_entry(Inode& dir, lib::StringView name, uint32_t node,
                                       uint32_t mode) {
  const uint32_t need = dir_entry_size(static_cast<uint32_t>(name.size()));
  const auto fill = [&](uint8_t* entry) {
    put32(entry, node);
    entry[6] = static_cast<uint8_t>(name.size());
    entry[7] = file_type_of(mode);
    __builtin_memcpy(entry_name(entry), name.data(), name.size());
  };
  dir.set32(ino::kFlags, dir.flags() & ~ino::kIndexFlag);
  const uint64_t blocks = TRY(directory_blocks(dir));
  for (uint64_t logical = 0; logical < blocks; ++logical) {
    const uint64_t block = TRY(map(dir, logical));
    if (block == 0) return abi::kErrCorrupt;
    BlockRef ref = TRY(cache_->get(block));
    for (uint32_t offset = 0; offset < block_size_; offset += rec_len(ref.data() + offset)) {
      if (!entry_ok(ref.data(), offset)) return abi::kErrCorrupt;
      uint8_t* entry = ref.data() + offset;
      const uint32_t length = rec_len(entry);
      if (le32(entry) == 0) {
        if (length < need) continue;
        fill(entry);
      } else {
        const uint32_t used = dir_entry_size(name_len(entry));
        if (length - used < need) continue;
        set_rec_len(entry, used);
        entry += used;
        set_rec_len(entry, length - used);
        fill(entry);
      }
      ref.mark_dirty();
      return {};
    }
  }
  // No room: one more block.
  if ((blocks + 1) * block_size_ > 0xffffffffu) return abi::kErrNoSpace;
  bool fresh = false;
  const uint64_t block = TRY(map_or_allocate(dir, blocks, fresh));
  BlockRef ref = TRY(cache_->get_zeroed(block));
  set_rec_len(ref.data(), block_size_);
  fill(ref.data());
  dir.set_size((blocks + 1) * block_size_);
  return {};
}

Result<void> Ext2FileSystem::remove_entry(Inode& dir, const DirSlot& slot) {
  const uint64_t block = TRY(map(dir, slot.logical));
  if (block == 0) return abi::kErrCorrupt;
  dir.set32(ino::kFlags, dir.flags() & ~ino::kIndexFlag);
  BlockRef ref = TRY(cache_->get(block));
  uint8_t* previous = nullptr;
  for (uint32_t offset = 0; offset < block_size_; offset += rec_len(ref.data() + offset)) {
    if (!entry_ok(ref.data(), offset)) return abi::kErrCorrupt;
    uint8_t* entry = ref.data() + offset;
    if (offset == slot.offset) {
      // The first entry of a block is emptied; any other joins the one before it.
      if (previous) {
        set_rec_len(previous, rec_len(previous) + rec_len(entry));
      } else {
        put32(entry, 0);
      }
      ref.mark_dirty();
      return {};
    }
    previous = entry;
  }
  return abi::kErrCorrupt;
}

Result<void> Ext2FileSystem::retarget_entry(Inode& dir, const DirSlot& slot, uint32_t node,
                                            uint32_t mode) {
  const uint64_t block = TRY(map(dir, slot.logical));
  if (block == 0) return abi::kErrCorrupt;
  BlockRef ref = TRY(cache_->get(block));
  if (!entry_ok(ref.data(), slot.offset)) return abi::kErrCorrupt;
  uint8_t* entry = ref.data() + slot.offset;
  put32(entry, node);
  if (incompat_ & kIncompatFiletype) entry[7] = file_type_of(mode);
  ref.mark_dirty();
  return {};
}

Result<bool> Ext2FileSystem::is_empty(const Inode& dir) {
  const uint64_t blocks = TRY(directory_blocks(dir));
  for (uint64_t logical = 0; logical < blocks; ++logical) {
    const uint64_t block = TRY(map(dir, logical));
    if (block == 0) return abi::kErrCorrupt;
    BlockRef ref = TRY(cache_->get(block));
    for (uint32_t offset = 0; offset < block_size_; offset += rec_len(ref.data() + offset)) {
      if (!entry_ok(ref.data(), offset)) return abi::kErrCorrupt;
      const uint8_t* entry = ref.data() + offset;
      if (le32(entry) != 0 && !is_dot_or_dotdot(entry, name_len(entry))) return false;
    }
  }
  return true;
}

Result<uint32_t> Ext2FileSystem::parent_of(const Inode& dir) {
  DirSlot slot;
  if (!TRY(find_entry(dir, "..", slot))) return abi::kErrCorrupt;
  return slot.node;
}

Result<void> Ext2FileSystem::set_parent(Inode& dir, uint32_t parent) {
  DirSlot slot;
  if (!TRY(find_entry(dir, "..", slot))) return abi::kErrCorrupt;
  return retarget_entry(dir, slot, parent, kModeDirectory);
}

Result<void> Ext2FileSystem::init_directory(Inode& dir, uint32_t parent) {
  bool fresh = false;
  const uint64_t block = TRY(map_or_allocate(dir, 0, fresh));
  BlockRef ref = TRY(cache_->get_zeroed(block));
  uint8_t* dot = ref.data();
  put32(dot, dir.number);
  set_rec_len(dot, 12);
  dot[6] = 1;
  dot[7] = file_type_of(kModeDirectory);
  dot[8] = '.';
  uint8_t* dotdot = dot + 12;
  put32(dotdot, parent);
  set_rec_len(dotdot, block_size_ - 12);
  dotdot[6] = 2;
  dotdot[7] = file_type_of(kModeDirectory);
  dotdot[8] = '.';
  dotdot[9] = '.';
  dir.set_size(block_size_);
  return {};
}

Result<uint64_t> Ext2FileSystem::readdir(InodeId dir_node, uint64_t cursor, DirVisitor& visitor) {
  const Inode dir = TRY(load_directory(dir_node));
  const uint64_t blocks = TRY(directory_blocks(dir));
  for (uint64_t logical = cursor / block_size_; logical < blocks; ++logical) {
    const uint64_t block = TRY(map(dir, logical));
    if (block == 0) return abi::kErrCorrupt;
    BlockRef ref = TRY(cache_->get(block));
    for (uint32_t offset = 0; offset < block_size_; offset += rec_len(ref.data() + offset)) {
      if (!entry_ok(ref.data(), offset)) return abi::kErrCorrupt;
      const uint64_t at = logical * block_size_ + offset;
      // A cursor inside an entry (one merged since) resumes at the next whole one.
      if (at < cursor) continue;
      const uint8_t* entry = ref.data() + offset;
      const uint32_t length = name_len(entry);
      const uint32_t node = le32(entry);
      if (node == 0 || is_dot_or_dotdot(entry, length)) continue;
      uint32_t mode = 0;
      if (incompat_ & kIncompatFiletype) {
        mode = mode_of_file_type(entry[7]);
      } else {
        Result<Inode> child = load(node);
        if (child.ok()) mode = child.value().type();
      }
      const lib::StringView name(reinterpret_cast<const char*>(entry + kDirEntryHeader), length);
      if (!visitor.visit(node, mode, name, at + rec_len(entry))) return at == 0 ? 1 : at;
    }
  }
  return 0;
}

}  // namespace stellina::fs::ext2
