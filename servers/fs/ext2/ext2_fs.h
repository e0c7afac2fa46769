#pragma once
// The ext2 engine's state and its parts: the mount checks (mount.cc), the bitmaps and free
// counts (allocator.cc), inodes (inode.cc), block maps (block_map.cc for ext2's indirect
// blocks, extent_map.cc for ext4's extent trees), directories (directory.cc) and the
// FileSystem operations (file_system.cc, file_data.cc).
//
// Nothing is cached but blocks: an inode is read from its table for each operation, changed
// and written back through the block cache. The group descriptors and the superblock's free
// counts are kept in memory, exact at every step, and written by sync().

#include <stddef.h>
#include <stdint.h>

#include "servers/fs/core/block_cache.h"
#include "servers/fs/core/filesystem.h"
#include "servers/fs/ext2/format.h"

namespace stellina::fs::ext2 {

struct Group {
  uint64_t block_bitmap = 0;
  uint64_t inode_bitmap = 0;
  uint64_t inode_table = 0;
  uint32_t free_blocks = 0;
  uint32_t free_inodes = 0;
  uint32_t used_dirs = 0;
  uint32_t itable_unused = 0;
  uint16_t flags = 0;
};

// A run of blocks the file system's own metadata holds (superblock copies, descriptors,
// bitmaps, inode tables): never file data.
struct MetadataRun {
  uint64_t first = 0;
  uint64_t count = 0;
};

// An inode's first bytes as its table holds them.
struct Inode {
  uint32_t number = 0;
  uint8_t raw[ino::kKnownSize] = {};

  uint16_t get16(size_t at) const { return le16(raw + at); }
  uint32_t get32(size_t at) const { return le32(raw + at); }
  void set16(size_t at, uint16_t v) { put16(raw + at, v); }
  void set32(size_t at, uint32_t v) { put32(raw + at, v); }

  uint32_t mode() const { return get16(ino::kMode); }
  uint32_t type() const { return mode() & kModeTypeMask; }
  bool is_directory() const { return type() == kModeDirectory; }
  bool is_regular() const { return type() == kModeRegular; }
  bool is_symlink() const { return type() == kModeSymlink; }
  uint32_t flags() const { return get32(ino::kFlags); }
  uint32_t links() const { return get16(ino::kLinks); }
  uint64_t size() const {
    return get32(ino::kSize) | (static_cast<uint64_t>(get32(ino::kSizeHigh)) << 32);
  }
  void set_size(uint64_t size) {
    set32(ino::kSize, static_cast<uint32_t>(size));
    set32(ino::kSizeHigh, static_cast<uint32_t>(size >> 32));
  }
  uint32_t block(uint32_t i) const { return get32(ino::kBlock + size_t{4} * i); }
  void set_block(uint32_t i, uint32_t v) { set32(ino::kBlock + size_t{4} * i, v); }
  bool uses_extents() const { return flags() & ino::kExtentsFlag; }
  bool is_fast_symlink() const { return is_symlink() && size() < ino::kFastSymlinkMax; }
};

// Where a directory entry lies: its block (logical, in the directory) and byte offset.
struct RenameInodes;

struct DirSlot {
  uint64_t logical = 0;
  uint32_t offset = 0;
  uint32_t node = 0;
  uint8_t file_type = 0;
};

class Ext2FileSystem final : public FileSystem {
 public:
  static Result<FileSystem*> mount(BlockDevice& device, const MountOptions& options,
                                   MountMessage& message);
  ~Ext2FileSystem() override;
  Ext2FileSystem(const Ext2FileSystem&) = delete;
  Ext2FileSystem& operator=(const Ext2FileSystem&) = delete;

  FileSystemStat statfs() override;
  InodeId root() const override { return kRootInode; }
  Result<FileStat> stat(InodeId node) override;
  Result<FileStat> lookup(InodeId dir, lib::StringView name) override;
  Result<FileStat> create(InodeId dir, lib::StringView name, uint32_t mode) override;
  Result<FileStat> symlink(InodeId dir, lib::StringView name, lib::StringView target) override;
  Result<size_t> readlink(InodeId node, char* out, size_t capacity) override;
  Result<void> unlink(InodeId dir, lib::StringView name, bool directory) override;
  Result<void> rename(InodeId from_dir, lib::StringView from, InodeId to_dir,
                      lib::StringView to) override;
  Result<size_t> read(InodeId node, uint64_t offset, void* out, size_t size) override;
  Result<size_t> write(InodeId node, uint64_t offset, const void* data, size_t size) override;
  Result<void> truncate(InodeId node, uint64_t size) override;
  Result<void> set_times(InodeId node, int64_t atime_ns, int64_t mtime_ns) override;
  Result<uint64_t> readdir(InodeId dir, uint64_t cursor, DirVisitor& visitor) override;
  Result<void> sync() override;

 private:
  explicit Ext2FileSystem(BlockDevice& device) : device_(device) {}

  // mount.cc
  Result<void> load_superblock(const uint8_t* super, MountMessage& message);
  Result<void> check_features(bool read_only, MountMessage& message);
  Result<void> load_groups(MountMessage& message);
  Result<void> map_metadata(MountMessage& message);
  bool group_has_super(uint32_t group) const;
  uint64_t group_first_block(uint32_t group) const {
    return first_data_block_ + static_cast<uint64_t>(group) * blocks_per_group_;
  }
  uint64_t group_block_count(uint32_t group) const;
  uint64_t inode_table_blocks() const {
    return (static_cast<uint64_t>(inodes_per_group_) * inode_size_ + block_size_ - 1) / block_size_;
  }

  // Whether file data or an indirect block may live at block n: inside the file system's
  // data area and not one of its metadata blocks.
  bool is_data_block(uint64_t n) const;

  // allocator.cc
  Result<uint64_t> allocate_block(uint64_t goal);
  Result<void> free_block(uint64_t n);
  Result<uint32_t> allocate_inode(uint32_t parent, bool directory);
  Result<void> free_inode(uint32_t node, bool directory);
  Result<void> write_metadata();

  // inode.cc
  Result<Inode> load(uint64_t node);
  Result<Inode> load_live(uint64_t node);  // load, kErrNotFound if the inode is free
  Result<void> store(const Inode& inode);
  FileStat stat_of(const Inode& inode) const;
  void set_time(Inode& inode, size_t field, size_t extra, int64_t ns) const;
  int64_t time_of(const Inode& inode, size_t field, size_t extra) const;
  void touch(Inode& inode, bool modified) const;  // ctime (and mtime) now
  void add_blocks(Inode& inode, int64_t fs_blocks) const;
  Result<void> release(Inode& inode);  // frees the blocks and inode of a file with no links
  Result<void> free_xattr_block(Inode& inode);
  Result<Inode> new_inode(uint32_t parent, uint32_t mode);
  Result<void> change_links(Inode& inode, int delta);

  // block_map.cc
  // The device block holding logical block n of the inode; 0 for a hole.
  Result<uint64_t> map(const Inode& inode, uint64_t n);
  // Like map, allocating the block (and indirect blocks) for a hole; fresh says the block
  // is new (its contents are not yet zeroed on the device).
  Result<uint64_t> map_or_allocate(Inode& inode, uint64_t n, bool& fresh);
  // Frees every block from logical block first on, and the indirect blocks left empty.
  Result<void> free_from(Inode& inode, uint64_t first);
  Result<bool> free_tree(Inode& inode, uint64_t block, uint32_t level, uint64_t base,
                         uint64_t first);
  uint64_t max_blocks() const;  // logical blocks an indirect-mapped file can have
  Result<void> zero_tail(Inode& inode, uint64_t size);

  // extent_map.cc
  Result<uint64_t> map_extent(const Inode& inode, uint64_t n);

  // directory.cc
  Result<bool> find_entry(const Inode& dir, lib::StringView name, DirSlot& slot);
  Result<void> add_entry(Inode& dir, lib::StringView name, uint32_t node, uint32_t mode);
  Result<void> remove_entry(Inode& dir, const DirSlot& slot);
  Result<void> retarget_entry(Inode& dir, const DirSlot& slot, uint32_t node, uint32_t mode);
  Result<bool> is_empty(const Inode& dir);
  Result<uint32_t> parent_of(const Inode& dir);
  Result<void> set_parent(Inode& dir, uint32_t parent);
  Result<void> init_directory(Inode& dir, uint32_t parent);
  Result<uint64_t> directory_blocks(const Inode& dir) const;
  uint8_t file_type_of(uint32_t mode) const;
  bool entry_ok(const uint8_t* block, uint32_t offset) const;
  uint32_t rec_len(const uint8_t* entry) const;
  void set_rec_len(uint8_t* entry, uint32_t len) const;
  uint32_t name_len(const uint8_t* entry) const;

  // file_system.cc
  Result<Inode> load_directory(InodeId dir);
  Result<void> writable() const;
  Result<bool> is_below(uint32_t dir, uint32_t ancestor);
  Result<void> drop_target(Inode& to_dir, Inode& target);
  Result<void> rename_in(RenameInodes& inodes, InodeId from_node, lib::StringView from,
                         InodeId to_node, lib::StringView to);

  // file_data.cc
  Result<size_t> read_data(const Inode& inode, uint64_t offset, void* out, size_t size);
  Result<size_t> write_data(Inode& inode, uint64_t offset, const void* data, size_t size);

  BlockDevice& device_;
  BlockCache* cache_ = nullptr;
  bool read_only_ = true;
  bool dirty_ = false;  // groups or superblock counts changed since the last sync
  uint32_t block_size_ = 0;
  uint64_t blocks_count_ = 0;
  uint32_t inodes_count_ = 0;
  uint32_t blocks_per_group_ = 0;
  uint32_t inodes_per_group_ = 0;
  uint32_t first_data_block_ = 0;
  uint32_t inode_size_ = kGoodOldInodeSize;
  uint32_t first_ino_ = kGoodOldFirstInode;
  uint32_t group_count_ = 0;
  uint32_t desc_size_ = 32;
  uint32_t gdt_blocks_ = 0;
  uint32_t reserved_gdt_blocks_ = 0;
  uint32_t backup_groups_[2] = {};
  uint32_t compat_ = 0;
  uint32_t incompat_ = 0;
  uint32_t ro_compat_ = 0;
  uint32_t extra_isize_ = 0;  // of the inodes this engine makes
  uint64_t free_blocks_ = 0;
  uint32_t free_inodes_ = 0;
  uint32_t last_group_ = 0;  // where the last block allocation searched
  Group* groups_ = nullptr;
  MetadataRun* metadata_ = nullptr;
  size_t metadata_count_ = 0;
  char type_[8] = "ext2";
};

}  // namespace stellina::fs::ext2
