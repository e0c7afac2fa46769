#include "servers/fs/bootfs/bootfs.h"

#include <lib/archive.h>

#include "servers/fs/core/memory.h"

namespace stellina::fs {

namespace bootfs {

namespace {

constexpr size_t kMaxDepth = lib::BootArchive::kNameSize / 2;  // "a/b/c/..." at most
constexpr uint64_t kBlockSize = 4096;

struct Node {
  lib::StringView name;  // its last component, in the archive
  uint32_t mode = 0;
  uint32_t parent = 0;  // index of its directory (the root's: 0, itself)
  const uint8_t* data = nullptr;
  uint64_t size = 0;         // a file's bytes
  uint32_t first_child = 0;  // a directory's entries: children_[first_child, + count)
  uint32_t child_count = 0;
  uint32_t subdirectories = 0;
  bool is_directory() const { return (mode & abi::kModeTypeMask) == abi::kModeDirectory; }
};

bool less(lib::StringView a, lib::StringView b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return static_cast<uint8_t>(a[i]) < static_cast<uint8_t>(b[i]);
  return a.size() < b.size();
}

class BootFs final : public FileSystem {
 public:
  BootFs() = default;
  ~BootFs() override {
    deallocate(nodes_);
    deallocate(children_);
  }
  BootFs(const BootFs&) = delete;
  BootFs& operator=(const BootFs&) = delete;

  // Builds the tree; on failure the caller destroys this.
  Result<void> build(const lib::BootArchive& archive);

  FileSystemStat statfs() override;
  InodeId root() const override { return 1; }
  Result<FileStat> stat(InodeId node) override { return stat_of(TRY(find(node))); }
  Result<FileStat> lookup(InodeId dir, lib::StringView name) override;
  Result<FileStat> create(InodeId, lib::StringView, uint32_t) override { return abi::kErrReadOnly; }
  Result<FileStat> symlink(InodeId, lib::StringView, lib::StringView) override {
    return abi::kErrReadOnly;
  }
  Result<size_t> readlink(InodeId node, char* out, size_t capacity) override;
  Result<void> unlink(InodeId, lib::StringView, bool) override { return abi::kErrReadOnly; }
  Result<void> rename(InodeId, lib::StringView, InodeId, lib::StringView) override {
    return abi::kErrReadOnly;
  }
  Result<size_t> read(InodeId node, uint64_t offset, void* out, size_t size) override;
  Result<size_t> write(InodeId, uint64_t, const void*, size_t) override {
    return abi::kErrReadOnly;
  }
  Result<void> truncate(InodeId, uint64_t) override { return abi::kErrReadOnly; }
  Result<void> set_times(InodeId, int64_t, int64_t) override { return abi::kErrReadOnly; }
  Result<uint64_t> readdir(InodeId dir, uint64_t cursor, DirVisitor& visitor) override;
  Result<void> sync() override { return {}; }

 private:
  Result<const Node*> find(InodeId id) const;
  Result<const Node*> directory(InodeId id) const;
  InodeId id_of(const Node* n) const { return static_cast<InodeId>(n - nodes_) + 1; }
  FileStat stat_of(const Node* n) const;
  // Adds a node under parent (the table is sized for every path component up front).
  uint32_t add(lib::StringView name, uint32_t mode, uint32_t parent);
  Result<void> link_children();
  void sort_children(uint32_t* first, uint32_t count) const;

  Node* nodes_ = nullptr;
  uint32_t node_count_ = 0;
  uint32_t* children_ = nullptr;  // every node but the root, grouped by directory
  uint64_t archive_bytes_ = 0;
  int64_t made_ns_ = 0;
};

uint32_t BootFs::add(lib::StringView name, uint32_t mode, uint32_t parent) {
  Node& n = nodes_[node_count_];
  n.name = name;
  n.mode = mode;
  n.parent = parent;
  return node_count_++;
}

Result<void> BootFs::build(const lib::BootArchive& archive) {
  archive_bytes_ = archive.bytes().size;
  made_ns_ = now_ns();
  // At most one node per path component, and the root.
  size_t bound = 1;
  for (size_t i = 0; i < archive.count(); ++i) {
    const lib::StringView name = archive.entry(i).name;
    bound += 1;
    for (const char c : name) bound += c == '/' ? 1 : 0;
  }
  if (bound > UINT32_MAX) return abi::kErrCorrupt;
  nodes_ = make_array<Node>(bound);
  if (!nodes_) return abi::kErrNoMemory;
  add("", abi::kModeDirectory | 0555, 0);

  // Names are sorted, so the paths below one directory come one after another: the
  // directories of the previous path are reused while the new one shares them, and a
  // directory left is never seen again.
  uint32_t path[kMaxDepth] = {};
  size_t depth = 0;
  for (size_t i = 0; i < archive.count(); ++i) {
    const lib::ArchiveEntry entry = archive.entry(i);
    const lib::StringView name = entry.name;
    uint32_t parent = 0;
    size_t level = 0;
    bool shared = true;
    for (size_t start = 0;;) {
      size_t end = name.find('/', start);
      const bool last = end == lib::StringView::kNpos;
      if (last) end = name.size();
      const lib::StringView part = name.substr(start, end - start);
      if (part.empty() || part == "." || part == "..") return abi::kErrCorrupt;
      if (last) {
        Node& file = nodes_[add(part, abi::kModeRegular | 0444, parent)];
        file.data = entry.data;
        file.size = entry.size;
        break;
      }
      if (level >= kMaxDepth) return abi::kErrCorrupt;
      shared = shared && level < depth && nodes_[path[level]].name == part;
      if (!shared) {
        path[level] = add(part, abi::kModeDirectory | 0555, parent);
        ++nodes_[parent].subdirectories;
        depth = level + 1;
      }
      parent = path[level++];
      start = end + 1;
    }
    depth = level;
  }
  return link_children();
}

// Groups the nodes by directory (a counting sort on the parent), sorts each directory's by
// name, and refuses a name given twice in one directory (a file that is also a directory).
Result<void> BootFs::link_children() {
  children_ = make_array<uint32_t>(node_count_);
  if (!children_) return abi::kErrNoMemory;
  for (uint32_t j = 1; j < node_count_; ++j) ++nodes_[nodes_[j].parent].child_count;
  uint32_t next = 0;
  for (uint32_t i = 0; i < node_count_; ++i) {
    nodes_[i].first_child = next;
    next += nodes_[i].child_count;
    nodes_[i].child_count = 0;
  }
  for (uint32_t j = 1; j < node_count_; ++j) {
    Node& parent = nodes_[nodes_[j].parent];
    children_[parent.first_child + parent.child_count++] = j;
  }
  for (uint32_t i = 0; i < node_count_; ++i) {
    const Node& dir = nodes_[i];
    if (dir.child_count < 2) continue;
    uint32_t* first = children_ + dir.first_child;
    sort_children(first, dir.child_count);
    for (uint32_t k = 1; k < dir.child_count; ++k)
      if (nodes_[first[k - 1]].name == nodes_[first[k]].name) return abi::kErrCorrupt;
  }
  return {};
}

// Heapsort by name: no recursion, no memory.
void BootFs::sort_children(uint32_t* first, uint32_t count) const {
  auto before = [&](uint32_t a, uint32_t b) { return less(nodes_[a].name, nodes_[b].name); };
  auto sift_down = [&](uint32_t root, uint32_t end) {
    for (;;) {
      uint32_t child = 2 * root + 1;
      if (child >= end) return;
      if (child + 1 < end && before(first[child], first[child + 1])) ++child;
      if (!before(first[root], first[child])) return;
      const uint32_t t = first[root];
      first[root] = first[child];
      first[child] = t;
      root = child;
    }
  };
  for (uint32_t i = count / 2; i-- > 0;) sift_down(i, count);
  for (uint32_t end = count; end-- > 1;) {
    const uint32_t t = first[0];
    first[0] = first[end];
    first[end] = t;
    sift_down(0, end);
  }
}

Result<const Node*> BootFs::find(InodeId id) const {
  if (id == 0 || id > node_count_) return abi::kErrNotFound;
  return &nodes_[id - 1];
}

Result<const Node*> BootFs::directory(InodeId id) const {
  const Node* n = TRY(find(id));
  if (!n->is_directory()) return abi::kErrNotDirectory;
  return n;
}

FileStat BootFs::stat_of(const Node* n) const {
  FileStat s{};
  s.node = id_of(n);
  s.mode = n->mode;
  if (n->is_directory()) {
    s.size = n->child_count;
    s.links = 2 + n->subdirectories;
  } else {
    s.size = n->size;
    s.blocks = (n->size + 511) / 512;
    s.links = 1;
  }
  s.atime_ns = s.mtime_ns = s.ctime_ns = made_ns_;
  return s;
}

FileSystemStat BootFs::statfs() {
  FileSystemStat s{};
  s.root = root();
  s.block_size = kBlockSize;
  s.blocks = (archive_bytes_ + kBlockSize - 1) / kBlockSize;
  s.files = node_count_;
  s.max_name = lib::BootArchive::kNameSize - 1;
  s.read_only = 1;
  __builtin_memcpy(s.type, "bootfs", 7);
  return s;
}

Result<FileStat> BootFs::lookup(InodeId dir_id, lib::StringView name) {
  const Node* dir = TRY(directory(dir_id));
  const uint32_t* first = children_ + dir->first_child;
  uint32_t low = 0;
  uint32_t high = dir->child_count;
  while (low < high) {
    const uint32_t mid = low + (high - low) / 2;
    const Node& n = nodes_[first[mid]];
    if (n.name == name) return stat_of(&n);
    if (less(n.name, name)) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return abi::kErrNotFound;
}

Result<size_t> BootFs::readlink(InodeId node, char*, size_t) {
  TRY(find(node));
  return abi::kErrInvalidArgument;  // an archive holds no links
}

Result<size_t> BootFs::read(InodeId node, uint64_t offset, void* out, size_t size) {
  const Node* n = TRY(find(node));
  if (n->is_directory()) return abi::kErrIsDirectory;
  if (offset >= n->size) return size_t{0};
  const uint64_t left = n->size - offset;
  const size_t count = size < left ? size : static_cast<size_t>(left);
  __builtin_memcpy(out, n->data + offset, count);
  return count;
}

// The cursor is a position in the directory's sorted entries: nothing moves in a read-only
// tree.
Result<uint64_t> BootFs::readdir(InodeId dir_id, uint64_t cursor, DirVisitor& visitor) {
  const Node* dir = TRY(directory(dir_id));
  for (uint64_t i = cursor; i < dir->child_count; ++i) {
    const Node* n = &nodes_[children_[dir->first_child + i]];
    if (!visitor.visit(id_of(n), n->mode & abi::kModeTypeMask, n->name, i + 1)) {
      if (i == cursor) return abi::kErrBufferTooSmall;
      return i;
    }
  }
  return uint64_t{0};
}

}  // namespace

}  // namespace bootfs

Result<FileSystem*> make_bootfs(const void* archive, size_t size) {
  auto opened = lib::BootArchive::open(static_cast<const uint8_t*>(archive), size);
  if (!opened.ok()) {
    return opened.error() == lib::Error::NotSupported ? abi::kErrNotSupported : abi::kErrCorrupt;
  }
  if (!opened.value().verify_all().ok()) return abi::kErrCorrupt;
  auto* fs = make<bootfs::BootFs>();
  if (!fs) return abi::kErrNoMemory;
  auto built = fs->build(opened.value());
  if (!built.ok()) {
    destroy(fs);
    return built.error();
  }
  return static_cast<FileSystem*>(fs);
}

}  // namespace stellina::fs
