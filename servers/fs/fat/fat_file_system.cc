#include "servers/fs/fat/fat_file_system.h"

#include "servers/fs/core/memory.h"
#include "servers/fs/fat/timestamp.h"

namespace stellina::fs::fat {

namespace {

constexpr uint8_t kDotName[11] = {'.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
constexpr uint8_t kDotDotName[11] = {'.', '.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};

void set_times_now(uint8_t* raw) {
  const FatTime now = to_fat_time(now_ns());
  raw[kEntCreateTenth] = now.tenths;
  store16(raw + kEntCreateTime, now.time);
  store16(raw + kEntCreateDate, now.date);
  store16(raw + kEntWriteTime, now.time);
  store16(raw + kEntWriteDate, now.date);
  store16(raw + kEntAccessDate, now.date);
}

}  // namespace

FatFileSystem::~FatFileSystem() { destroy(cache_); }

Result<void> FatFileSystem::load(MountMessage& message) {
  if (!fat_.load().ok()) {
    set_message(message, "cannot read the FAT");
    return abi::kErrFault;
  }
  if (g_.fat32) {
    Result<FatTable::Chain*> root = fat_.chain(g_.root_cluster);
    if (!root.ok()) {
      set_message(message, "root directory chain is corrupt");
      return abi::kErrCorrupt;
    }
  }
  return {};
}

Result<void> FatFileSystem::writable() const {
  if (read_only_) return abi::kErrReadOnly;
  return {};
}

InodeId FatFileSystem::node_of(const Entry& e) const {
  return (uint64_t{e.parent} << kParentShift) | (e.sector * g_.entries_per_sector() + e.index);
}

Result<FatFileSystem::Entry> FatFileSystem::load_entry(InodeId node) {
  Entry e;
  e.parent = static_cast<uint32_t>(node >> kParentShift);
  const uint64_t position = node & ((uint64_t{1} << kParentShift) - 1);
  e.sector = position / g_.entries_per_sector();
  e.index = static_cast<uint32_t>(position % g_.entries_per_sector());
  if (e.sector < g_.root_start || e.sector >= g_.total_sectors) return abi::kErrNotFound;
  if (e.parent != 0 && !fat_.in_range(e.parent)) return abi::kErrNotFound;
  BlockRef b = TRY(cache_->get(e.sector));
  __builtin_memcpy(e.raw, b.data() + e.index * kEntrySize, kEntrySize);
  const uint8_t first = e.raw[0];
  if (first == kEntryEnd || first == kEntryFree || is_long_entry(e.raw) ||
      (e.raw[kEntAttr] & kAttrVolumeId))
    return abi::kErrNotFound;  // a stale number: the entry was removed
  return e;
}

Result<void> FatFileSystem::store_entry(const Entry& e) {
  BlockRef b = TRY(cache_->get(e.sector));
  __builtin_memcpy(b.data() + e.index * kEntrySize, e.raw, kEntrySize);
  b.mark_dirty();
  return {};
}

Result<void> FatFileSystem::check_dir(uint32_t cluster, uint32_t parent) {
  if (!fat_.in_range(cluster) || (g_.fat32 && cluster == g_.root_cluster)) return abi::kErrCorrupt;
  BlockRef b = TRY(cache_->get(g_.cluster_sector(cluster)));
  const uint8_t* dot = b.data();
  const uint8_t* dotdot = b.data() + kEntrySize;
  if (__builtin_memcmp(dot, kDotName, 11) != 0 || !(dot[kEntAttr] & kAttrDirectory) ||
      entry_cluster(dot, g_.fat32) != cluster)
    return abi::kErrCorrupt;
  if (__builtin_memcmp(dotdot, kDotDotName, 11) != 0 || !(dotdot[kEntAttr] & kAttrDirectory))
    return abi::kErrCorrupt;
  const uint32_t up = entry_cluster(dotdot, g_.fat32);
  const bool ok = is_root_cluster(parent) ? is_root_cluster(up) : up == parent;
  if (!ok) return abi::kErrCorrupt;  // the entry is not where '..' says: a loop or worse
  return {};
}

Result<FatFileSystem::Dir> FatFileSystem::open_dir(InodeId node) {
  if (node == kRootNode) {
    if (g_.fat32) return Dir{g_.root_cluster, false};
    return Dir{0, true};
  }
  Entry e = TRY(load_entry(node));
  if (!is_dir(e)) return abi::kErrNotDirectory;
  const uint32_t cluster = cluster_of(e);
  TRY(check_dir(cluster, e.parent));
  return Dir{cluster, false};
}

Result<FileStat> FatFileSystem::stat_of(const Entry& e) {
  FileStat st{};
  st.node = node_of(e);
  const uint8_t attr = e.raw[kEntAttr];
  if (attr & kAttrDirectory) {
    st.mode = abi::kModeDirectory | 0755;
    st.links = 2;
    st.size = uint64_t{TRY(chain_length(cluster_of(e)))} * g_.cluster_size;
  } else {
    st.mode = abi::kModeRegular | ((attr & kAttrReadOnly) ? 0444 : 0644);
    st.links = 1;
    st.size = load32(e.raw + kEntSize);
  }
  st.blocks = (st.size + g_.cluster_size - 1) / g_.cluster_size * (g_.cluster_size / 512);
  st.mtime_ns = from_fat_time(load16(e.raw + kEntWriteDate), load16(e.raw + kEntWriteTime));
  st.ctime_ns = from_fat_time(load16(e.raw + kEntCreateDate), load16(e.raw + kEntCreateTime),
                              e.raw[kEntCreateTenth]);
  st.atime_ns = from_fat_time(load16(e.raw + kEntAccessDate), 0);
  return st;
}

Result<size_t> FatFileSystem::query(lib::StringView name) { return name_to_utf16(name, query_); }

FileSystemStat FatFileSystem::statfs() {
  FileSystemStat st{};
  st.root = kRootNode;
  st.block_size = g_.cluster_size;
  st.blocks = g_.cluster_count;
  st.free_blocks = fat_.free_count();
  st.max_name = abi::kFileMaxName;
  st.read_only = read_only_ ? 1 : 0;
  const char* type = g_.fat32 ? "fat32" : "fat16";
  for (int i = 0; type[i]; ++i) st.type[i] = type[i];
  return st;
}

Result<FileStat> FatFileSystem::stat(InodeId node) {
  if (node != kRootNode) return stat_of(TRY(load_entry(node)));
  FileStat st{};
  st.node = kRootNode;
  st.mode = abi::kModeDirectory | 0755;
  st.links = 2;
  st.size = g_.fat32 ? uint64_t{TRY(chain_length(g_.root_cluster))} * g_.cluster_size
                     : uint64_t{g_.root_entries} * kEntrySize;
  st.blocks = st.size / 512;
  st.mtime_ns = st.ctime_ns = st.atime_ns = from_fat_time(0, 0);
  return st;
}

Result<FileStat> FatFileSystem::lookup(InodeId dir_node, lib::StringView name) {
  const Dir dir = TRY(open_dir(dir_node));
  Result<size_t> size = query(name);
  if (!size.ok()) return size.error() == abi::kErrNameTooLong ? size.error() : abi::kErrNotFound;
  const Found found = TRY(find(dir, query_, size.value()));
  return stat_of(found.entry);
}

Result<FileStat> FatFileSystem::create(InodeId dir_node, lib::StringView name, uint32_t mode) {
  const uint32_t type = mode & abi::kModeTypeMask;
  if (type != abi::kModeRegular && type != abi::kModeDirectory) return abi::kErrInvalidArgument;
  TRY(writable());
  const Dir dir = TRY(open_dir(dir_node));
  const size_t size = TRY(query(name));
  Result<Found> existing = find(dir, query_, size);
  if (existing.ok()) return abi::kErrExists;
  if (existing.error() != abi::kErrNotFound) return existing.error();

  uint8_t raw[kEntrySize] = {};
  set_times_now(raw);
  if (type == abi::kModeDirectory) {
    raw[kEntAttr] = kAttrDirectory;
    uint32_t cluster = 0;
    if (TRY(fat_.append(&cluster, 1, true)) == 0) return abi::kErrNoSpace;
    set_entry_cluster(raw, cluster);
    {
      BlockRef b = TRY(cache_->get(g_.cluster_sector(cluster)));
      uint8_t* dot = b.data();
      __builtin_memcpy(dot, raw, kEntrySize);
      __builtin_memcpy(dot, kDotName, 11);
      uint8_t* dotdot = b.data() + kEntrySize;
      __builtin_memcpy(dotdot, raw, kEntrySize);
      __builtin_memcpy(dotdot, kDotDotName, 11);
      set_entry_cluster(dotdot, dir.fixed || is_root_cluster(dir.cluster) ? 0 : dir.cluster);
      b.mark_dirty();
    }
    Result<Entry> added = add_entry(dir, query_, size, raw);
    if (!added.ok()) {
      ignore(fat_.cut(&cluster, 0), "the new directory's cluster leaks if it cannot be freed");
      return added.error();
    }
    return stat_of(added.value());
  }
  raw[kEntAttr] = kAttrArchive | ((mode & 0222) ? 0 : kAttrReadOnly);
  const Entry added = TRY(add_entry(dir, query_, size, raw));
  return stat_of(added);
}

Result<FileStat> FatFileSystem::symlink(InodeId, lib::StringView, lib::StringView) {
  return abi::kErrNotSupported;
}

Result<size_t> FatFileSystem::readlink(InodeId node, char*, size_t) {
  if (node != kRootNode) TRY(load_entry(node));
  return abi::kErrInvalidArgument;  // FAT has no links
}

Result<void> FatFileSystem::unlink(InodeId dir_node, lib::StringView name, bool directory) {
  TRY(writable());
  const Dir dir = TRY(open_dir(dir_node));
  const size_t size = TRY(query(name));
  const Found found = TRY(find(dir, query_, size));
  uint32_t cluster = cluster_of(found.entry);
  if (is_dir(found.entry)) {
    if (!directory) return abi::kErrIsDirectory;
    TRY(check_dir(cluster, found.entry.parent));
    if (!TRY(is_empty(cluster))) return abi::kErrNotEmpty;
  } else if (directory) {
    return abi::kErrNotDirectory;
  }
  TRY(remove_entry(dir, found));
  return fat_.cut(&cluster, 0);
}

Result<void> FatFileSystem::rename(InodeId from_dir, lib::StringView from, InodeId to_dir,
                                   lib::StringView to) {
  TRY(writable());
  const Dir source_dir = TRY(open_dir(from_dir));
  const Dir target_dir = TRY(open_dir(to_dir));
  size_t size = TRY(query(from));
  const Found source = TRY(find(source_dir, query_, size));
  const bool moving_dir = is_dir(source.entry);
  const uint32_t moved_cluster = cluster_of(source.entry);
  const bool same_dir = source_dir.cluster == target_dir.cluster;
  // Its '..' entry is rewritten below: the cluster must be a directory's.
  if (moving_dir) TRY(check_dir(moved_cluster, source.entry.parent));
  if (moving_dir && !same_dir && TRY(is_ancestor(moved_cluster, target_dir)))
    return abi::kErrInvalidArgument;  // into itself or below itself

  size = TRY(query(to));
  Result<Found> target = find(target_dir, query_, size);
  if (!target.ok() && target.error() != abi::kErrNotFound) return target.error();
  const bool replacing = target.ok() && !(target.value().entry.sector == source.entry.sector &&
                                          target.value().entry.index == source.entry.index);
  if (target.ok() && !replacing) {
    // The same entry: a change of case, or nothing at all.
    if (target.value().name_size == size &&
        __builtin_memcmp(name_, query_, size * sizeof(uint16_t)) == 0)
      return {};
  }
  if (replacing) {
    const Entry& old = target.value().entry;
    if (moving_dir && !is_dir(old)) return abi::kErrNotDirectory;
    if (!moving_dir && is_dir(old)) return abi::kErrIsDirectory;
    if (is_dir(old)) {
      TRY(check_dir(cluster_of(old), old.parent));
      if (!TRY(is_empty(cluster_of(old)))) return abi::kErrNotEmpty;
    }
  }

  uint8_t raw[kEntrySize];
  __builtin_memcpy(raw, source.entry.raw, kEntrySize);
  raw[kEntNtCase] = 0;
  TRY(add_entry(target_dir, query_, size, raw));
  if (replacing) {
    const Found& old = target.value();
    uint32_t old_cluster = cluster_of(old.entry);
    TRY(remove_entry(target_dir, old));
    TRY(fat_.cut(&old_cluster, 0));
  }
  TRY(remove_entry(source_dir, source));
  if (moving_dir && !same_dir) TRY(set_parent(moved_cluster, target_dir));
  return {};
}

Result<void> FatFileSystem::set_times(InodeId node, int64_t atime_ns, int64_t mtime_ns) {
  TRY(writable());
  if (node == kRootNode) return {};  // the root has no entry to keep times in
  Entry e = TRY(load_entry(node));
  if (atime_ns != abi::kTimeOmit) store16(e.raw + kEntAccessDate, to_fat_time(atime_ns).date);
  if (mtime_ns != abi::kTimeOmit) {
    const FatTime t = to_fat_time(mtime_ns);
    store16(e.raw + kEntWriteDate, t.date);
    store16(e.raw + kEntWriteTime, t.time);
  }
  return store_entry(e);
}

Result<uint64_t> FatFileSystem::readdir(InodeId dir_node, uint64_t cursor, DirVisitor& visitor) {
  const Dir dir = TRY(open_dir(dir_node));
  if (cursor > kMaxDirSlots + 1) return uint64_t{0};
  // A cursor is the slot to go on from, plus one (0 and 1 both start at slot 0).
  uint32_t slot = cursor ? static_cast<uint32_t>(cursor - 1) : 0;
  for (;;) {
    Found found;
    if (!TRY(next_entry(dir, &slot, &found))) return uint64_t{0};
    const size_t n = utf16_to_utf8(name_, found.name_size, name8_);
    const uint32_t type = is_dir(found.entry) ? abi::kModeDirectory : abi::kModeRegular;
    if (!visitor.visit(node_of(found.entry), type, lib::StringView(name8_, n), uint64_t{slot} + 1))
      return uint64_t{found.first_slot} + 1;
  }
}

Result<void> FatFileSystem::sync() {
  if (read_only_) return {};
  TRY(fat_.write_fsinfo());
  return cache_->sync();
}

}  // namespace stellina::fs::fat
