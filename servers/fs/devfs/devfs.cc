#include "servers/fs/devfs/devfs.h"

#include "servers/fs/core/memory.h"

namespace stellina::fs {

namespace {

constexpr InodeId kRoot = 1;  // the directory; device i is node 2 + i

enum class Device { Null, Zero, Full, Random, Urandom };
constexpr const char* kNames[] = {"null", "zero", "full", "random", "urandom"};
constexpr size_t kDevices = sizeof(kNames) / sizeof(kNames[0]);

class DevFs final : public FileSystem {
 public:
  explicit DevFs(ChaCha20Rng& rng) : rng_(rng), made_(now_ns()) {}

  FileSystemStat statfs() override {
    FileSystemStat st{};
    st.root = kRoot;
    st.block_size = 4096;
    st.files = kDevices + 1;
    st.max_name = abi::kFileMaxName;
    __builtin_memcpy(st.type, "devfs", 6);
    return st;
  }
  InodeId root() const override { return kRoot; }

  Result<FileStat> stat(InodeId node) override {
    if (node != kRoot && !is_device(node)) return abi::kErrNotFound;
    FileStat st{};
    st.node = node;
    st.mode = node == kRoot ? abi::kModeDirectory | 0755 : abi::kModeCharDevice | 0666;
    st.links = node == kRoot ? 2 : 1;
    st.atime_ns = st.mtime_ns = st.ctime_ns = made_;
    return st;
  }
  Result<FileStat> lookup(InodeId dir, lib::StringView name) override {
    if (dir != kRoot) return is_device(dir) ? abi::kErrNotDirectory : abi::kErrNotFound;
    for (size_t i = 0; i < kDevices; ++i)
      if (name == kNames[i]) return stat(2 + i);
    return abi::kErrNotFound;
  }
  Result<FileStat> create(InodeId, lib::StringView, uint32_t) override {
    return abi::kErrAccessDenied;
  }
  Result<FileStat> symlink(InodeId, lib::StringView, lib::StringView) override {
    return abi::kErrAccessDenied;
  }
  Result<size_t> readlink(InodeId, char*, size_t) override { return abi::kErrInvalidArgument; }
  Result<void> unlink(InodeId, lib::StringView, bool) override { return abi::kErrAccessDenied; }
  Result<void> rename(InodeId, lib::StringView, InodeId, lib::StringView) override {
    return abi::kErrAccessDenied;
  }

  Result<size_t> read(InodeId node, uint64_t, void* out, size_t size) override {
    if (node == kRoot) return abi::kErrIsDirectory;
    if (!is_device(node)) return abi::kErrNotFound;
    switch (device(node)) {
      case Device::Null: return size_t{0};
      case Device::Zero:
      case Device::Full: __builtin_memset(out, 0, size); return size;
      case Device::Random:
      case Device::Urandom: rng_.fill(out, size); return size;
    }
    return abi::kErrNotFound;
  }
  Result<size_t> write(InodeId node, uint64_t, const void* data, size_t size) override {
    if (node == kRoot) return abi::kErrIsDirectory;
    if (!is_device(node)) return abi::kErrNotFound;
    switch (device(node)) {
      case Device::Null:
      case Device::Zero: return size;
      case Device::Full: return abi::kErrNoSpace;
      case Device::Random:
      case Device::Urandom: rng_.mix(data, size); return size;
    }
    return abi::kErrNotFound;
  }
  // Opening with truncation (a shell's "> /dev/null") must work: there is nothing to cut.
  Result<void> truncate(InodeId node, uint64_t) override {
    if (node == kRoot) return abi::kErrIsDirectory;
    return is_device(node) ? Result<void>{} : Result<void>(abi::kErrNotFound);
  }
  Result<void> set_times(InodeId node, int64_t, int64_t) override {
    return node == kRoot || is_device(node) ? Result<void>{} : Result<void>(abi::kErrNotFound);
  }

  Result<uint64_t> readdir(InodeId dir, uint64_t cursor, DirVisitor& visitor) override {
    if (dir != kRoot) return is_device(dir) ? abi::kErrNotDirectory : abi::kErrNotFound;
    for (size_t i = cursor; i < kDevices; ++i) {
      if (!visitor.visit(2 + i, abi::kModeCharDevice, kNames[i], i + 1 < kDevices ? i + 1 : 0))
        return uint64_t{i};
    }
    return uint64_t{0};
  }
  Result<void> sync() override { return {}; }

 private:
  static bool is_device(InodeId node) { return node >= 2 && node - 2 < kDevices; }
  static Device device(InodeId node) { return static_cast<Device>(node - 2); }

  ChaCha20Rng& rng_;
  int64_t made_;
};

}  // namespace

Result<FileSystem*> make_devfs(ChaCha20Rng& rng) {
  auto* fs = make<DevFs>(rng);
  if (!fs) return abi::kErrNoMemory;
  return fs;
}

}  // namespace stellina::fs
