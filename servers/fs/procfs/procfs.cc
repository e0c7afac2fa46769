#include "servers/fs/procfs/procfs.h"

#include "servers/fs/core/file_server.h"
#include "servers/fs/core/memory.h"

namespace stellina::fs {

namespace {

constexpr InodeId kRoot = 1;  // the directory; view i is node 2 + i

class ProcFs final : public FileSystem {
 public:
  ProcFs(const char* const* names, size_t count, ViewSource& source)
      : names_(names), count_(count), source_(source), booted_(now_ns()) {}
  ~ProcFs() override {
    for (size_t i = 0; i < count_; ++i) deallocate(text_[i]);
  }

  Result<void> init() {
    for (size_t i = 0; i < count_; ++i) {
      text_[i] = make_array<char>(kViewBytes);
      if (!text_[i]) return abi::kErrNoMemory;
    }
    return {};
  }

  FileSystemStat statfs() override {
    FileSystemStat st{};
    st.root = kRoot;
    st.block_size = 4096;
    st.files = count_ + 1;
    st.max_name = abi::kFileMaxName;
    st.read_only = 1;
    __builtin_memcpy(st.type, "procfs", 7);
    return st;
  }
  InodeId root() const override { return kRoot; }

  Result<FileStat> stat(InodeId node) override {
    if (node != kRoot && !is_view(node)) return abi::kErrNotFound;
    FileStat st{};
    st.node = node;
    st.mode = node == kRoot ? abi::kModeDirectory | 0555 : abi::kModeRegular | 0444;
    st.links = node == kRoot ? 2 : 1;
    st.atime_ns = st.mtime_ns = st.ctime_ns = node == kRoot ? booted_ : now_ns();
    return st;
  }
  Result<FileStat> lookup(InodeId dir, lib::StringView name) override {
    if (dir != kRoot) return is_view(dir) ? abi::kErrNotDirectory : abi::kErrNotFound;
    for (size_t i = 0; i < count_; ++i)
      if (name == names_[i]) return stat(2 + i);
    return abi::kErrNotFound;
  }
  Result<FileStat> create(InodeId, lib::StringView, uint32_t) override { return abi::kErrReadOnly; }
  Result<FileStat> symlink(InodeId, lib::StringView, lib::StringView) override {
    return abi::kErrReadOnly;
  }
  Result<size_t> readlink(InodeId, char*, size_t) override { return abi::kErrInvalidArgument; }
  Result<void> unlink(InodeId, lib::StringView, bool) override { return abi::kErrReadOnly; }
  Result<void> rename(InodeId, lib::StringView, InodeId, lib::StringView) override {
    return abi::kErrReadOnly;
  }

  Result<size_t> read(InodeId node, uint64_t offset, void* out, size_t size) override {
    if (node == kRoot) return abi::kErrIsDirectory;
    if (!is_view(node)) return abi::kErrNotFound;
    const size_t i = node - 2;
    if (offset == 0 || !rendered_[i]) {
      size_[i] = TRY(source_.render(i, text_[i], kViewBytes));
      if (size_[i] > kViewBytes) size_[i] = kViewBytes;
      rendered_[i] = true;
    }
    if (offset >= size_[i]) return size_t{0};
    const size_t n = size < size_[i] - offset ? size : size_[i] - offset;
    __builtin_memcpy(out, text_[i] + offset, n);
    return n;
  }
  Result<size_t> write(InodeId, uint64_t, const void*, size_t) override {
    return abi::kErrReadOnly;
  }
  Result<void> truncate(InodeId, uint64_t) override { return abi::kErrReadOnly; }
  Result<void> set_times(InodeId, int64_t, int64_t) override { return abi::kErrReadOnly; }

  Result<uint64_t> readdir(InodeId dir, uint64_t cursor, DirVisitor& visitor) override {
    if (dir != kRoot) return is_view(dir) ? abi::kErrNotDirectory : abi::kErrNotFound;
    for (size_t i = cursor; i < count_; ++i) {
      if (!visitor.visit(2 + i, abi::kModeRegular, names_[i], i + 1 < count_ ? i + 1 : 0))
        return uint64_t{i};
    }
    return uint64_t{0};
  }
  Result<void> sync() override { return {}; }

 private:
  bool is_view(InodeId node) const { return node >= 2 && node - 2 < count_; }

  const char* const* names_;
  size_t count_;
  ViewSource& source_;
  int64_t booted_;
  char* text_[kMaxViews] = {};
  size_t size_[kMaxViews] = {};
  bool rendered_[kMaxViews] = {};
};

}  // namespace

Result<FileSystem*> make_procfs(const char* const* names, size_t count, ViewSource& source) {
  if (count > kMaxViews) return abi::kErrInvalidArgument;
  for (size_t i = 0; i < count; ++i) TRY(check_name(names[i]));
  auto* fs = make<ProcFs>(names, count, source);
  if (!fs) return abi::kErrNoMemory;
  Result<void> ready = fs->init();
  if (!ready.ok()) {
    destroy(fs);
    return ready.error();
  }
  return fs;
}

}  // namespace stellina::fs
