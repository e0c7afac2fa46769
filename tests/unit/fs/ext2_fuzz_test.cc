// Fuzz-lite: small valid images with random bytes of their metadata changed (fixed seeds),
// mounted and walked whole, every file read, some changed. The engine must refuse what is
// bad (a mount error or kErrCorrupt) and never crash, trip a sanitizer or loop.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/unit/fs/ext2_helpers.h"

namespace ext2_test {
namespace {

namespace abi = stellina::abi;

// Walks the tree under dir: bounded in depth (a corrupt image may hold a directory loop)
// and in entries.
void walk(FileSystem& fs, InodeId dir, int depth, int& budget) {
  if (depth > 12 || budget <= 0) return;
  auto listed = list(fs, dir, 13);
  if (!listed.ok()) return;
  std::vector<char> buffer(4096);
  for (const auto& [name, entry] : listed.value()) {
    if (--budget <= 0) return;
    auto looked = fs.lookup(dir, lib::StringView(name.data(), name.size()));
    auto st = fs.stat(entry.node);
    if (!looked.ok() || !st.ok()) continue;
    switch (st.value().mode & abi::kModeTypeMask) {
      case abi::kModeDirectory: walk(fs, entry.node, depth + 1, budget); break;
      case abi::kModeRegular: {
        const uint64_t size = std::min<uint64_t>(st.value().size, 1 << 20);
        for (uint64_t at = 0; at < size; at += buffer.size()) {
          auto r = fs.read(entry.node, at, buffer.data(), buffer.size());
          if (!r.ok() || r.value() == 0) break;
        }
        // And once far out, where a hostile size may point.
        (void)fs.read(entry.node, st.value().size / 2 + 12345, buffer.data(), buffer.size());
        break;
      }
      case abi::kModeSymlink: {
        char target[2048];
        (void)fs.readlink(entry.node, target, sizeof(target));
        break;
      }
      default: break;
    }
  }
}

// Changes the tree: each step may fail on a corrupt image; none may crash.
void mutate(FileSystem& fs, std::mt19937& rng) {
  const std::string data(10000, 'm');
  auto made = fs.create(2, "new_file", abi::kModeRegular | 0644);
  if (made.ok()) {
    (void)fs.write(made.value().node, rng() % 100000, data.data(), data.size());
    (void)fs.truncate(made.value().node, rng() % 5000);
  }
  (void)fs.create(2, "new_dir", abi::kModeDirectory | 0755);
  (void)fs.symlink(2, "new_link",
                   "a/long/target/that/does/not/fit/in/the/inode/itself/at/all/0123456789");
  auto listed = list(fs, 2);
  if (listed.ok()) {
    int n = 0;
    for (const auto& [name, entry] : listed.value()) {
      const lib::StringView v(name.data(), name.size());
      if (n++ % 3 == 0)
        (void)fs.unlink(2, v, (entry.type & abi::kModeTypeMask) == abi::kModeDirectory);
      if (n % 5 == 1) (void)fs.rename(2, v, 2, "renamed");
      if (n > 12) break;
    }
    auto files = fs.lookup(2, "files");
    if (files.ok()) (void)fs.rename(2, "new_dir", files.value().node, "moved");
  }
  (void)fs.sync();
}

void fuzz(const std::string& type, uint32_t block_size, int iterations, bool write) {
  test::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string tree = dir.file("tree");
  const std::string pristine = dir.file("pristine.img");
  const std::string image = dir.file("disk.img");
  make_tree(tree, 3, 25);
  std::filesystem::remove(tree + "/big.bin");
  std::filesystem::remove(tree + "/sparse");
  {
    std::mt19937 rng(4);
    write_file(tree + "/indirect.bin", random_bytes(rng, 300000));
  }
  ASSERT_TRUE(make_image(pristine, type, block_size, 4, "-N 256 -d " + tree));
  const std::string original = read_host(pristine);
  // The metadata and the first directories and indirect blocks.
  const size_t region = std::min<size_t>(original.size(), size_t{256} * 1024);
  int mounted = 0;
  for (int seed = 0; seed < iterations; ++seed) {
    std::mt19937 rng(1000 + seed);
    std::string bytes = original;
    const int flips = 1 + static_cast<int>(rng() % 24);
    for (int i = 0; i < flips; ++i) {
      const size_t at = 1024 + rng() % (region - 1024);
      bytes[at] = static_cast<char>(rng() % 4 == 0 ? 0xff : rng());
    }
    write_file(image, bytes);
    const bool writable = write && seed % 3 == 0;
    auto m = mount(image, !writable, size_t{64} * 1024);
    if (!m->fs) {
      EXPECT_NE(m->message.text[0], '\0') << "seed " << seed << ": a refusal says why";
      continue;
    }
    ++mounted;
    int budget = 3000;
    walk(*m->fs, m->fs->root(), 0, budget);
    if (writable) {
      mutate(*m->fs, rng);
      budget = 3000;
      walk(*m->fs, m->fs->root(), 0, budget);
    }
  }
  // Most changes hit something the mount does not look at: the walk did the work.
  EXPECT_GT(mounted, iterations / 4);
}

TEST(Ext2FuzzTest, Ext2ImagesWithFlippedBytes) { fuzz("ext2", 1024, 300, /*write=*/true); }

TEST(Ext2FuzzTest, Ext4ImagesWithFlippedBytes) { fuzz("ext4", 1024, 200, /*write=*/false); }

}  // namespace
}  // namespace ext2_test
