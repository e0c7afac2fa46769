// Mounting: the superblock and group descriptors are checked before anything is served, so
// every later step can trust the geometry (sizes, counts, where the metadata lies).
#include "servers/fs/core/memory.h"
#include "servers/fs/ext2/ext2.h"
#include "servers/fs/ext2/ext2_fs.h"

namespace stellina::fs {

Result<FileSystem*> mount_ext2(BlockDevice& device, const MountOptions& options,
                               MountMessage& message) {
  return ext2::Ext2FileSystem::mount(device, options, message);
}

}  // namespace stellina::fs

namespace stellina::fs::ext2 {
namespace {

abi::Status refuse(MountMessage& message, abi::Status status, const char* reason,
                   const char* detail = "") {
  size_t n = 0;
  for (const char* p = reason; *p && n + 1 < sizeof(message.text); ++p) message.text[n++] = *p;
  for (const char* p = detail; *p && n + 1 < sizeof(message.text); ++p) message.text[n++] = *p;
  message.text[n] = '\0';
  return status;
}

struct Feature {
  uint32_t bit;
  const char* name;
};

constexpr Feature kIncompatFeatures[] = {
    {kIncompatCompression, "compression"},
    {kIncompatFiletype, "filetype"},
    {kIncompatRecover, "needs_recovery"},
    {kIncompatJournalDev, "journal_dev"},
    {kIncompatMetaBg, "meta_bg"},
    {kIncompatExtents, "extent"},
    {kIncompat64Bit, "64bit"},
    {kIncompatMmp, "mmp"},
    {kIncompatFlexBg, "flex_bg"},
    {kIncompatEaInode, "ea_inode"},
    {kIncompatDirData, "dirdata"},
    {kIncompatCsumSeed, "metadata_csum_seed"},
    {kIncompatLargeDir, "large_dir"},
    {kIncompatInlineData, "inline_data"},
    {kIncompatEncrypt, "encrypt"},
    {kIncompatCasefold, "casefold"},
};

constexpr Feature kRoCompatFeatures[] = {
    {0x1, "sparse_super"}, {0x2, "large_file"},         {0x4, "btree_dir"},
    {0x8, "huge_file"},    {0x10, "uninit_bg"},         {0x20, "dir_nlink"},
    {0x40, "extra_isize"}, {0x80, "snapshot"},          {0x100, "quota"},
    {0x200, "bigalloc"},   {0x400, "metadata_csum"},    {0x800, "replica"},
    {0x1000, "read-only"}, {0x2000, "project"},         {0x4000, "shared_blocks"},
    {0x8000, "verity"},    {0x10000, "orphan_present"},
};

// The name of the lowest bit of bits.
template <size_t N>
const char* feature_name(const Feature (&table)[N], uint32_t bits) {
  const uint32_t lowest = bits & (~bits + 1);
  for (const Feature& f : table)
    if (f.bit == lowest) return f.name;
  return "(unknown)";
}

// What this engine reads, and what its write path keeps consistent.
constexpr uint32_t kIncompatRead = kIncompatFiletype | kIncompatExtents | kIncompat64Bit |
                                   kIncompatFlexBg | kIncompatCsumSeed | kIncompatLargeDir |
                                   kIncompatEaInode | kIncompatMmp;
constexpr uint32_t kIncompatWrite = kIncompatFiletype | kIncompatFlexBg | kIncompat64Bit;
constexpr uint32_t kRoCompatWrite =
    kRoCompatSparseSuper | kRoCompatLargeFile | kRoCompatDirNlink | 0x40 /* extra_isize */;
constexpr uint32_t kRoCompatBigalloc = 0x200;

// Orders runs by their first block (a heap sort: no recursion, no extra memory).
void sort_runs(MetadataRun* runs, size_t n) {
  auto sift = [runs](size_t root, size_t end) {
    while (2 * root + 1 < end) {
      size_t child = 2 * root + 1;
      if (child + 1 < end && runs[child].first < runs[child + 1].first) ++child;
      if (runs[root].first >= runs[child].first) return;
      const MetadataRun t = runs[root];
      runs[root] = runs[child];
      runs[child] = t;
      root = child;
    }
  };
  for (size_t i = n / 2; i-- > 0;) sift(i, n);
  for (size_t end = n; end > 1; --end) {
    const MetadataRun t = runs[0];
    runs[0] = runs[end - 1];
    runs[end - 1] = t;
    sift(0, end - 1);
  }
}

}  // namespace

Result<FileSystem*> Ext2FileSystem::mount(BlockDevice& device, const MountOptions& options,
                                          MountMessage& message) {
  if (device.sector_count() < (kSuperblockOffset + kSuperblockSize) / kSectorSize)
    return refuse(message, abi::kErrCorrupt, "the device is too small for a superblock");
  auto* super = make_array<uint8_t>(kSuperblockSize);
  if (!super) return abi::kErrNoMemory;
  void* memory = allocate(sizeof(Ext2FileSystem));
  if (!memory) {
    deallocate(super);
    return abi::kErrNoMemory;
  }
  auto* fs = new (memory) Ext2FileSystem(device);
  Result<void> loaded =
      device.read(kSuperblockOffset / kSectorSize, kSuperblockSize / kSectorSize, super);
  if (loaded.ok()) loaded = fs->load_superblock(super, message);
  deallocate(super);
  if (loaded.ok()) loaded = fs->check_features(options.read_only, message);
  if (loaded.ok()) {
    size_t capacity = options.cache_bytes / fs->block_size_;
    if (capacity < 16) capacity = 16;
    Result<BlockCache*> cache = BlockCache::create(device, fs->block_size_, capacity);
    if (cache.ok()) {
      fs->cache_ = cache.value();
    } else {
      loaded = cache.error();
    }
  }
  if (loaded.ok() && fs->blocks_count_ > fs->cache_->block_count())
    loaded = refuse(message, abi::kErrCorrupt, "the file system is larger than its device");
  if (loaded.ok()) loaded = fs->load_groups(message);
  if (loaded.ok()) loaded = fs->map_metadata(message);
  if (loaded.ok()) {
    Result<Inode> root = fs->load(kRootInode);
    if (!root.ok() || !root.value().is_directory())
      loaded = refuse(message, abi::kErrCorrupt, "the root is not a directory");
  }
  if (!loaded.ok()) {
    destroy(fs);
    return loaded.error();
  }
  fs->read_only_ = options.read_only;
  return static_cast<FileSystem*>(fs);
}

Result<void> Ext2FileSystem::load_superblock(const uint8_t* super, MountMessage& message) {
  if (le16(super + sb::kMagic) != kMagic)
    return refuse(message, abi::kErrCorrupt, "not an ext2 file system (bad magic)");
  const uint32_t log_block = le32(super + sb::kLogBlockSize);
  if (log_block > 6) return refuse(message, abi::kErrCorrupt, "block size out of range");
  block_size_ = 1024u << log_block;
  const uint32_t revision = le32(super + sb::kRevLevel);
  if (revision > 1) return refuse(message, abi::kErrNotSupported, "unsupported revision");
  if (revision == 1) {
    inode_size_ = le16(super + sb::kInodeSize);
    first_ino_ = le32(super + sb::kFirstIno);
    compat_ = le32(super + sb::kFeatureCompat);
    incompat_ = le32(super + sb::kFeatureIncompat);
    ro_compat_ = le32(super + sb::kFeatureRoCompat);
  }
  if (inode_size_ < kGoodOldInodeSize || inode_size_ > block_size_ ||
      (inode_size_ & (inode_size_ - 1)))
    return refuse(message, abi::kErrCorrupt, "bad inode size");
  blocks_count_ = le32(super + sb::kBlocksCount);
  if (incompat_ & kIncompat64Bit)
    blocks_count_ |= static_cast<uint64_t>(le32(super + sb::kBlocksCountHi)) << 32;
  inodes_count_ = le32(super + sb::kInodesCount);
  blocks_per_group_ = le32(super + sb::kBlocksPerGroup);
  inodes_per_group_ = le32(super + sb::kInodesPerGroup);
  first_data_block_ = le32(super + sb::kFirstDataBlock);
  const bool bigalloc = ro_compat_ & kRoCompatBigalloc;
  if (first_data_block_ != (block_size_ == 1024 && !bigalloc ? 1u : 0u))
    return refuse(message, abi::kErrCorrupt, "bad first data block");
  if (blocks_per_group_ == 0 || (!bigalloc && blocks_per_group_ > 8 * block_size_) ||
      inodes_per_group_ == 0 || inodes_per_group_ > 8 * block_size_)
    return refuse(message, abi::kErrCorrupt, "bad group size");
  if (blocks_count_ <= first_data_block_ || blocks_count_ >= (uint64_t{1} << 48))
    return refuse(message, abi::kErrCorrupt, "bad block count");
  const uint64_t groups =
      (blocks_count_ - first_data_block_ + blocks_per_group_ - 1) / blocks_per_group_;
  if (groups == 0 || groups >= (uint64_t{1} << 24) ||
      static_cast<uint64_t>(inodes_per_group_) * groups != inodes_count_)
    return refuse(message, abi::kErrCorrupt, "bad group or inode count");
  group_count_ = static_cast<uint32_t>(groups);
  if (first_ino_ <= kRootInode || first_ino_ > inodes_count_)
    return refuse(message, abi::kErrCorrupt, "bad first inode");
  if (incompat_ & kIncompat64Bit) {
    desc_size_ = le16(super + sb::kDescSize);
    if (desc_size_ < 64 || desc_size_ > 1024 || (desc_size_ & (desc_size_ - 1)) ||
        desc_size_ > block_size_)
      return refuse(message, abi::kErrCorrupt, "bad group descriptor size");
  }
  gdt_blocks_ = static_cast<uint32_t>((groups * desc_size_ + block_size_ - 1) / block_size_);
  if (compat_ & kCompatResizeInode) reserved_gdt_blocks_ = le16(super + sb::kReservedGdtBlocks);
  if (1 + static_cast<uint64_t>(gdt_blocks_) + reserved_gdt_blocks_ >= blocks_per_group_ &&
      group_count_ > 1)
    return refuse(message, abi::kErrCorrupt, "group descriptors do not fit in a group");
  backup_groups_[0] = le32(super + sb::kBackupBgs);
  backup_groups_[1] = le32(super + sb::kBackupBgs + 4);
  if (inode_size_ >= ino::kExtraTimesEnd) {
    extra_isize_ = le16(super + sb::kWantExtraIsize);
    if (extra_isize_ < 32 || (extra_isize_ & 3) || extra_isize_ > inode_size_ - 128)
      extra_isize_ = 32;
  }
  if (incompat_ & (kIncompatExtents | kIncompat64Bit | kIncompatFlexBg) ||
      ro_compat_ & (kRoCompatHugeFile | kRoCompatMetadataCsum | kRoCompatGdtCsum)) {
    __builtin_memcpy(type_, "ext4", 5);
  } else if (compat_ & kCompatHasJournal) {
    __builtin_memcpy(type_, "ext3", 5);
  }
  return {};
}

Result<void> Ext2FileSystem::check_features(bool read_only, MountMessage& message) {
  if (incompat_ & kIncompatRecover) {
    return refuse(message, abi::kErrNotSupported,
                  "unsupported feature: needs_recovery (the journal must be replayed first)");
  }
  if (const uint32_t unknown = incompat_ & ~kIncompatRead) {
    return refuse(message, abi::kErrNotSupported,
                  "unsupported feature: ", feature_name(kIncompatFeatures, unknown));
  }
  if (read_only) return {};
  if (!device_.writable()) return refuse(message, abi::kErrReadOnly, "the device is read-only");
  if (const uint32_t unwritable = incompat_ & ~kIncompatWrite) {
    return refuse(message, abi::kErrReadOnly,
                  "read-only feature: ", feature_name(kIncompatFeatures, unwritable));
  }
  if (const uint32_t unwritable = ro_compat_ & ~kRoCompatWrite) {
    return refuse(message, abi::kErrReadOnly,
                  "read-only feature: ", feature_name(kRoCompatFeatures, unwritable));
  }
  if (blocks_count_ > 0xffffffffu)
    return refuse(message, abi::kErrReadOnly, "read-only feature: 64bit (blocks past 2^32)");
  return {};
}

bool Ext2FileSystem::group_has_super(uint32_t group) const {
  if (group == 0) return true;
  if (compat_ & kCompatSparseSuper2)
    return group == backup_groups_[0] || group == backup_groups_[1];
  if (!(ro_compat_ & kRoCompatSparseSuper) || group == 1) return true;
  constexpr uint64_t kBases[] = {3, 5, 7};
  for (const uint64_t base : kBases) {
    uint64_t power = base;
    while (power < group) power *= base;
    if (power == group) return true;
  }
  return false;
}

uint64_t Ext2FileSystem::group_block_count(uint32_t group) const {
  const uint64_t first = group_first_block(group);
  const uint64_t left = blocks_count_ - first;
  return left < blocks_per_group_ ? left : blocks_per_group_;
}

Result<void> Ext2FileSystem::load_groups(MountMessage& message) {
  groups_ = make_array<Group>(group_count_);
  if (!groups_) return abi::kErrNoMemory;
  const bool wide = (incompat_ & kIncompat64Bit) && desc_size_ >= 64;
  const bool uninit_flags = ro_compat_ & (kRoCompatGdtCsum | kRoCompatMetadataCsum);
  const uint64_t table_blocks = inode_table_blocks();
  uint64_t free_blocks = 0;
  uint64_t free_inodes = 0;
  for (uint32_t g = 0; g < group_count_; ++g) {
    const uint64_t byte = static_cast<uint64_t>(g) * desc_size_;
    BlockRef ref = TRY(cache_->get(first_data_block_ + 1 + byte / block_size_));
    const uint8_t* d = ref.data() + byte % block_size_;
    Group& group = groups_[g];
    group.block_bitmap = le32(d + gd::kBlockBitmap);
    group.inode_bitmap = le32(d + gd::kInodeBitmap);
    group.inode_table = le32(d + gd::kInodeTable);
    group.free_blocks = le16(d + gd::kFreeBlocks);
    group.free_inodes = le16(d + gd::kFreeInodes);
    group.used_dirs = le16(d + gd::kUsedDirs);
    group.itable_unused = uninit_flags ? le16(d + gd::kItableUnused) : 0;
    group.flags = uninit_flags ? le16(d + gd::kFlags) : 0;
    if (wide) {
      group.block_bitmap |= static_cast<uint64_t>(le32(d + gd::kBlockBitmapHi)) << 32;
      group.inode_bitmap |= static_cast<uint64_t>(le32(d + gd::kInodeBitmapHi)) << 32;
      group.inode_table |= static_cast<uint64_t>(le32(d + gd::kInodeTableHi)) << 32;
      group.free_blocks |= static_cast<uint32_t>(le16(d + gd::kFreeBlocksHi)) << 16;
      group.free_inodes |= static_cast<uint32_t>(le16(d + gd::kFreeInodesHi)) << 16;
      group.used_dirs |= static_cast<uint32_t>(le16(d + gd::kUsedDirsHi)) << 16;
      if (uninit_flags)
        group.itable_unused |= static_cast<uint32_t>(le16(d + gd::kItableUnusedHi)) << 16;
    }
    const auto inside = [this](uint64_t first, uint64_t count) {
      return first >= first_data_block_ && first < blocks_count_ && count <= blocks_count_ - first;
    };
    if (!inside(group.block_bitmap, 1) || !inside(group.inode_bitmap, 1) ||
        !inside(group.inode_table, table_blocks))
      return refuse(message, abi::kErrCorrupt, "a group descriptor points outside the disk");
    if (group.free_blocks > group_block_count(g) || group.free_inodes > inodes_per_group_ ||
        group.used_dirs > inodes_per_group_ || group.itable_unused > inodes_per_group_)
      return refuse(message, abi::kErrCorrupt, "bad counts in a group descriptor");
    free_blocks += group.free_blocks;
    free_inodes += group.free_inodes;
  }
  free_blocks_ = free_blocks;
  free_inodes_ = static_cast<uint32_t>(free_inodes);
  return {};
}

Result<void> Ext2FileSystem::map_metadata(MountMessage& message) {
  metadata_ = make_array<MetadataRun>(static_cast<size_t>(group_count_) * 4);
  if (!metadata_) return abi::kErrNoMemory;
  size_t n = 0;
  for (uint32_t g = 0; g < group_count_; ++g) {
    if (group_has_super(g))
      metadata_[n++] = {group_first_block(g), uint64_t{1} + gdt_blocks_ + reserved_gdt_blocks_};
    metadata_[n++] = {groups_[g].block_bitmap, 1};
    metadata_[n++] = {groups_[g].inode_bitmap, 1};
    metadata_[n++] = {groups_[g].inode_table, inode_table_blocks()};
  }
  sort_runs(metadata_, n);
  for (size_t i = 0; i < n; ++i) {
    if (metadata_[i].first + metadata_[i].count > blocks_count_ ||
        (i > 0 && metadata_[i - 1].first + metadata_[i - 1].count > metadata_[i].first))
      return refuse(message, abi::kErrCorrupt, "metadata blocks overlap");
  }
  metadata_count_ = n;
  return {};
}

bool Ext2FileSystem::is_data_block(uint64_t n) const {
  if (n < first_data_block_ || n >= blocks_count_) return false;
  // The last run that starts at or before n.
  size_t low = 0;
  size_t high = metadata_count_;
  while (low < high) {
    const size_t mid = low + (high - low) / 2;
    if (metadata_[mid].first <= n) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low == 0 || n >= metadata_[low - 1].first + metadata_[low - 1].count;
}

}  // namespace stellina::fs::ext2
