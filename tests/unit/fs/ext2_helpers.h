#pragma once
// Host test helpers for the ext2 engine: trees of files made on the host, images made from
// them with mke2fs, mounting, and comparing what the engine reads with the host's files.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "servers/fs/core/memory.h"
#include "servers/fs/ext2/ext2.h"
#include "tests/unit/fs/image_device.h"
#include "tests/unit/temp_dir.h"

namespace ext2_test {

using stellina::fs::FileSystem;
using stellina::fs::InodeId;

inline std::string random_bytes(std::mt19937& rng, size_t size) {
  std::string s(size, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

inline void write_file(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

inline std::string read_host(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A tree with many small files, a deep path, a file past the double indirect block with
// 1 KiB blocks, sparse files, and fast and slow symbolic links.
inline void make_tree(const std::string& root, uint32_t seed, int files = 200) {
  namespace fs = std::filesystem;
  std::mt19937 rng(seed);
  fs::create_directories(root + "/files");
  fs::create_directories(root + "/a/b/c/d/e/f/g/h");
  fs::create_directories(root + "/empty_dir");
  for (int i = 0; i < files; ++i)
    write_file(root + "/files/f" + std::to_string(i), random_bytes(rng, (i * 937) % 9000));
  write_file(root + "/a/b/c/d/e/f/g/h/deep.txt", "at the bottom\n");
  write_file(root + "/big.bin", random_bytes(rng, 3 * 1024 * 1024 + 123));
  write_file(root + "/empty", "");
  {
    std::ofstream out(root + "/sparse", std::ios::binary);
    out.seekp(10 << 20);
    out << random_bytes(rng, 5000);
    out.seekp(20 << 20);
    out << "end";
  }
  std::filesystem::resize_file(root + "/empty", 0);
  { std::ofstream out(root + "/hole_only", std::ios::binary); }
  std::filesystem::resize_file(root + "/hole_only", 5 << 20);
  fs::create_symlink("files/f1", root + "/fast_link");
  fs::create_symlink(std::string(100, 'x') + "/" + std::string(80, 'y'), root + "/slow_link");
  fs::create_symlink("../../deep.txt", root + "/a/b/c/rel_link");
}

// Runs mke2fs on a fresh image of size_mb MiB; extra: more options (e.g. "-d DIR").
inline bool make_image(const std::string& image, const std::string& type, uint32_t block_size,
                       int size_mb, const std::string& extra) {
  const std::string cmd = "rm -f " + image + " && truncate -s " + std::to_string(size_mb) + "M " +
                          image + " && mke2fs -q -F -t " + type + " -b " +
                          std::to_string(block_size) + " " + extra + " " + image +
                          " >/dev/null 2>&1";
  return test::run(cmd) == 0;
}

// e2fsck -fn's verdict: "" when it exits 0 and says nothing past its passes and summary.
inline std::string fsck_complaints(const std::string& image) {
  const std::string out = test::output_of("e2fsck -fn " + image + " 2>&1; echo EXIT=$?");
  std::string complaints;
  size_t at = 0;
  while (at < out.size()) {
    size_t end = out.find('\n', at);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(at, end - at);
    at = end + 1;
    if (line.empty() || line.rfind("Pass ", 0) == 0 || line.rfind("e2fsck ", 0) == 0 ||
        line.find(" files (") != std::string::npos || line == "EXIT=0")
      continue;
    complaints += line + "\n";
  }
  return complaints;
}

struct Destroy {
  void operator()(FileSystem* f) const { stellina::fs::destroy(f); }
};
using Owned = std::unique_ptr<FileSystem, Destroy>;

// An image's device and the engine mounted on it.
struct Mount {
  std::unique_ptr<test::ImageDevice> device;
  Owned fs;
  stellina::fs::MountMessage message;
  stellina::abi::Status status = stellina::abi::kOk;
};

inline std::unique_ptr<Mount> mount(const std::string& image, bool read_only,
                                    size_t cache_bytes = size_t{1} << 20) {
  auto m = std::make_unique<Mount>();
  m->device = std::make_unique<test::ImageDevice>(image, !read_only);
  stellina::fs::MountOptions options;
  options.read_only = read_only;
  options.cache_bytes = cache_bytes;
  auto r = stellina::fs::mount_ext2(*m->device, options, m->message);
  if (r.ok()) {
    m->fs.reset(r.value());
  } else {
    m->status = r.error();
  }
  return m;
}

struct Entry {
  InodeId node;
  uint32_t type;
};

// Every entry of a directory, read in batches of a few (so cursors are exercised).
class Lister final : public stellina::fs::DirVisitor {
 public:
  bool visit(InodeId node, uint32_t type_mode, lib::StringView name, uint64_t) override {
    if (taken == limit) return false;
    ++taken;
    entries[std::string(name.data(), name.size())] = {node, type_mode};
    return true;
  }
  std::map<std::string, Entry> entries;
  size_t taken = 0;
  size_t limit = 0;
};

inline stellina::Result<std::map<std::string, Entry>> list(FileSystem& fs, InodeId dir,
                                                           size_t batch = 7) {
  Lister lister;
  uint64_t cursor = 0;
  for (int rounds = 0; rounds < 1000000; ++rounds) {
    lister.taken = 0;
    lister.limit = batch;
    cursor = TRY(fs.readdir(dir, cursor, lister));
    if (cursor == 0) break;
  }
  return lister.entries;
}

inline std::string read_all(FileSystem& fs, InodeId node, uint64_t size, size_t chunk = 65536) {
  std::string data(size, '\0');
  uint64_t at = 0;
  while (at < size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk, size - at));
    auto r = fs.read(node, at, data.data() + at, want);
    if (!r.ok() || r.value() == 0) break;
    at += r.value();
  }
  data.resize(at);
  return data;
}

inline uint32_t host_type(const std::string& path) {
  struct stat st {};
  lstat(path.c_str(), &st);
  return st.st_mode & S_IFMT;
}

// What the engine reads under dir equals the host directory host: names, types, sizes,
// bytes, link targets. Returns the number of entries compared.
inline int compare_tree(FileSystem& fs, InodeId dir, const std::string& host) {
  namespace sfs = std::filesystem;
  auto listed = list(fs, dir);
  EXPECT_TRUE(listed.ok()) << host;
  if (!listed.ok()) return 0;
  std::map<std::string, Entry> entries = listed.value();
  std::vector<std::string> names;
  for (const auto& e : sfs::directory_iterator(host)) {
    const std::string name = e.path().filename();
    if (name != "lost+found") names.push_back(name);
  }
  entries.erase("lost+found");
  EXPECT_EQ(entries.size(), names.size()) << host;
  int compared = 0;
  for (const std::string& name : names) {
    const std::string path = host + "/" + name;
    auto it = entries.find(name);
    if (it == entries.end()) {
      ADD_FAILURE() << "missing " << path;
      continue;
    }
    ++compared;
    const InodeId node = it->second.node;
    auto st = fs.stat(node);
    EXPECT_TRUE(st.ok()) << path;
    if (!st.ok()) continue;
    EXPECT_EQ(st.value().mode & stellina::abi::kModeTypeMask, host_type(path)) << path;
    EXPECT_EQ(it->second.type, host_type(path)) << path;
    auto looked = fs.lookup(dir, lib::StringView(name.data(), name.size()));
    EXPECT_TRUE(looked.ok() && looked.value().node == node) << path;
    switch (host_type(path)) {
      case S_IFLNK: {
        char target[1100];
        auto r = fs.readlink(node, target, sizeof(target));
        EXPECT_TRUE(r.ok()) << path;
        if (r.ok()) EXPECT_EQ(std::string(target, r.value()), sfs::read_symlink(path).string());
        break;
      }
      case S_IFREG: {
        const std::string want = read_host(path);
        EXPECT_EQ(st.value().size, want.size()) << path;
        EXPECT_TRUE(read_all(fs, node, st.value().size, 4096 * 3 + 17) == want) << path;
        break;
      }
      case S_IFDIR: compared += compare_tree(fs, node, path); break;
      default: break;
    }
  }
  return compared;
}

}  // namespace ext2_test
