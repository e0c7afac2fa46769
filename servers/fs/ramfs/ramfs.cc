#include "servers/fs/ramfs/ramfs.h"

#include "servers/fs/core/memory.h"
#include "servers/fs/ramfs/directory.h"
#include "servers/fs/ramfs/inode.h"
#include "servers/fs/ramfs/inode_table.h"
#include "servers/fs/ramfs/page_tree.h"
#include "servers/fs/ramfs/space.h"

namespace stellina::fs {

namespace ramfs {

namespace {

constexpr uint32_t kDefaultPermissions = 0777;

// The server checks names before an engine sees them; these are the engine's own guard.
Result<void> check_name(lib::StringView name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != lib::StringView::kNpos)
    return abi::kErrInvalidArgument;
  if (name.size() > abi::kFileMaxName) return abi::kErrNameTooLong;
  return {};
}

uint64_t entry_cost(lib::StringView name) { return kEntryCost + name.size(); }

class RamFs final : public FileSystem {
 public:
  static Result<FileSystem*> create(uint64_t limit);
  ~RamFs() override;
  RamFs(const RamFs&) = delete;
  RamFs& operator=(const RamFs&) = delete;

  FileSystemStat statfs() override;
  InodeId root() const override { return root_->id; }
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
  Result<void> sync() override { return {}; }

  explicit RamFs(uint64_t limit) : space_(limit) {}
  uint64_t used() const { return space_.used(); }

 private:
  Result<Inode*> node(InodeId id) const;
  Result<Inode*> directory(InodeId id) const;
  Result<Inode*> regular(InodeId id) const;  // a file's data: kErrIsDirectory for a directory
  // A new inode of mode, charged and numbered; the caller links it.
  Result<Inode*> new_inode(uint32_t mode);
  void free_inode(Inode* inode);
  // An entry for name in dir, charged, with room reserved in dir: insert it, or discard it.
  Result<DirEntry*> prepare_entry(Inode* dir, lib::StringView name, Inode* inode);
  void discard_entry(DirEntry* entry);
  // Takes an entry out of dir and drops the link it held (freeing the inode with its last).
  void remove_entry(Inode* dir, DirEntry* entry);
  void changed(Inode* inode, int64_t now) { inode->mtime_ns = inode->ctime_ns = now; }
  FileStat stat_of(const Inode* inode) const;

  Space space_;
  InodeTable inodes_;
  Inode* root_ = nullptr;
  InodeId next_id_ = 1;
};

Result<FileSystem*> RamFs::create(uint64_t limit) {
  RamFs* fs = make<RamFs>(limit);
  if (!fs) return abi::kErrNoSpace;
  auto root = fs->new_inode(abi::kModeDirectory | 0755);
  if (!root.ok()) {
    destroy(fs);
    return root.error();
  }
  fs->root_ = root.value();
  fs->root_->parent = fs->root_;
  fs->root_->links = 2;
  return static_cast<FileSystem*>(fs);
}

RamFs::~RamFs() {
  // Everything goes, without the bookkeeping of unlinking one by one.
  while (Inode* inode = inodes_.pop()) {
    while (DirEntry* e = inode->entries.pop()) DirEntry::free(e);
    deallocate(inode->target);
    destroy(inode);
  }
}

Result<Inode*> RamFs::node(InodeId id) const {
  Inode* inode = inodes_.find(id);
  if (!inode) return abi::kErrNotFound;
  return inode;
}

Result<Inode*> RamFs::directory(InodeId id) const {
  Inode* inode = TRY(node(id));
  if (!inode->is_directory()) return abi::kErrNotDirectory;
  return inode;
}

Result<Inode*> RamFs::regular(InodeId id) const {
  Inode* inode = TRY(node(id));
  if (inode->is_directory()) return abi::kErrIsDirectory;
  if (inode->type() != abi::kModeRegular) return abi::kErrInvalidArgument;
  return inode;
}

Result<Inode*> RamFs::new_inode(uint32_t mode) {
  if (!space_.take(kInodeCost)) return abi::kErrNoSpace;
  Inode* inode = make<Inode>();
  if (!inode || !inodes_.reserve().ok()) {
    destroy(inode);
    space_.give(kInodeCost);
    return abi::kErrNoSpace;
  }
  inode->id = next_id_++;
  inode->mode = mode;
  inode->atime_ns = inode->mtime_ns = inode->ctime_ns = now_ns();
  inodes_.insert(inode);
  return inode;
}

void RamFs::free_inode(Inode* inode) {
  inode->data.clear(space_);
  if (inode->target) {
    deallocate(inode->target);
    space_.give(inode->size);
  }
  inodes_.remove(inode);
  destroy(inode);
  space_.give(kInodeCost);
}

Result<DirEntry*> RamFs::prepare_entry(Inode* dir, lib::StringView name, Inode* inode) {
  if (!space_.take(entry_cost(name))) return abi::kErrNoSpace;
  DirEntry* entry = DirEntry::make(name, inode);
  if (!entry || !dir->entries.reserve().ok()) {
    if (entry) DirEntry::free(entry);
    space_.give(entry_cost(name));
    return abi::kErrNoSpace;
  }
  return entry;
}

void RamFs::discard_entry(DirEntry* entry) {
  space_.give(entry_cost(entry->name()));
  DirEntry::free(entry);
}

void RamFs::remove_entry(Inode* dir, DirEntry* entry) {
  Inode* inode = entry->inode;
  dir->entries.remove(entry);
  discard_entry(entry);
  if (inode->is_directory()) {
    --dir->links;  // its ".." is gone
    inode->links = 0;
  } else {
    --inode->links;
  }
  if (inode->links == 0) {
    free_inode(inode);
  } else {
    inode->ctime_ns = now_ns();
  }
}

FileStat RamFs::stat_of(const Inode* inode) const {
  FileStat s{};
  s.node = inode->id;
  s.size = inode->is_directory() ? inode->entries.count() : inode->size;
  s.blocks = inode->data.pages() * (kPageSize / 512);
  s.mode = inode->mode;
  s.links = inode->links;
  s.atime_ns = inode->atime_ns;
  s.mtime_ns = inode->mtime_ns;
  s.ctime_ns = inode->ctime_ns;
  return s;
}

FileSystemStat RamFs::statfs() {
  FileSystemStat s{};
  s.root = root_->id;
  s.block_size = kPageSize;
  s.blocks = space_.limit() / kPageSize;
  s.free_blocks = (space_.limit() - space_.used()) / kPageSize;
  s.max_name = abi::kFileMaxName;
  __builtin_memcpy(s.type, "ramfs", 6);
  return s;
}

Result<FileStat> RamFs::stat(InodeId id) { return stat_of(TRY(node(id))); }

Result<FileStat> RamFs::lookup(InodeId dir_id, lib::StringView name) {
  Inode* dir = TRY(directory(dir_id));
  const DirEntry* entry = dir->entries.find(name);
  if (!entry) return abi::kErrNotFound;
  return stat_of(entry->inode);
}

Result<FileStat> RamFs::create(InodeId dir_id, lib::StringView name, uint32_t mode) {
  TRY(check_name(name));
  Inode* dir = TRY(directory(dir_id));
  const uint32_t type = mode & abi::kModeTypeMask;
  if (type != abi::kModeRegular && type != abi::kModeDirectory) return abi::kErrInvalidArgument;
  if (dir->entries.find(name)) return abi::kErrExists;
  Inode* inode = TRY(new_inode(mode & (abi::kModeTypeMask | abi::kModePermissions)));
  auto entry = prepare_entry(dir, name, inode);
  if (!entry.ok()) {
    free_inode(inode);
    return entry.error();
  }
  dir->entries.insert(entry.value());
  if (type == abi::kModeDirectory) {
    inode->links = 2;
    inode->parent = dir;
    ++dir->links;
  } else {
    inode->links = 1;
  }
  changed(dir, inode->ctime_ns);
  return stat_of(inode);
}

Result<FileStat> RamFs::symlink(InodeId dir_id, lib::StringView name, lib::StringView target) {
  TRY(check_name(name));
  if (target.empty()) return abi::kErrInvalidArgument;
  if (target.size() > abi::kFileMaxPath) return abi::kErrNameTooLong;
  Inode* dir = TRY(directory(dir_id));
  if (dir->entries.find(name)) return abi::kErrExists;
  Inode* inode = TRY(new_inode(abi::kModeSymlink | kDefaultPermissions));
  if (space_.take(target.size())) {
    inode->target = make_array<char>(target.size());
    if (!inode->target) space_.give(target.size());
  }
  if (!inode->target) {
    free_inode(inode);
    return abi::kErrNoSpace;
  }
  __builtin_memcpy(inode->target, target.data(), target.size());
  inode->size = target.size();
  auto entry = prepare_entry(dir, name, inode);
  if (!entry.ok()) {
    free_inode(inode);
    return entry.error();
  }
  dir->entries.insert(entry.value());
  inode->links = 1;
  changed(dir, inode->ctime_ns);
  return stat_of(inode);
}

Result<size_t> RamFs::readlink(InodeId id, char* out, size_t capacity) {
  Inode* inode = TRY(node(id));
  if (inode->type() != abi::kModeSymlink) return abi::kErrInvalidArgument;
  if (capacity < inode->size) return abi::kErrBufferTooSmall;
  __builtin_memcpy(out, inode->target, inode->size);
  return static_cast<size_t>(inode->size);
}

Result<void> RamFs::unlink(InodeId dir_id, lib::StringView name, bool directory) {
  TRY(check_name(name));
  Inode* dir = TRY(this->directory(dir_id));
  DirEntry* entry = dir->entries.find(name);
  if (!entry) return abi::kErrNotFound;
  const Inode* inode = entry->inode;
  if (inode->is_directory()) {
    if (!directory) return abi::kErrIsDirectory;
    if (inode->entries.count()) return abi::kErrNotEmpty;
  } else if (directory) {
    return abi::kErrNotDirectory;
  }
  remove_entry(dir, entry);
  changed(dir, now_ns());
  return {};
}

Result<void> RamFs::rename(InodeId from_id, lib::StringView from, InodeId to_id,
                           lib::StringView to) {
  TRY(check_name(from));
  TRY(check_name(to));
  Inode* from_dir = TRY(directory(from_id));
  Inode* to_dir = TRY(directory(to_id));
  DirEntry* source = from_dir->entries.find(from);
  if (!source) return abi::kErrNotFound;
  Inode* moving = source->inode;
  DirEntry* target = to_dir->entries.find(to);
  if (target && target->inode == moving) return {};  // the same entry: nothing to do
  if (moving->is_directory()) {
    // Not into itself or below itself: walk up from the new parent to the root.
    for (const Inode* p = to_dir;; p = p->parent) {
      if (p == moving) return abi::kErrInvalidArgument;
      if (p == root_) break;
    }
  }
  if (target) {
    const Inode* old = target->inode;
    if (moving->is_directory() && !old->is_directory()) return abi::kErrNotDirectory;
    if (!moving->is_directory() && old->is_directory()) return abi::kErrIsDirectory;
    if (old->is_directory() && old->entries.count()) return abi::kErrNotEmpty;
  }
  // The new entry replaces the source's: only a longer name needs more room.
  space_.give(entry_cost(from));
  auto prepared = prepare_entry(to_dir, to, moving);
  if (!prepared.ok()) {
    (void)space_.take(entry_cost(from));  // given back just now: it fits
    return prepared.error();
  }
  DirEntry* entry = prepared.value();
  // Nothing below fails.
  if (target) remove_entry(to_dir, target);
  from_dir->entries.remove(source);
  DirEntry::free(source);  // its cost was given back above
  to_dir->entries.insert(entry);
  if (moving->is_directory() && from_dir != to_dir) {
    --from_dir->links;
    ++to_dir->links;
    moving->parent = to_dir;
  }
  const int64_t now = now_ns();
  changed(from_dir, now);
  changed(to_dir, now);
  moving->ctime_ns = now;
  return {};
}

Result<size_t> RamFs::read(InodeId id, uint64_t offset, void* out, size_t size) {
  Inode* inode = TRY(regular(id));
  if (offset >= inode->size) return size_t{0};
  const uint64_t left = inode->size - offset;
  const size_t total = size < left ? size : static_cast<size_t>(left);
  auto* to = static_cast<uint8_t*>(out);
  for (size_t done = 0; done < total;) {
    const uint64_t at = offset + done;
    const size_t in_page = at % kPageSize;
    const size_t n = kPageSize - in_page < total - done ? kPageSize - in_page : total - done;
    if (const uint8_t* page = inode->data.find(at / kPageSize)) {
      __builtin_memcpy(to + done, page + in_page, n);
    } else {
      __builtin_memset(to + done, 0, n);  // a hole
    }
    done += n;
  }
  inode->atime_ns = now_ns();
  return total;
}

Result<size_t> RamFs::write(InodeId id, uint64_t offset, const void* data, size_t size) {
  Inode* inode = TRY(regular(id));
  if (size == 0) return size_t{0};
  if (offset > kMaxFileSize || size > kMaxFileSize - offset) return abi::kErrTooLarge;
  const auto* from = static_cast<const uint8_t*>(data);
  size_t done = 0;
  while (done < size) {
    const uint64_t at = offset + done;
    const size_t in_page = at % kPageSize;
    const size_t n = kPageSize - in_page < size - done ? kPageSize - in_page : size - done;
    uint8_t* page = inode->data.get(at / kPageSize, space_);
    if (!page) break;
    __builtin_memcpy(page + in_page, from + done, n);
    done += n;
  }
  if (done == 0) return abi::kErrNoSpace;
  if (offset + done > inode->size) inode->size = offset + done;
  changed(inode, now_ns());
  return done;
}

Result<void> RamFs::truncate(InodeId id, uint64_t size) {
  Inode* inode = TRY(regular(id));
  if (size > kMaxFileSize) return abi::kErrTooLarge;
  if (size < inode->size) {
    // Bytes past the end stay zero in the pages kept, so growing again reads zeroes.
    inode->data.free_from((size + kPageSize - 1) / kPageSize, space_);
    if (size % kPageSize) {
      if (uint8_t* page = inode->data.find(size / kPageSize))
        __builtin_memset(page + size % kPageSize, 0, kPageSize - size % kPageSize);
    }
  }
  inode->size = size;
  changed(inode, now_ns());
  return {};
}

Result<void> RamFs::set_times(InodeId id, int64_t atime_ns, int64_t mtime_ns) {
  Inode* inode = TRY(node(id));
  if (atime_ns != abi::kTimeOmit) inode->atime_ns = atime_ns;
  if (mtime_ns != abi::kTimeOmit) inode->mtime_ns = mtime_ns;
  inode->ctime_ns = now_ns();
  return {};
}

Result<uint64_t> RamFs::readdir(InodeId dir_id, uint64_t cursor, DirVisitor& visitor) {
  Inode* dir = TRY(directory(dir_id));
  const Directory& entries = dir->entries;
  bool taken = false;
  for (size_t i = entries.first_after(cursor); i < entries.order_size(); ++i) {
    const DirEntry* e = entries.at(i);
    if (!e) continue;  // removed
    if (!visitor.visit(e->inode->id, e->inode->type(), e->name(), e->seq)) {
      if (!taken) return abi::kErrBufferTooSmall;
      return cursor;
    }
    cursor = e->seq;
    taken = true;
  }
  return uint64_t{0};
}

}  // namespace

}  // namespace ramfs

Result<FileSystem*> make_ramfs(uint64_t size_limit_bytes) {
  return ramfs::RamFs::create(size_limit_bytes);
}

uint64_t ramfs_used_bytes(const FileSystem& fs) {
  return static_cast<const ramfs::RamFs&>(fs).used();
}

}  // namespace stellina::fs
