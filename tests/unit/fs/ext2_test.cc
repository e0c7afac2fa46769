// The ext2 engine reads what the host's mke2fs makes, exactly, and refuses what it must.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/unit/fs/ext2_helpers.h"

namespace ext2_test {
namespace {

using stellina::abi::kErrCorrupt;
using stellina::abi::kErrNotSupported;
using stellina::abi::kErrReadOnly;

class Ext2ReadTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(Ext2ReadTest, ReadsWhatMke2fsWrote) {
  test::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string tree = dir.file("tree");
  const std::string image = dir.file("disk.img");
  make_tree(tree, GetParam());
  ASSERT_TRUE(make_image(image, "ext2", GetParam(), 64, "-d " + tree));
  ASSERT_EQ(fsck_complaints(image), "");
  auto m = mount(image, /*read_only=*/true);
  ASSERT_TRUE(m->fs) << m->message.text;
  EXPECT_EQ(m->fs->root(), 2u);
  const auto st = m->fs->statfs();
  EXPECT_EQ(st.block_size, GetParam());
  EXPECT_STREQ(st.type, "ext2");
  EXPECT_EQ(st.read_only, 1u);
  EXPECT_GT(compare_tree(*m->fs, m->fs->root(), tree), 200);
  // The sparse file's holes take no space.
  auto sparse = m->fs->lookup(2, "sparse");
  ASSERT_TRUE(sparse.ok());
  EXPECT_LT(sparse.value().blocks * 512, uint64_t{1} << 20);
  // Read-only: nothing changes.
  EXPECT_EQ(m->fs->create(2, "new", stellina::abi::kModeRegular | 0644).error(), kErrReadOnly);
  EXPECT_EQ(m->fs->unlink(2, "empty", false).error(), kErrReadOnly);
  // Errors of the lookups.
  EXPECT_EQ(m->fs->lookup(2, "nothing").error(), stellina::abi::kErrNotFound);
  const InodeId empty = m->fs->lookup(2, "empty").value().node;
  EXPECT_EQ(m->fs->lookup(empty, "x").error(), stellina::abi::kErrNotDirectory);
  EXPECT_EQ(m->fs->read(2, 0, nullptr, 0).error(), stellina::abi::kErrIsDirectory);
  char buffer[8];
  EXPECT_EQ(m->fs->readlink(empty, buffer, 8).error(), stellina::abi::kErrInvalidArgument);
  const InodeId slow = m->fs->lookup(2, "slow_link").value().node;
  EXPECT_EQ(m->fs->readlink(slow, buffer, 8).error(), stellina::abi::kErrBufferTooSmall);
}

INSTANTIATE_TEST_SUITE_P(Ext2, Ext2ReadTest, ::testing::Values(1024u, 2048u, 4096u));

TEST(Ext4ReadTest, ReadsDefaultExt4ReadOnly) {
  test::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string tree = dir.file("tree");
  const std::string image = dir.file("disk.img");
  make_tree(tree, 99, 50);
  // Thousands of entries in one directory (hashed once e2fsck -D has indexed it).
  std::filesystem::create_directories(tree + "/many");
  for (int i = 0; i < 3000; ++i)
    write_file(tree + "/many/entry_with_a_longish_name_" + std::to_string(i), std::to_string(i));
  // Many separate runs of data: more extents than the inode holds, so a tree of depth 1.
  {
    std::ofstream out(tree + "/islands", std::ios::binary);
    std::mt19937 rng(5);
    for (int i = 0; i < 40; ++i) {
      out.seekp(static_cast<std::streamoff>(i) * 65536);
      out << random_bytes(rng, 4096 + i);
    }
  }
  ASSERT_TRUE(make_image(image, "ext4", 4096, 64, "-d " + tree));
  ASSERT_LE(test::run("e2fsck -fyD " + image + " >/dev/null 2>&1"), 1);
  ASSERT_EQ(fsck_complaints(image), "");
  EXPECT_NE(test::output_of("debugfs -R 'ex /islands' " + image + " 2>/dev/null").find(" 1/ 1"),
            std::string::npos)
      << "the file should have an extent tree of depth 1";
  const std::string flags = test::output_of("debugfs -R 'stat /many' " + image +
                                            " 2>/dev/null | grep -o 'Flags: 0x[0-9a-f]*'");
  ASSERT_GT(flags.size(), 9u);
  EXPECT_TRUE(std::stoul(flags.substr(9), nullptr, 16) & 0x1000) << "the directory is hashed";

  auto writable = mount(image, /*read_only=*/false);
  EXPECT_EQ(writable->status, kErrReadOnly);
  EXPECT_TRUE(std::strstr(writable->message.text, "extent") ||
              std::strstr(writable->message.text, "metadata_csum") ||
              std::strstr(writable->message.text, "64bit"))
      << writable->message.text;

  auto m = mount(image, /*read_only=*/true);
  ASSERT_TRUE(m->fs) << m->message.text;
  EXPECT_STREQ(m->fs->statfs().type, "ext4");
  EXPECT_GT(compare_tree(*m->fs, m->fs->root(), tree), 3000);
}

// A copy of a small image with some bytes changed.
class Ext2RefuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir.ok());
    image = dir.file("disk.img");
    ASSERT_TRUE(make_image(image, "ext2", 1024, 4, ""));
  }
  void poke32(uint64_t offset, uint32_t value) {
    std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(reinterpret_cast<const char*>(&value), 4);
  }
  uint32_t peek32(uint64_t offset) {
    std::ifstream f(image, std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    uint32_t v = 0;
    f.read(reinterpret_cast<char*>(&v), 4);
    return v;
  }
  test::TempDir dir;
  std::string image;
};

TEST_F(Ext2RefuseTest, BadSuperblocks) {
  ASSERT_TRUE(mount(image, false)->fs);
  poke32(1024 + 56, 0x1234);  // magic
  EXPECT_EQ(mount(image, true)->status, kErrCorrupt);
  poke32(1024 + 56, 0xef53);
  poke32(1024 + 24, 9);  // block size 512 KiB
  EXPECT_EQ(mount(image, true)->status, kErrCorrupt);
  poke32(1024 + 24, 0);
  const uint32_t blocks = peek32(1024 + 4);
  poke32(1024 + 4, blocks * 4);  // larger than the device
  EXPECT_EQ(mount(image, true)->status, kErrCorrupt);
  poke32(1024 + 4, blocks);
  // The first group's inode table overlapping its block bitmap.
  const uint32_t bitmap = peek32(2048);
  const uint32_t table = peek32(2048 + 8);
  poke32(2048 + 8, bitmap);
  auto m = mount(image, true);
  EXPECT_EQ(m->status, kErrCorrupt);
  EXPECT_STREQ(m->message.text, "metadata blocks overlap");
  poke32(2048 + 8, 0x7fffffff);
  EXPECT_EQ(mount(image, true)->status, kErrCorrupt);
  poke32(2048 + 8, table);
  EXPECT_TRUE(mount(image, true)->fs);
}

// The helper the write tests trust sees damage.
TEST_F(Ext2RefuseTest, FsckHelperSeesDamage) {
  EXPECT_EQ(fsck_complaints(image), "");
  poke32(2048 + 12, peek32(2048 + 12) - 1);  // group 0's free blocks, one off
  EXPECT_NE(fsck_complaints(image), "");
}

TEST_F(Ext2RefuseTest, Features) {
  const uint32_t incompat = peek32(1024 + 96);
  poke32(1024 + 96, incompat | 0x8000);  // inline_data
  auto m = mount(image, true);
  EXPECT_EQ(m->status, kErrNotSupported);
  EXPECT_STREQ(m->message.text, "unsupported feature: inline_data");
  poke32(1024 + 96, incompat | 0x4);  // a journal to replay
  m = mount(image, true);
  EXPECT_EQ(m->status, kErrNotSupported);
  EXPECT_NE(std::strstr(m->message.text, "needs_recovery"), nullptr);
  poke32(1024 + 96, incompat);
  const uint32_t ro_compat = peek32(1024 + 100);
  poke32(1024 + 100, ro_compat | 0x100);  // quota
  m = mount(image, false);
  EXPECT_EQ(m->status, kErrReadOnly);
  EXPECT_STREQ(m->message.text, "read-only feature: quota");
  EXPECT_TRUE(mount(image, true)->fs);
}

}  // namespace
}  // namespace ext2_test
