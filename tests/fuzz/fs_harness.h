#pragma once
// The file-system fuzz targets' disk and walk: an image in memory as a BlockDevice, a bounded
// walk of the whole tree (every directory listed in small batches, every file read, every
// link read) and a few changes, as a file server would make them for its clients. A corrupt
// image may refuse any of these; none may crash, trip a sanitizer or loop.
#include <cstring>

#include "lib/string_view.h"
#include "servers/fs/core/block_device.h"
#include "servers/fs/core/filesystem.h"
#include "servers/fs/core/memory.h"

namespace fuzz {

namespace fs = stellina::fs;
namespace abi = stellina::abi;

// A disk over an image in memory that the caller owns; it remembers how far it was written.
class MemoryDevice final : public fs::BlockDevice {
 public:
  MemoryDevice(uint8_t* image, size_t sectors, bool writable)
      : image_(image), sectors_(sectors), writable_(writable) {}
  uint64_t sector_count() const override { return sectors_; }
  bool writable() const override { return writable_; }
  stellina::Result<void> read(uint64_t sector, uint64_t count, void* out) override {
    if (sector > sectors_ || count > sectors_ - sector) return abi::kErrInvalidArgument;
    std::memcpy(out, image_ + sector * 512, count * 512);
    return {};
  }
  stellina::Result<void> write(uint64_t sector, uint64_t count, const void* data) override {
    if (!writable_) return abi::kErrReadOnly;
    if (sector > sectors_ || count > sectors_ - sector) return abi::kErrInvalidArgument;
    std::memcpy(image_ + sector * 512, data, count * 512);
    if ((sector + count) * 512 > written_end) written_end = (sector + count) * 512;
    return {};
  }
  stellina::Result<void> flush() override { return {}; }

  size_t written_end = 0;  // bytes from the start up to the end of the last sector written

 private:
  uint8_t* image_;
  size_t sectors_;
  bool writable_;
};

// An image of kCapacity bytes at most that stays mapped from input to input (make it a
// global, not a local: it is large): each input is copied to its start, and everything after
// it is zero (what the last input and its writes left there is cleared), so no input sees
// another's bytes.
template <size_t kCapacity>
class ImageBuffer {
 public:
  // The input at the start of the image, zeroes after it (input <= kCapacity).
  uint8_t* load(const uint8_t* data, size_t input) {
    std::memcpy(bytes_, data, input);
    if (dirty_ > input) std::memset(bytes_ + input, 0, dirty_ - input);
    dirty_ = input;
    return bytes_;
  }
  // After a run: how far the device wrote, so the next load clears it.
  void written(size_t end) {
    if (end > dirty_) dirty_ = end;
  }

 private:
  uint8_t bytes_[kCapacity] = {};
  size_t dirty_ = 0;  // the bytes past it are zero
};

class Lister final : public fs::DirVisitor {
 public:
  bool visit(fs::InodeId node, uint32_t type_mode, lib::StringView name, uint64_t) override {
    if (count == kBatch) return false;
    entries[count++] = {node, type_mode, {}};
    std::memcpy(entries[count - 1].name, name.data(), name.size() < 255 ? name.size() : 255);
    return true;
  }
  static constexpr size_t kBatch = 5;
  struct Entry {
    fs::InodeId node;
    uint32_t type;
    char name[256];
  } entries[kBatch];
  size_t count = 0;
};

inline void read_node(fs::FileSystem& f, fs::InodeId node, uint32_t type) {
  static char buffer[4096];
  if ((type & abi::kModeTypeMask) == abi::kModeSymlink) {
    (void)f.readlink(node, buffer, sizeof(buffer));
    return;
  }
  auto st = f.stat(node);
  if (!st.ok() || (st.value().mode & abi::kModeTypeMask) != abi::kModeRegular) return;
  const uint64_t size = st.value().size;
  for (uint64_t at = 0; at < size && at < (uint64_t{256} << 10); at += sizeof(buffer)) {
    auto r = f.read(node, at, buffer, sizeof(buffer));
    if (!r.ok() || r.value() == 0) break;
  }
  (void)f.read(node, size / 2 + 12345, buffer, sizeof(buffer));  // where a hostile size points
}

// Walks dir's tree, bounded in depth (a corrupt image may hold a loop) and in entries.
inline void walk(fs::FileSystem& f, fs::InodeId dir, int depth, int& budget) {
  if (depth > 8) return;
  uint64_t cursor = 0;
  do {
    Lister lister;
    auto next = f.readdir(dir, cursor, lister);
    if (!next.ok()) return;
    for (size_t i = 0; i < lister.count; ++i) {
      if (--budget <= 0) return;
      const Lister::Entry& e = lister.entries[i];
      const lib::StringView name(e.name, std::strlen(e.name));
      if (name == "." || name == "..") continue;
      (void)f.lookup(dir, name);
      if ((e.type & abi::kModeTypeMask) == abi::kModeDirectory) {
        walk(f, e.node, depth + 1, budget);
      } else {
        read_node(f, e.node, e.type);
      }
    }
    if (next.value() == cursor) return;  // no progress: stop rather than loop
    cursor = next.value();
  } while (cursor != 0 && budget > 0);
}

// Changes in the root as a client would make them; each may fail on a corrupt image.
inline void mutate(fs::FileSystem& f) {
  static const char data[6000] = {'m'};
  const fs::InodeId root = f.root();
  auto made = f.create(root, "new_file", abi::kModeRegular | 0644);
  if (made.ok()) {
    (void)f.write(made.value().node, 3000, data, sizeof(data));
    (void)f.truncate(made.value().node, 1000);
  }
  (void)f.create(root, "new_dir", abi::kModeDirectory | 0755);
  (void)f.symlink(root, "new_link", "a/target/too/long/to/fit/in/the/inode/itself/0123456789");
  (void)f.rename(root, "new_file", root, "renamed");
  (void)f.unlink(root, "new_dir", true);
  (void)f.unlink(root, "renamed", false);
  (void)f.sync();
}

// Mounts the image with mount (mount_ext2 or mount_fat), walks it, and when writable changes
// it and walks it again. Returns how far the device was written.
template <typename MountFunction>
size_t exercise(MountFunction mount, uint8_t* image, size_t sectors, bool writable) {
  MemoryDevice device(image, sectors, writable);
  fs::MountOptions options;
  options.read_only = !writable;
  options.cache_bytes = size_t{64} << 10;
  fs::MountMessage message;
  auto mounted = mount(device, options, message);
  if (!mounted.ok()) return device.written_end;
  fs::FileSystem* f = mounted.value();
  (void)f->statfs();
  int budget = 200;
  walk(*f, f->root(), 0, budget);
  if (writable) {
    mutate(*f);
    budget = 200;
    walk(*f, f->root(), 0, budget);
  }
  fs::destroy(f);
  return device.written_end;
}

}  // namespace fuzz
