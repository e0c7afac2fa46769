#pragma once
// The FileSystem a FAT mount serves (fat.h says what it maps FAT's entries to). Its parts:
// fat_file_system.cc (the FileSystem calls), directory.cc (entries: scan, find, add,
// remove), file_data.cc (file bytes through the cluster chains).

#include <stdint.h>

#include "servers/fs/core/block_cache.h"
#include "servers/fs/core/filesystem.h"
#include "servers/fs/fat/fat_table.h"
#include "servers/fs/fat/geometry.h"
#include "servers/fs/fat/layout.h"
#include "servers/fs/fat/names.h"

namespace stellina::fs::fat {

class FatFileSystem final : public FileSystem {
 public:
  // Takes cache (destroyed with the engine).
  FatFileSystem(BlockCache* cache, const Geometry& geometry, bool read_only)
      : cache_(cache), g_(geometry), fat_(*cache, g_), read_only_(read_only) {}
  ~FatFileSystem() override;
  FatFileSystem(const FatFileSystem&) = delete;
  FatFileSystem& operator=(const FatFileSystem&) = delete;

  // Mount's checks past the boot sector: the free count, the root directory's chain.
  Result<void> load(MountMessage& message);

  FileSystemStat statfs() override;
  InodeId root() const override { return kRootNode; }
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
  static constexpr InodeId kRootNode = 1;
  static constexpr unsigned kParentShift = 36;
  static constexpr uint32_t kMaxDirSlots = 65536;  // the specification's limit

  // A directory: its first cluster, or FAT16's fixed root (cluster 0).
  struct Dir {
    uint32_t cluster = 0;
    bool fixed = false;
  };
  // A short (8.3) entry: where it is and its 32 bytes.
  struct Entry {
    uint64_t sector = 0;
    uint32_t index = 0;   // in the sector
    uint32_t parent = 0;  // first cluster of the directory holding it (0: FAT16's root)
    uint8_t raw[kEntrySize] = {};
  };
  // A name found in a directory: its entry and the slots it takes (LFN entries first).
  struct Found {
    Entry entry;
    uint32_t first_slot = 0;
    uint32_t slot = 0;
    size_t name_size = 0;  // UTF-16 units in name_
  };
  enum class Io { Read, Write, Zero };

  // fat_file_system.cc
  InodeId node_of(const Entry& e) const;
  Result<Entry> load_entry(InodeId node);
  Result<void> store_entry(const Entry& e);
  Result<Dir> open_dir(InodeId node);
  Result<void> check_dir(uint32_t cluster, uint32_t parent);
  Result<FileStat> stat_of(const Entry& e);
  uint32_t cluster_of(const Entry& e) const { return entry_cluster(e.raw, g_.fat32); }
  bool is_dir(const Entry& e) const { return e.raw[kEntAttr] & kAttrDirectory; }
  bool is_root_cluster(uint32_t cluster) const {
    return g_.fat32 ? cluster == g_.root_cluster || cluster == 0 : cluster == 0;
  }
  Result<size_t> query(lib::StringView name);  // name into query_
  Result<void> writable() const;

  // directory.cc
  uint32_t slots_per_cluster() const { return static_cast<uint32_t>(g_.cluster_size / kEntrySize); }
  Result<uint32_t> capacity(const Dir& dir);
  // The sector of slot, kErrNotFound past the directory's end.
  Result<uint64_t> slot_sector(const Dir& dir, uint32_t slot);
  // The next name at or after *slot ('.', '..', labels and deleted entries skipped); false at
  // the end. The name is left in name_.
  Result<bool> next_entry(const Dir& dir, uint32_t* slot, Found* out);
  // The entry called name (UTF-16, compared case-insensitively with the long and the short
  // name). Errors: kErrNotFound.
  Result<Found> find(const Dir& dir, const uint16_t* name, size_t size);
  Result<bool> is_empty(uint32_t cluster);
  // Writes name's LFN entries and the short entry raw (its name is filled in here).
  Result<Entry> add_entry(const Dir& dir, const uint16_t* name, size_t size, uint8_t* raw);
  Result<void> remove_entry(const Dir& dir, const Found& found);
  // Sets the '..' entry of directory cluster to parent.
  Result<void> set_parent(uint32_t cluster, const Dir& parent);
  // Whether directory cluster is dir or one of its ancestors (walking '..' up).
  Result<bool> is_ancestor(uint32_t cluster, const Dir& dir);

  // file_data.cc
  Result<void> transfer(uint32_t first, uint64_t offset, uint8_t* buffer, size_t size, Io io);
  // Makes the chain of e hold bytes (clusters appended); returns the bytes it holds.
  Result<uint64_t> reserve(Entry& e, uint32_t* have_clusters, uint64_t bytes);
  Result<uint32_t> chain_length(uint32_t first);
  void touch(Entry& e, bool modified);

  BlockCache* cache_;
  Geometry g_;
  FatTable fat_;
  bool read_only_;
  // Scratch, for one call at a time.
  uint16_t name_[kLfnMaxEntries * kLfnChars] = {};
  uint16_t query_[kMaxNameUnits] = {};
  char name8_[kMaxNameUtf8] = {};
  uint8_t tails_[kMaxTail / 8 + 1] = {};
};

}  // namespace stellina::fs::fat
