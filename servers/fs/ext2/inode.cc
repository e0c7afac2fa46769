// Inodes: read from and written back to their group's inode table, their times (seconds,
// and nanoseconds where the inode has room for them), and their end.
#include "servers/fs/ext2/ext2_fs.h"

namespace stellina::fs::ext2 {
namespace {

constexpr int64_t kNsPerSecond = 1000000000;

// The bytes past the first 128 that this inode's extra fields cover (0 if it claims more
// than its slot holds).
uint32_t extra_of(const Inode& inode, uint32_t inode_size) {
  if (inode_size <= kGoodOldInodeSize) return 0;
  const uint32_t extra = inode.get16(ino::kExtraIsize);
  if ((extra & 3) || kGoodOldInodeSize + extra > inode_size) return 0;
  return extra;
}

}  // namespace

Result<Inode> Ext2FileSystem::load(uint64_t node) {
  if (node == 0 || node > inodes_count_) return abi::kErrNotFound;
  const auto index = static_cast<uint32_t>((node - 1) % inodes_per_group_);
  const Group& group = groups_[(node - 1) / inodes_per_group_];
  Inode inode;
  inode.number = static_cast<uint32_t>(node);
  // With uninit_bg or metadata_csum, a group's unused tail of inodes may never have been
  // written: those inodes are free whatever the table holds.
  if ((group.flags & gd::kInodeUninit) || index >= inodes_per_group_ - group.itable_unused)
    return inode;
  const uint64_t byte = static_cast<uint64_t>(index) * inode_size_;
  BlockRef ref = TRY(cache_->get(group.inode_table + byte / block_size_));
  const uint32_t size = inode_size_ < ino::kKnownSize ? inode_size_ : ino::kKnownSize;
  __builtin_memcpy(inode.raw, ref.data() + byte % block_size_, size);
  return inode;
}

Result<Inode> Ext2FileSystem::load_live(uint64_t node) {
  Inode inode = TRY(load(node));
  if (inode.mode() == 0 || inode.links() == 0) return abi::kErrNotFound;
  return inode;
}

Result<void> Ext2FileSystem::store(const Inode& inode) {
  const uint32_t node = inode.number;
  const uint32_t index = (node - 1) % inodes_per_group_;
  const Group& group = groups_[(node - 1) / inodes_per_group_];
  const uint64_t byte = static_cast<uint64_t>(index) * inode_size_;
  BlockRef ref = TRY(cache_->get(group.inode_table + byte / block_size_));
  // Only the fields the inode says it has: past them lie extended attributes.
  uint32_t size = kGoodOldInodeSize + extra_of(inode, inode_size_);
  if (size > ino::kKnownSize) size = ino::kKnownSize;
  __builtin_memcpy(ref.data() + byte % block_size_, inode.raw, size);
  ref.mark_dirty();
  return {};
}

FileStat Ext2FileSystem::stat_of(const Inode& inode) const {
  FileStat st{};
  st.node = inode.number;
  st.size = inode.size();
  uint64_t blocks = inode.get32(ino::kBlocks);
  if (ro_compat_ & kRoCompatHugeFile) {
    blocks |= static_cast<uint64_t>(inode.get16(ino::kBlocksHigh)) << 32;
    if (inode.flags() & ino::kHugeFileFlag) blocks *= block_size_ / 512;
  }
  st.blocks = blocks;
  st.mode = inode.mode();
  st.links = inode.links();
  st.uid = inode.get16(ino::kUid) | (static_cast<uint32_t>(inode.get16(ino::kUidHigh)) << 16);
  st.gid = inode.get16(ino::kGid) | (static_cast<uint32_t>(inode.get16(ino::kGidHigh)) << 16);
  st.atime_ns = time_of(inode, ino::kAtime, ino::kAtimeExtra);
  st.mtime_ns = time_of(inode, ino::kMtime, ino::kMtimeExtra);
  st.ctime_ns = time_of(inode, ino::kCtime, ino::kCtimeExtra);
  return st;
}

int64_t Ext2FileSystem::time_of(const Inode& inode, size_t field, size_t extra) const {
  int64_t seconds = static_cast<int32_t>(inode.get32(field));
  int64_t ns = 0;
  if (kGoodOldInodeSize + extra_of(inode, inode_size_) >= extra + 4) {
    const uint32_t bits = inode.get32(extra);
    seconds += static_cast<int64_t>(bits & 3) << 32;
    ns = bits >> 2;
    if (ns >= kNsPerSecond) ns = kNsPerSecond - 1;
  }
  // 34 bits of seconds reach past what 64 bits of nanoseconds hold (the year 2262).
  constexpr int64_t kMaxSeconds = INT64_MAX / kNsPerSecond - 1;
  if (seconds > kMaxSeconds) return kMaxSeconds * kNsPerSecond;
  return seconds * kNsPerSecond + ns;
}

void Ext2FileSystem::set_time(Inode& inode, size_t field, size_t extra, int64_t ns) const {
  int64_t seconds = ns / kNsPerSecond;
  int64_t rest = ns % kNsPerSecond;
  if (rest < 0) {
    rest += kNsPerSecond;
    --seconds;
  }
  inode.set32(field, static_cast<uint32_t>(seconds));
  if (kGoodOldInodeSize + extra_of(inode, inode_size_) >= extra + 4) {
    // The epoch bits extend the signed 32-bit seconds to 34 bits.
    const auto epoch = static_cast<uint32_t>(((seconds - static_cast<int32_t>(seconds)) >> 32) & 3);
    inode.set32(extra, (static_cast<uint32_t>(rest) << 2) | epoch);
  }
}

void Ext2FileSystem::touch(Inode& inode, bool modified) const {
  const int64_t now = now_ns();
  set_time(inode, ino::kCtime, ino::kCtimeExtra, now);
  if (modified) set_time(inode, ino::kMtime, ino::kMtimeExtra, now);
}

void Ext2FileSystem::add_blocks(Inode& inode, int64_t fs_blocks) const {
  const int64_t sectors = fs_blocks * static_cast<int64_t>(block_size_ / 512);
  inode.set32(ino::kBlocks, static_cast<uint32_t>(inode.get32(ino::kBlocks) + sectors));
}

Result<Inode> Ext2FileSystem::new_inode(uint32_t parent, uint32_t mode) {
  const bool directory = (mode & kModeTypeMask) == kModeDirectory;
  const uint32_t node = TRY(allocate_inode(parent, directory));
  Inode inode;
  inode.number = node;
  {
    // A fresh slot: nothing of a former inode (or its in-inode attributes) survives.
    const uint64_t byte = static_cast<uint64_t>((node - 1) % inodes_per_group_) * inode_size_;
    BlockRef ref =
        TRY(cache_->get(groups_[(node - 1) / inodes_per_group_].inode_table + byte / block_size_));
    __builtin_memset(ref.data() + byte % block_size_, 0, inode_size_);
    ref.mark_dirty();
  }
  if (extra_isize_) inode.set16(ino::kExtraIsize, static_cast<uint16_t>(extra_isize_));
  inode.set16(ino::kMode, static_cast<uint16_t>(mode));
  inode.set16(ino::kLinks, 1);
  const int64_t now = now_ns();
  set_time(inode, ino::kAtime, ino::kAtimeExtra, now);
  set_time(inode, ino::kCtime, ino::kCtimeExtra, now);
  set_time(inode, ino::kMtime, ino::kMtimeExtra, now);
  set_time(inode, ino::kCrtime, ino::kCrtimeExtra, now);
  return inode;
}

Result<void> Ext2FileSystem::change_links(Inode& inode, int delta) {
  uint32_t links = inode.links();
  // dir_nlink: a directory past the 16-bit limit counts 1 ("many") and stays there.
  if (inode.is_directory() && links == 1 && (ro_compat_ & kRoCompatDirNlink)) return {};
  if (delta > 0 && links >= 65000) {
    if (!inode.is_directory() || !(ro_compat_ & kRoCompatDirNlink)) return abi::kErrTooLarge;
    links = 1;
  } else if (delta < 0 && links == 0) {
    return abi::kErrCorrupt;
  } else {
    links = static_cast<uint32_t>(static_cast<int>(links) + delta);
  }
  inode.set16(ino::kLinks, static_cast<uint16_t>(links));
  return {};
}

Result<void> Ext2FileSystem::free_xattr_block(Inode& inode) {
  const uint32_t block = inode.get32(ino::kFileAcl);
  if (block == 0) return {};
  if (!is_data_block(block)) return abi::kErrCorrupt;
  bool last = false;
  {
    BlockRef ref = TRY(cache_->get(block));
    if (le32(ref.data()) != kXattrMagic) return abi::kErrCorrupt;
    const uint32_t refs = le32(ref.data() + kXattrRefcount);
    last = refs <= 1;
    if (!last) {
      put32(ref.data() + kXattrRefcount, refs - 1);
      ref.mark_dirty();
    }
  }
  if (last) TRY(free_block(block));
  add_blocks(inode, -1);
  inode.set32(ino::kFileAcl, 0);
  return {};
}

Result<void> Ext2FileSystem::release(Inode& inode) {
  const bool mapped = inode.is_regular() || inode.is_directory() ||
                      (inode.is_symlink() && !inode.is_fast_symlink());
  if (mapped) TRY(free_from(inode, 0));
  TRY(free_xattr_block(inode));
  inode.set16(ino::kLinks, 0);
  inode.set_size(0);
  // e2fsck reads a dtime of 0 as an inode in use, and one below the inode count as a link
  // of the orphan list: a clock near the epoch (a machine without a wall clock) must not
  // make a deletion look like either.
  auto seconds = static_cast<uint32_t>(now_ns() / kNsPerSecond);
  if (seconds <= inodes_count_) seconds = inodes_count_ + 1;
  inode.set32(ino::kDtime, seconds);
  TRY(store(inode));
  return free_inode(inode.number, inode.is_directory());
}

}  // namespace stellina::fs::ext2
