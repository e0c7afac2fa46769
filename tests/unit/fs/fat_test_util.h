#pragma once
// Helpers of the FAT engine's host tests: images made with mkfs.fat and filled with mcopy,
// a mounted engine, walking its tree, and the host's view of an image (mtools, fsck.fat).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "servers/fs/core/memory.h"
#include "servers/fs/fat/fat.h"
#include "tests/unit/fs/image_device.h"
#include "tests/unit/temp_dir.h"

namespace stellina::fs::fat_test {

inline const char* kMtools = "MTOOLS_SKIP_CHECK=1 ";

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// A blank image of size_mb MiB made by mkfs.fat -F bits (extra: more mkfs options).
inline bool make_image(const std::string& path, int bits, int size_mb,
                       const std::string& extra = "") {
  return test::run("rm -f " + quote(path) + " && truncate -s " + std::to_string(size_mb) + "M " +
                   quote(path) + " && mkfs.fat -F " + std::to_string(bits) + " " + extra + " " +
                   quote(path) + " >/dev/null") == 0;
}

// fsck.fat -n: exit 0 and nothing said but its banner and the summary line.
inline ::testing::AssertionResult fsck_clean(const std::string& image) {
  const std::string out = test::output_of("fsck.fat -n " + quote(image) + " 2>&1; echo rc=$?");
  std::istringstream lines(out);
  std::string line;
  std::string complaints;
  bool ok = false;
  while (std::getline(lines, line)) {
    if (line.rfind("fsck.fat ", 0) == 0) continue;
    if (line.find(" files, ") != std::string::npos) continue;
    if (line == "rc=0") {
      ok = true;
      continue;
    }
    complaints += line;
    complaints += "\n";
  }
  if (ok && complaints.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "fsck.fat -n " << image << ":\n" << out;
}

// The used/total clusters fsck.fat reports ("N files, U/T clusters").
inline std::pair<uint64_t, uint64_t> fsck_clusters(const std::string& image) {
  const std::string out = test::output_of("fsck.fat -n " + quote(image) + " 2>&1");
  const size_t at = out.find(" files, ");
  if (at == std::string::npos) return {0, 0};
  const std::string rest = out.substr(at + 8);
  const size_t slash = rest.find('/');
  return {std::stoull(rest.substr(0, slash)), std::stoull(rest.substr(slash + 1))};
}

// A file's bytes as mtools reads them.
inline std::string mtools_read(const std::string& image, const std::string& path) {
  return test::output_of(std::string(kMtools) + "mcopy -n -i " + quote(image) + " " +
                         quote("::" + path) + " - 2>/dev/null");
}

// Every path in the image, as mdir -/ -b lists them ("/a", "/a/b/", directories with '/').
inline std::vector<std::string> mtools_tree(const std::string& image) {
  const std::string out =
      test::output_of(std::string(kMtools) + "mdir -/ -b -i " + quote(image) + " ::/ 2>/dev/null");
  std::vector<std::string> paths;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("::", 0) == 0) paths.push_back(line.substr(2));
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

inline std::string random_bytes(std::mt19937& rng, size_t size) {
  std::string s(size, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

inline std::string read_host_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_host_file(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

struct DestroyFs {
  void operator()(FileSystem* fs) const { destroy(fs); }
};
using OwnedFs = std::unique_ptr<FileSystem, DestroyFs>;

// An image mounted by the engine.
struct Mount {
  std::unique_ptr<test::ImageDevice> device;
  OwnedFs fs;
  MountMessage message;
  Status status = abi::kOk;

  explicit Mount(const std::string& image, bool read_only = false, size_t cache_bytes = 256 << 10) {
    device = std::make_unique<test::ImageDevice>(image);
    MountOptions options;
    options.read_only = read_only;
    options.cache_bytes = cache_bytes;
    Result<FileSystem*> r = mount_fat(*device, options, message);
    if (r.ok()) {
      fs.reset(r.value());
    } else {
      status = r.error();
    }
  }
  bool ok() const { return fs != nullptr; }
  FileSystem* operator->() const { return fs.get(); }
};

struct Listed {
  InodeId node;
  uint32_t mode;
};

class Collect final : public DirVisitor {
 public:
  bool visit(InodeId node, uint32_t mode, lib::StringView name, uint64_t) override {
    entries[std::string(name.data(), name.size())] = {node, mode};
    return true;
  }
  std::map<std::string, Listed> entries;
};

inline Result<std::map<std::string, Listed>> list(FileSystem& fs, InodeId dir) {
  Collect c;
  const uint64_t cursor = TRY(fs.readdir(dir, 0, c));
  if (cursor != 0) return abi::kErrInvalidArgument;
  return c.entries;
}

inline lib::StringView sv(const std::string& s) { return {s.data(), s.size()}; }

// The node at an absolute path ("/a/b").
inline Result<InodeId> resolve(FileSystem& fs, const std::string& path) {
  InodeId node = fs.root();
  size_t at = 1;
  while (at < path.size()) {
    size_t end = path.find('/', at);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(at, end - at);
    if (!part.empty()) node = TRY(fs.lookup(node, sv(part))).node;
    at = end + 1;
  }
  return node;
}

inline Result<std::string> read_all(FileSystem& fs, InodeId node) {
  const FileStat st = TRY(fs.stat(node));
  std::string out(st.size, '\0');
  uint64_t at = 0;
  while (at < st.size) {
    const size_t chunk = std::min<uint64_t>(st.size - at, 100000);
    const size_t n = TRY(fs.read(node, at, out.data() + at, chunk));
    if (n == 0) return abi::kErrCorrupt;
    at += n;
  }
  return out;
}

inline Result<size_t> write_all(FileSystem& fs, InodeId node, uint64_t offset,
                                const std::string& bytes) {
  return fs.write(node, offset, bytes.data(), bytes.size());
}

}  // namespace stellina::fs::fat_test
