// The FAT engine on images it must not trust: bad boot sectors are refused at mount, bad
// chains and directories give kErrCorrupt where they are met, and a deterministic fuzz-lite
// pass flips bytes in the boot sector, the FAT and the root directory and walks whatever
// mounts, with no crash (ASan, UBSan) and no endless loop.
#include <gtest/gtest.h>

#include "tests/unit/fs/fat_test_util.h"

namespace stellina::fs::fat_test {
namespace {

void patch(const std::string& image, uint64_t offset, const std::vector<uint8_t>& bytes) {
  std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}
std::vector<uint8_t> peek(const std::string& image, uint64_t offset, size_t size) {
  std::vector<uint8_t> bytes(size);
  std::ifstream f(image, std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  f.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  return bytes;
}
std::vector<uint8_t> le16(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8)}; }
std::vector<uint8_t> le32(uint32_t v) {
  return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
}

// Where a node's directory entry is in the image (fat.h: bits 0..35 are its offset / 32).
uint64_t entry_offset(InodeId node) { return (node & ((uint64_t{1} << 36) - 1)) * 32; }

class FatCorrupt : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir.ok()); }
  test::TempDir dir;
};

TEST_F(FatCorrupt, RefusesBadBootSectors) {
  const std::string good = dir.file("good.img");
  ASSERT_TRUE(make_image(good, 16, 32));
  struct Case {
    const char* what;
    uint64_t offset;
    std::vector<uint8_t> bytes;
    Status status;
  };
  const Case cases[] = {
      {"bytes per sector 1000", 11, le16(1000), abi::kErrCorrupt},
      {"bytes per sector 256", 11, le16(256), abi::kErrCorrupt},
      {"sectors per cluster 3", 13, {3}, abi::kErrCorrupt},
      {"sectors per cluster 0", 13, {0}, abi::kErrCorrupt},
      {"no reserved sectors", 14, le16(0), abi::kErrCorrupt},
      {"zero FATs", 16, {0}, abi::kErrCorrupt},
      {"no root entries", 17, le16(0), abi::kErrCorrupt},
      {"past the disk", 32, le32(200000), abi::kErrCorrupt},
      {"FAT size 0", 22, le16(0), abi::kErrCorrupt},
      {"FAT too small", 22, le16(2), abi::kErrCorrupt},
      {"huge FAT", 22, le16(0xFFFF), abi::kErrCorrupt},
      {"no signature", 510, {0, 0}, abi::kErrCorrupt},
  };
  for (const Case& c : cases) {
    const std::string image = dir.file("bad.img");
    std::string copy = "cp " + good;
    copy += " " + image;
    ASSERT_EQ(test::run(copy), 0);
    patch(image, c.offset, c.bytes);
    Mount m(image);
    EXPECT_FALSE(m.ok()) << c.what;
    EXPECT_EQ(m.status, c.status) << c.what;
    EXPECT_NE(m.message.text[0], '\0') << c.what;
  }
  const std::string small = dir.file("fat12.img");
  ASSERT_TRUE(make_image(small, 12, 2));
  Mount fat12(small);
  EXPECT_EQ(fat12.status, abi::kErrNotSupported);
  EXPECT_STREQ(fat12.message.text, "FAT12 is not supported");
  Mount good_mount(good);
  EXPECT_TRUE(good_mount.ok());
}

class FatBadChain : public FatCorrupt {
 protected:
  void SetUp() override {
    FatCorrupt::SetUp();
    image = dir.file("disk.img");
    ASSERT_TRUE(make_image(image, 32, 64));
    Mount m(image);
    ASSERT_TRUE(m.ok());
    file = m->create(m->root(), "victim.bin", abi::kModeRegular | 0644).value().node;
    ASSERT_TRUE(write_all(*m.fs, file, 0, std::string(5000, 'v')).ok());  // 10 clusters
    ASSERT_TRUE(m->sync().ok());
    const auto e = peek(image, entry_offset(file), 32);
    first = e[26] | (e[27] << 8) | (e[20] << 16) | (e[21] << 24);
    fat = static_cast<uint64_t>(peek(image, 14, 2)[0] | (peek(image, 14, 2)[1] << 8)) * 512;
  }
  void set_fat(uint32_t cluster, uint32_t value) {
    patch(image, fat + uint64_t{cluster} * 4, le32(value));
  }
  // Read, truncate and unlink all refuse the file or finish: none hangs or crashes.
  void expect_corrupt() {
    Mount m(image);
    ASSERT_TRUE(m.ok());
    char buffer[6000];
    EXPECT_EQ(m->read(file, 0, buffer, sizeof(buffer)).error(), abi::kErrCorrupt);
    EXPECT_EQ(m->write(file, 10000, "x", 1).error(), abi::kErrCorrupt);
    (void)m->truncate(file, 100);
    (void)m->unlink(m->root(), "victim.bin", false);
  }
  std::string image;
  InodeId file = 0;
  uint32_t first = 0;
  uint64_t fat = 0;
};

TEST_F(FatBadChain, Loop) {
  set_fat(first + 5, first + 1);
  expect_corrupt();
}
TEST_F(FatBadChain, LinkToAFreeCluster) {
  set_fat(first + 3, 0);
  expect_corrupt();
}
TEST_F(FatBadChain, LinkOutOfRange) {
  set_fat(first + 3, 0x0FFFFF00);
  expect_corrupt();
}
TEST_F(FatBadChain, LinkToReservedCluster) {
  set_fat(first, 1);
  expect_corrupt();
}
TEST_F(FatBadChain, SizePastTheChain) {
  patch(image, entry_offset(file) + 28, le32(50000));
  Mount m(image);
  ASSERT_TRUE(m.ok());
  char buffer[100];
  EXPECT_EQ(m->read(file, 0, buffer, sizeof(buffer)).error(), abi::kErrCorrupt);
}

TEST_F(FatCorrupt, DirectoryLoop) {
  const std::string image = dir.file("loop.img");
  ASSERT_TRUE(make_image(image, 32, 64));
  InodeId inner = 0;
  std::vector<uint8_t> outer_cluster;
  {
    Mount m(image);
    ASSERT_TRUE(m.ok());
    const InodeId outer = m->create(m->root(), "outer", abi::kModeDirectory | 0755).value().node;
    inner = m->create(outer, "inner", abi::kModeDirectory | 0755).value().node;
    ASSERT_TRUE(m->sync().ok());
    const auto e = peek(image, entry_offset(outer), 32);
    outer_cluster = {e[20], e[21], e[26], e[27]};
  }
  // inner now names outer's cluster: outer/inner/inner/... would never end.
  patch(image, entry_offset(inner) + 20, {outer_cluster[0], outer_cluster[1]});
  patch(image, entry_offset(inner) + 26, {outer_cluster[2], outer_cluster[3]});
  Mount m(image);
  ASSERT_TRUE(m.ok());
  const InodeId outer = m->lookup(m->root(), "outer").value().node;
  const FileStat st = m->lookup(outer, "inner").value();
  Collect c;
  EXPECT_EQ(m->readdir(st.node, 0, c).error(), abi::kErrCorrupt);
  EXPECT_EQ(m->lookup(st.node, "inner").error(), abi::kErrCorrupt);
}

// Walks everything reachable, reading every file; returns how many nodes it saw.
size_t walk(FileSystem& fs) {
  size_t seen = 0;
  std::vector<std::pair<InodeId, int>> stack{{fs.root(), 0}};
  std::vector<char> buffer(65536);
  while (!stack.empty()) {
    auto [dir, depth] = stack.back();
    stack.pop_back();
    EXPECT_LT(depth, 64) << "a directory loop was followed";
    if (depth >= 64) return seen;
    Collect c;
    if (!fs.readdir(dir, 0, c).ok()) continue;
    for (const auto& [name, listed] : c.entries) {
      ++seen;
      (void)fs.lookup(dir, sv(name));
      if (listed.mode == abi::kModeDirectory) {
        stack.push_back({listed.node, depth + 1});
        continue;
      }
      auto st = fs.stat(listed.node);
      if (!st.ok()) continue;
      for (uint64_t at = 0; at < st.value().size; at += buffer.size()) {
        auto n = fs.read(listed.node, at, buffer.data(), buffer.size());
        if (!n.ok() || n.value() == 0) break;
      }
    }
  }
  return seen;
}

// A small image with a tree in it, made by the engine.
void populate(const std::string& image) {
  Mount m(image);
  ASSERT_TRUE(m.ok());
  std::mt19937 rng(5);
  InodeId dir = m->root();
  for (int i = 0; i < 40; ++i) {
    const std::string name = "File with a Long Name " + std::to_string(i) + ".dat";
    const InodeId f = m->create(dir, sv(name), abi::kModeRegular | 0644).value().node;
    ASSERT_TRUE(write_all(*m.fs, f, 0, random_bytes(rng, rng() % 9000)).ok());
    if (i % 8 == 7)
      dir = m->create(dir, sv("Sub " + std::to_string(i)), abi::kModeDirectory | 0755).value().node;
  }
  ASSERT_TRUE(m->sync().ok());
}

void fuzz(const std::string& base, int bits, uint32_t seed, int iterations, bool writes) {
  std::ifstream in(base, std::ios::binary);
  const std::string original((std::istreambuf_iterator<char>(in)), {});
  const uint32_t reserved = peek(base, 14, 2)[0] | (peek(base, 14, 2)[1] << 8);
  const uint32_t fats = peek(base, 16, 1)[0];
  const auto fat_size16 = peek(base, 22, 2);
  const auto fat_size32 = peek(base, 36, 4);
  const uint32_t fat_sectors = bits == 16
                                   ? fat_size16[0] | (fat_size16[1] << 8)
                                   : fat_size32[0] | (fat_size32[1] << 8) | (fat_size32[2] << 16);
  // The root directory: FAT16's fixed one, or FAT32's first cluster (cluster 2 here).
  const uint64_t root = uint64_t{reserved + fats * fat_sectors} * 512;
  const std::string work = base + ".work";
  std::mt19937 rng(seed);
  size_t mounted = 0;
  size_t nodes = 0;
  for (int i = 0; i < iterations; ++i) {
    {
      std::ofstream out(work, std::ios::binary | std::ios::trunc);
      out << original;
    }
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < flips; ++k) {
      uint64_t offset = 0;
      switch (rng() % 4) {
        case 0: offset = rng() % 96; break;                               // the BPB
        case 1: offset = uint64_t{reserved} * 512 + rng() % 2048; break;  // FAT entries in use
        default: offset = root + rng() % 4096; break;                     // the root directory
      }
      const uint8_t value =
          static_cast<uint8_t>(rng() % 2 ? rng() : original[offset] ^ (1u << (rng() % 8)));
      patch(work, offset, {value});
    }
    Mount m(work, /*read_only=*/!writes);
    if (!m.ok()) continue;
    ++mounted;
    nodes += walk(*m.fs);
    if (writes) {
      // Changes on a damaged image: errors are fine, crashes and hangs are not.
      auto f = m->create(m->root(), "fuzz new file.txt", abi::kModeRegular | 0644);
      if (f.ok()) (void)write_all(*m.fs, f.value().node, 100, std::string(20000, 'z'));
      (void)m->create(m->root(), "fuzz dir", abi::kModeDirectory | 0755);
      Collect c;
      if (m->readdir(m->root(), 0, c).ok()) {
        for (const auto& [name, listed] : c.entries) {
          if (listed.mode == abi::kModeDirectory) {
            (void)m->rename(m->root(), sv(name), m->root(), "renamed dir");
          } else {
            (void)m->truncate(listed.node, 3);
            (void)m->unlink(m->root(), sv(name), false);
          }
        }
      }
      (void)m->sync();
      walk(*m.fs);
    }
  }
  // The flips did not just break every mount: trees were walked.
  EXPECT_GT(mounted, size_t(iterations) / 4);
  EXPECT_GT(nodes, mounted * 10);
  std::printf("fuzz seed %u: %zu of %d damaged images mounted, %zu nodes walked\n", seed, mounted,
              iterations, nodes);
}

TEST_F(FatCorrupt, FuzzLiteFat16) {
  const std::string image = dir.file("fuzz16.img");
  ASSERT_TRUE(make_image(image, 16, 4, "-s 1"));
  populate(image);
  fuzz(image, 16, 1, 200, false);
  fuzz(image, 16, 2, 100, true);
}

TEST_F(FatCorrupt, FuzzLiteFat32) {
  const std::string image = dir.file("fuzz32.img");
  ASSERT_TRUE(make_image(image, 32, 34, "-s 1"));
  populate(image);
  fuzz(image, 32, 3, 150, false);
  fuzz(image, 32, 4, 30, true);
}

}  // namespace
}  // namespace stellina::fs::fat_test
