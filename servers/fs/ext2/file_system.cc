// The FileSystem operations: each checks everything it can first (names, types, room), then
// changes the directories, inodes and bitmaps through the block cache.
#include "servers/fs/core/memory.h"
#include "servers/fs/ext2/ext2_fs.h"

namespace stellina::fs::ext2 {

Ext2FileSystem::~Ext2FileSystem() {
  if (!read_only_ && cache_) ignore(sync(), "unmounting: nothing is left to report it to");
  destroy(cache_);
  deallocate(groups_);
  deallocate(metadata_);
}

Result<void> Ext2FileSystem::writable() const {
  if (read_only_) return abi::kErrReadOnly;
  return {};
}

Result<Inode> Ext2FileSystem::load_directory(InodeId dir) {
  Inode inode = TRY(load_live(dir));
  if (!inode.is_directory()) return abi::kErrNotDirectory;
  return inode;
}

FileSystemStat Ext2FileSystem::statfs() {
  FileSystemStat st{};
  st.root = kRootInode;
  st.block_size = block_size_;
  st.blocks = blocks_count_ - first_data_block_;
  st.free_blocks = free_blocks_;
  st.files = inodes_count_;
  st.free_files = free_inodes_;
  st.max_name = 255;
  st.read_only = read_only_ ? 1 : 0;
  __builtin_memcpy(st.type, type_, sizeof(type_));
  return st;
}

Result<FileStat> Ext2FileSystem::stat(InodeId node) {
  const Inode inode = TRY(load_live(node));
  return stat_of(inode);
}

Result<FileStat> Ext2FileSystem::lookup(InodeId dir_node, lib::StringView name) {
  if (name.size() > 255) return abi::kErrNameTooLong;
  const Inode dir = TRY(load_directory(dir_node));
  DirSlot slot;
  if (!TRY(find_entry(dir, name, slot))) return abi::kErrNotFound;
  Result<Inode> child = load_live(slot.node);
  if (!child.ok()) return child.error() == abi::kErrNotFound ? abi::kErrCorrupt : child.error();
  return stat_of(child.value());
}

Result<FileStat> Ext2FileSystem::create(InodeId dir_node, lib::StringView name, uint32_t mode) {
  TRY(writable());
  const uint32_t type = mode & kModeTypeMask;
  if (type != kModeRegular && type != kModeDirectory) return abi::kErrInvalidArgument;
  if (name.size() > 255) return abi::kErrNameTooLong;
  if (name.empty()) return abi::kErrInvalidArgument;
  Inode dir = TRY(load_directory(dir_node));
  DirSlot slot;
  if (TRY(find_entry(dir, name, slot))) return abi::kErrExists;
  const bool directory = type == kModeDirectory;
  if (directory && dir.links() >= 65000 && !(ro_compat_ & kRoCompatDirNlink))
    return abi::kErrTooLarge;
  Inode child = TRY(new_inode(dir.number, type | (mode & abi::kModePermissions)));
  Result<void> made;
  if (directory) {
    child.set16(ino::kLinks, 2);
    made = init_directory(child, dir.number);
  }
  if (made.ok()) made = store(child);
  if (made.ok()) made = add_entry(dir, name, child.number, child.mode());
  if (!made.ok()) {
    ignore(release(child), "the inode is lost to this mount; e2fsck finds it");
    ignore(store(dir), "the directory's size or blocks may have grown");
    return made.error();
  }
  if (directory) TRY(change_links(dir, +1));
  touch(dir, true);
  TRY(store(dir));
  return stat_of(child);
}

Result<FileStat> Ext2FileSystem::symlink(InodeId dir_node, lib::StringView name,
                                         lib::StringView target) {
  TRY(writable());
  if (name.size() > 255) return abi::kErrNameTooLong;
  if (name.empty() || target.empty()) return abi::kErrInvalidArgument;
  if (target.size() > abi::kFileMaxPath || target.size() >= block_size_)
    return abi::kErrNameTooLong;
  Inode dir = TRY(load_directory(dir_node));
  DirSlot slot;
  if (TRY(find_entry(dir, name, slot))) return abi::kErrExists;
  Inode link = TRY(new_inode(dir.number, kModeSymlink | 0777));
  link.set_size(target.size());
  Result<void> made;
  if (target.size() < ino::kFastSymlinkMax) {
    __builtin_memcpy(link.raw + ino::kBlock, target.data(), target.size());
  } else {
    bool fresh = false;
    Result<uint64_t> block = map_or_allocate(link, 0, fresh);
    if (block.ok()) {
      Result<BlockRef> ref = cache_->get_zeroed(block.value());
      if (ref.ok()) {
        __builtin_memcpy(ref.value().data(), target.data(), target.size());
      } else {
        made = ref.error();
      }
    } else {
      made = block.error();
    }
  }
  if (made.ok()) made = store(link);
  if (made.ok()) made = add_entry(dir, name, link.number, link.mode());
  if (!made.ok()) {
    ignore(release(link), "the inode is lost to this mount; e2fsck finds it");
    ignore(store(dir), "the directory's size or blocks may have grown");
    return made.error();
  }
  touch(dir, true);
  TRY(store(dir));
  return stat_of(link);
}

Result<size_t> Ext2FileSystem::readlink(InodeId node, char* out, size_t capacity) {
  const Inode link = TRY(load_live(node));
  if (!link.is_symlink()) return abi::kErrInvalidArgument;
  const uint64_t size = link.size();
  if (size == 0 || size > abi::kFileMaxPath || size > block_size_) return abi::kErrCorrupt;
  if (size > capacity) return abi::kErrBufferTooSmall;
  if (link.is_fast_symlink() && !link.uses_extents()) {
    __builtin_memcpy(out, link.raw + ino::kBlock, size);
    return static_cast<size_t>(size);
  }
  return read_data(link, 0, out, static_cast<size_t>(size));
}

Result<void> Ext2FileSystem::unlink(InodeId dir_node, lib::StringView name, bool directory) {
  TRY(writable());
  Inode dir = TRY(load_directory(dir_node));
  DirSlot slot;
  if (!TRY(find_entry(dir, name, slot))) return abi::kErrNotFound;
  Result<Inode> loaded = load_live(slot.node);
  if (!loaded.ok()) return abi::kErrCorrupt;
  Inode child = loaded.release_value();
  if (child.number == dir.number) return abi::kErrCorrupt;
  if (child.is_directory()) {
    if (!directory) return abi::kErrIsDirectory;
    if (!TRY(is_empty(child))) return abi::kErrNotEmpty;
  } else if (directory) {
    return abi::kErrNotDirectory;
  }
  TRY(remove_entry(dir, slot));
  if (child.is_directory()) {
    TRY(change_links(dir, -1));
    TRY(release(child));
  } else {
    TRY(change_links(child, -1));
    if (child.links() == 0) {
      TRY(release(child));
    } else {
      touch(child, false);
      TRY(store(child));
    }
  }
  touch(dir, true);
  return store(dir);
}

// Whether dir is ancestor or lies below it, following '..' up to the root.
Result<bool> Ext2FileSystem::is_below(uint32_t dir, uint32_t ancestor) {
  uint32_t node = dir;
  for (uint32_t steps = 0; steps <= inodes_count_; ++steps) {
    if (node == ancestor) return true;
    if (node == kRootInode) return false;
    const Inode inode = TRY(load_directory(node));
    node = TRY(parent_of(inode));
  }
  return abi::kErrCorrupt;  // a loop of '..'
}

Result<void> Ext2FileSystem::drop_target(Inode& to_dir, Inode& target) {
  if (target.is_directory()) {
    TRY(change_links(to_dir, -1));  // the target's '..'
    return release(target);
  }
  TRY(change_links(target, -1));
  if (target.links() == 0) return release(target);
  touch(target, false);
  return store(target);
}

// The four inodes a rename may change live on the heap: a kernel stack is small.
struct RenameInodes {
  Inode from_dir;
  Inode other_dir;
  Inode moved;
  Inode target;
};

Result<void> Ext2FileSystem::rename(InodeId from_node, lib::StringView from, InodeId to_node,
                                    lib::StringView to) {
  TRY(writable());
  if (to.size() > 255) return abi::kErrNameTooLong;
  auto* inodes = make<RenameInodes>();
  if (!inodes) return abi::kErrNoMemory;
  Result<void> done = rename_in(*inodes, from_node, from, to_node, to);
  destroy(inodes);
  return done;
}

Result<void> Ext2FileSystem::rename_in(RenameInodes& inodes, InodeId from_node,
                                       lib::StringView from, InodeId to_node, lib::StringView to) {
  Inode& from_dir = inodes.from_dir;
  Inode& other_dir = inodes.other_dir;
  from_dir = TRY(load_directory(from_node));
  const bool same_dir = from_node == to_node;
  if (!same_dir) other_dir = TRY(load_directory(to_node));
  Inode& to_dir = same_dir ? from_dir : other_dir;

  DirSlot source;
  if (!TRY(find_entry(from_dir, from, source))) return abi::kErrNotFound;
  Result<Inode> loaded = load_live(source.node);
  if (!loaded.ok()) return abi::kErrCorrupt;
  Inode& moved = inodes.moved;
  moved = loaded.value();
  if (moved.number == from_dir.number || moved.number == to_dir.number)
    return moved.is_directory() ? abi::kErrInvalidArgument : abi::kErrCorrupt;
  const bool directory = moved.is_directory();
  if (directory && !same_dir && TRY(is_below(to_dir.number, moved.number)))
    return abi::kErrInvalidArgument;

  DirSlot existing;
  const bool replacing = TRY(find_entry(to_dir, to, existing));
  if (replacing && existing.node == moved.number) return {};  // the same file
  Inode& target = inodes.target;
  if (replacing) {
    Result<Inode> found = load_live(existing.node);
    if (!found.ok()) return abi::kErrCorrupt;
    target = found.value();
    if (target.number == from_dir.number || target.number == to_dir.number) return abi::kErrCorrupt;
    if (directory && !target.is_directory()) return abi::kErrNotDirectory;
    if (!directory && target.is_directory()) return abi::kErrIsDirectory;
    if (directory && !TRY(is_empty(target))) return abi::kErrNotEmpty;
  } else if (directory && !same_dir && to_dir.links() >= 65000 &&
             !(ro_compat_ & kRoCompatDirNlink)) {
    return abi::kErrTooLarge;
  }

  // The new name first: if it cannot be made (no room for a directory block), nothing
  // has changed.
  if (replacing) {
    TRY(retarget_entry(to_dir, existing, moved.number, moved.mode()));
    to_dir.set32(ino::kFlags, to_dir.flags() & ~ino::kIndexFlag);
    TRY(drop_target(to_dir, target));
  } else {
    TRY(add_entry(to_dir, to, moved.number, moved.mode()));
  }
  TRY(remove_entry(from_dir, source));
  if (directory && !same_dir) {
    TRY(set_parent(moved, to_dir.number));
    TRY(change_links(from_dir, -1));
    TRY(change_links(to_dir, +1));
  }
  touch(moved, false);
  TRY(store(moved));
  touch(from_dir, true);
  TRY(store(from_dir));
  if (!same_dir) {
    touch(to_dir, true);
    TRY(store(to_dir));
  }
  return {};
}

Result<size_t> Ext2FileSystem::read(InodeId node, uint64_t offset, void* out, size_t size) {
  const Inode inode = TRY(load_live(node));
  if (inode.is_directory()) return abi::kErrIsDirectory;
  if (!inode.is_regular()) return abi::kErrInvalidArgument;
  return read_data(inode, offset, out, size);
}

Result<size_t> Ext2FileSystem::write(InodeId node, uint64_t offset, const void* data, size_t size) {
  TRY(writable());
  Inode inode = TRY(load_live(node));
  if (inode.is_directory()) return abi::kErrIsDirectory;
  if (!inode.is_regular()) return abi::kErrInvalidArgument;
  if (offset > inode.size()) TRY(zero_tail(inode, inode.size()));
  Result<size_t> written = write_data(inode, offset, data, size);
  if (written.ok() && written.value() > 0) touch(inode, true);
  TRY(store(inode));
  return written;
}

Result<void> Ext2FileSystem::truncate(InodeId node, uint64_t size) {
  TRY(writable());
  Inode inode = TRY(load_live(node));
  if (inode.is_directory()) return abi::kErrIsDirectory;
  if (!inode.is_regular()) return abi::kErrInvalidArgument;
  if (size > max_blocks() * block_size_) return abi::kErrTooLarge;
  const uint64_t old_size = inode.size();
  if (size < old_size) {
    TRY(zero_tail(inode, size));
    TRY(free_from(inode, (size + block_size_ - 1) / block_size_));
  } else if (size > old_size) {
    TRY(zero_tail(inode, old_size));
  }
  inode.set_size(size);
  if (size > 0x7fffffffu && !(ro_compat_ & kRoCompatLargeFile)) {
    ro_compat_ |= kRoCompatLargeFile;
    dirty_ = true;
  }
  touch(inode, true);
  return store(inode);
}

Result<void> Ext2FileSystem::set_times(InodeId node, int64_t atime_ns, int64_t mtime_ns) {
  TRY(writable());
  Inode inode = TRY(load_live(node));
  if (atime_ns != abi::kTimeOmit) set_time(inode, ino::kAtime, ino::kAtimeExtra, atime_ns);
  if (mtime_ns != abi::kTimeOmit) set_time(inode, ino::kMtime, ino::kMtimeExtra, mtime_ns);
  touch(inode, false);
  return store(inode);
}

Result<void> Ext2FileSystem::sync() {
  if (read_only_) return {};
  if (dirty_) TRY(write_metadata());
  return cache_->sync();
}

}  // namespace stellina::fs::ext2
