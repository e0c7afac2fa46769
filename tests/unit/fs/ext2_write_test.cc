// What the ext2 engine writes is what e2fsck accepts without a word and what debugfs reads
// back byte for byte.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/unit/fs/ext2_helpers.h"

namespace test {
extern int64_t fixed_now_ns;  // host_runtime.cc
}  // namespace test

namespace ext2_test {
namespace {

using stellina::abi::kModeDirectory;
using stellina::abi::kModeRegular;
namespace abi = stellina::abi;

lib::StringView sv(const std::string& s) { return {s.data(), s.size()}; }

class Ext2WriteTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir.ok());
    image = dir.file("disk.img");
    ASSERT_TRUE(make_image(image, "ext2", GetParam(), size_mb(), ""));
    remount();
  }
  virtual int size_mb() const { return 16; }
  void remount() {
    m.reset();
    m = mount(image, /*read_only=*/false);
    ASSERT_TRUE(m->fs) << m->message.text;
    fs = m->fs.get();
  }
  // Syncs, then the host's tools check the image: e2fsck finds nothing, and debugfs's
  // copy of the whole tree is what the engine reads.
  void check_on_host() {
    ASSERT_TRUE(fs->sync().ok());
    EXPECT_EQ(fsck_complaints(image), "");
    const std::string out = dir.file("dump" + std::to_string(dumps++));
    ASSERT_EQ(test::run("mkdir " + out + " && debugfs -R 'rdump / " + out + "' " + image +
                        " >/dev/null 2>&1"),
              0);
    compare_tree(*fs, fs->root(), out);
  }
  InodeId make(InodeId parent, const std::string& name, uint32_t mode = kModeRegular | 0644) {
    auto r = fs->create(parent, sv(name), mode);
    EXPECT_TRUE(r.ok()) << name << " " << (r.ok() ? 0 : r.error());
    return r.ok() ? r.value().node : 0;
  }
  void put(InodeId node, uint64_t offset, const std::string& data) {
    auto r = fs->write(node, offset, data.data(), data.size());
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.value(), data.size());
  }
  std::string get(InodeId node) { return read_all(*fs, node, fs->stat(node).value().size); }

  test::TempDir dir;
  std::string image;
  std::unique_ptr<Mount> m;
  FileSystem* fs = nullptr;
  int dumps = 0;
  std::mt19937 rng{1};
};

TEST_P(Ext2WriteTest, FilesGrowShrinkAndGo) {
  const InodeId hello = make(2, "hello");
  put(hello, 0, "hello, world\n");
  EXPECT_EQ(get(hello), "hello, world\n");
  check_on_host();

  // Past the double indirect block with 1 KiB blocks, in uneven pieces.
  std::string model = random_bytes(rng, 2 * 1024 * 1024 + 777);
  const InodeId big = make(2, "big");
  for (size_t at = 0; at < model.size(); at += 40000) put(big, at, model.substr(at, 40000));
  EXPECT_TRUE(get(big) == model);
  EXPECT_EQ(fs->stat(big).value().size, model.size());
  check_on_host();

  // Extend past the end (a hole), shrink into a block, grow again (zeroes).
  put(big, model.size() + 50000, "tail");
  model += std::string(50000, '\0') + "tail";
  EXPECT_TRUE(get(big) == model);
  check_on_host();
  ASSERT_TRUE(fs->truncate(big, 1500).ok());
  model.resize(1500);
  EXPECT_TRUE(get(big) == model);
  check_on_host();
  ASSERT_TRUE(fs->truncate(big, 300000).ok());
  model.resize(300000, '\0');
  EXPECT_TRUE(get(big) == model);
  EXPECT_LE(fs->stat(big).value().blocks * 512, 2048u + 2 * GetParam()) << "grown as a hole";
  put(big, 299990, "0123456789abc");
  model.replace(299990, 10, "0123456789");
  model += "abc";
  EXPECT_TRUE(get(big) == model);
  check_on_host();

  // Overwrite in the middle, then truncate to nothing and delete.
  put(big, 100, "middle");
  model.replace(100, 6, "middle");
  EXPECT_TRUE(get(big) == model);
  ASSERT_TRUE(fs->truncate(big, 0).ok());
  EXPECT_EQ(fs->stat(big).value().blocks, 0u);
  ASSERT_TRUE(fs->unlink(2, "big", false).ok());
  EXPECT_EQ(fs->lookup(2, "big").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->stat(big).error(), abi::kErrNotFound);
  check_on_host();

  // Timestamps.
  ASSERT_TRUE(fs->set_times(hello, 1000000000123ll, 2000000000456ll).ok());
  auto st = fs->stat(hello).value();
  EXPECT_EQ(st.atime_ns, 1000000000123ll);
  EXPECT_EQ(st.mtime_ns, 2000000000456ll);
  ASSERT_TRUE(fs->set_times(hello, abi::kTimeOmit, 3000000000000ll).ok());
  EXPECT_EQ(fs->stat(hello).value().atime_ns, 1000000000123ll);
  EXPECT_EQ(fs->stat(hello).value().mtime_ns, 3000000000000ll);
  ASSERT_TRUE(fs->sync().ok());
  const std::string host_stat =
      test::output_of("debugfs -R 'stat /hello' " + image + " 2>/dev/null");
  EXPECT_NE(host_stat.find("mtime: 0x00000bb8:00000000"), std::string::npos) << host_stat;
  EXPECT_NE(host_stat.find("atime: 0x000003e8:000001ec"), std::string::npos) << host_stat;
  remount();
  EXPECT_EQ(fs->stat(hello).value().mtime_ns, 3000000000000ll);
  EXPECT_EQ(get(hello), "hello, world\n");
  check_on_host();
}

TEST_P(Ext2WriteTest, DirectoriesAndLinks) {
  const InodeId d1 = make(2, "d1", kModeDirectory | 0755);
  const InodeId d2 = make(d1, "d2", kModeDirectory | 0700);
  EXPECT_EQ(fs->stat(2).value().links, 4u);  // ., .., lost+found's .., d1's ..
  EXPECT_EQ(fs->stat(d1).value().links, 3u);
  EXPECT_EQ(fs->stat(d2).value().mode, kModeDirectory | 0700);
  const InodeId f = make(d2, "file");
  put(f, 0, "inside");
  EXPECT_EQ(fs->create(d1, "d2", kModeRegular).error(), abi::kErrExists);
  EXPECT_EQ(fs->create(f, "x", kModeRegular).error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->create(d1, "x", 0020000).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->unlink(d1, "d2", true).error(), abi::kErrNotEmpty);
  EXPECT_EQ(fs->unlink(d1, "d2", false).error(), abi::kErrIsDirectory);
  EXPECT_EQ(fs->unlink(d2, "file", true).error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->unlink(d2, "nothing", false).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->write(d1, 0, "x", 1).error(), abi::kErrIsDirectory);

  auto fast = fs->symlink(d1, "fast", "d2/file");
  ASSERT_TRUE(fast.ok());
  const std::string long_target = std::string(200, 'p') + "/" + std::string(100, 'q');
  auto slow = fs->symlink(d1, "slow", sv(long_target));
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(fast.value().blocks, 0u);
  EXPECT_GT(slow.value().blocks, 0u);
  char target[400];
  EXPECT_EQ(std::string(target, fs->readlink(slow.value().node, target, 400).value()), long_target);
  EXPECT_EQ(fs->symlink(d1, "fast", "x").error(), abi::kErrExists);
  check_on_host();

  ASSERT_TRUE(fs->unlink(d2, "file", false).ok());
  ASSERT_TRUE(fs->unlink(d1, "d2", true).ok());
  EXPECT_EQ(fs->stat(d1).value().links, 2u);
  ASSERT_TRUE(fs->unlink(d1, "slow", false).ok());
  check_on_host();
  ASSERT_TRUE(fs->unlink(d1, "fast", false).ok());
  ASSERT_TRUE(fs->unlink(2, "d1", true).ok());
  EXPECT_EQ(fs->stat(2).value().links, 3u);
  check_on_host();
}

TEST_P(Ext2WriteTest, Renames) {
  const InodeId a = make(2, "a", kModeDirectory | 0755);
  const InodeId b = make(2, "b", kModeDirectory | 0755);
  const InodeId x = make(a, "x");
  put(x, 0, "x data");
  const InodeId y = make(a, "y");
  put(y, 0, std::string(5000, 'y'));
  // A file over a file, in one directory.
  ASSERT_TRUE(fs->rename(a, "x", a, "y").ok());
  EXPECT_EQ(fs->lookup(a, "y").value().node, x);
  EXPECT_EQ(fs->lookup(a, "x").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->stat(y).error(), abi::kErrNotFound);
  // Across directories, under a new name.
  ASSERT_TRUE(fs->rename(a, "y", b, "z").ok());
  EXPECT_EQ(get(fs->lookup(b, "z").value().node), "x data");
  check_on_host();

  // A directory moves: its '..' and both parents' link counts follow.
  const InodeId sub = make(a, "sub", kModeDirectory | 0755);
  make(sub, "leaf");
  EXPECT_EQ(fs->stat(a).value().links, 3u);
  ASSERT_TRUE(fs->rename(a, "sub", b, "sub2").ok());
  EXPECT_EQ(fs->stat(a).value().links, 2u);
  EXPECT_EQ(fs->stat(b).value().links, 3u);
  EXPECT_EQ(fs->lookup(sub, "..").value().node, b);
  check_on_host();

  // Over an empty directory; refused over a full one, a file, or into itself.
  const InodeId empty = make(a, "empty", kModeDirectory | 0755);
  make(a, "file");
  EXPECT_EQ(fs->rename(b, "sub2", a, "file").error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->rename(a, "file", b, "sub2").error(), abi::kErrIsDirectory);
  EXPECT_EQ(fs->rename(2, "b", sub, "inside").error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->rename(2, "a", a, "self").error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->rename(a, "empty", b, "sub2").error(), abi::kErrNotEmpty);
  EXPECT_EQ(fs->rename(a, "nothing", b, "q").error(), abi::kErrNotFound);
  ASSERT_TRUE(fs->rename(b, "sub2", a, "empty").ok());
  EXPECT_EQ(fs->stat(empty).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(a, "empty").value().node, sub);
  EXPECT_EQ(fs->stat(a).value().links, 3u);
  EXPECT_EQ(fs->stat(b).value().links, 2u);
  EXPECT_EQ(fs->lookup(sub, "..").value().node, a);
  ASSERT_TRUE(fs->rename(a, "empty", a, "empty").ok());
  check_on_host();
  remount();
  check_on_host();
}

TEST_P(Ext2WriteTest, ThousandsOfEntries) {
  const InodeId d = make(2, "many", kModeDirectory | 0755);
  constexpr int kCount = 3000;
  for (int i = 0; i < kCount; ++i) {
    const std::string name = "a_file_with_a_long_name_number_" + std::to_string(i);
    make(d, name);
  }
  auto listed = list(*fs, d, 100);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed.value().size(), size_t{kCount});
  EXPECT_GT(fs->stat(d).value().size, 20u * GetParam());
  check_on_host();
  for (int i = 0; i < kCount; i += 2) {
    ASSERT_TRUE(
        fs->unlink(d, sv("a_file_with_a_long_name_number_" + std::to_string(i)), false).ok());
  }
  check_on_host();
  for (int i = 1; i < kCount; i += 2) {
    ASSERT_TRUE(
        fs->unlink(d, sv("a_file_with_a_long_name_number_" + std::to_string(i)), false).ok());
  }
  EXPECT_TRUE(list(*fs, d).value().empty());
  check_on_host();
  ASSERT_TRUE(fs->unlink(2, "many", true).ok());
  check_on_host();
}

TEST_P(Ext2WriteTest, FillsTheDiskExactly) {
  const auto before = fs->statfs();
  const InodeId f = make(2, "filler");
  const std::string chunk = random_bytes(rng, 65536 + 100);
  uint64_t at = 0;
  for (int i = 0; i < 100000; ++i) {
    auto r = fs->write(f, at, chunk.data(), chunk.size());
    if (!r.ok()) {
      EXPECT_EQ(r.error(), abi::kErrNoSpace);
      break;
    }
    at += r.value();
    if (r.value() < chunk.size()) {
      EXPECT_EQ(fs->write(f, at, chunk.data(), chunk.size()).error(), abi::kErrNoSpace);
      break;
    }
  }
  EXPECT_EQ(fs->statfs().free_blocks, 0u);
  EXPECT_EQ(fs->stat(f).value().size, at);
  // A directory that needs a new block cannot grow.
  std::string name(250, 'n');
  abi::Status status = abi::kOk;
  for (int i = 0; i < 200 && status == abi::kOk; ++i) {
    name[0] = static_cast<char>('A' + i % 26);
    name[1] = static_cast<char>('A' + i / 26);
    auto r = fs->create(2, sv(name), kModeRegular | 0644);
    status = r.ok() ? abi::kOk : r.error();
  }
  EXPECT_EQ(status, abi::kErrNoSpace);
  check_on_host();
  EXPECT_NE(test::output_of("dumpe2fs -h " + image + " 2>/dev/null")
                .find("Free blocks:              0\n"),
            std::string::npos);
  ASSERT_TRUE(fs->unlink(2, "filler", false).ok());
  EXPECT_GT(fs->statfs().free_blocks, before.free_blocks - 20);
  check_on_host();
}

// Large writes go to the device in runs of blocks, past the cache, and stay coherent with
// blocks the cache holds dirty.
TEST_P(Ext2WriteTest, LargeWritesGoInRuns) {
  const InodeId f = make(2, "large");
  put(f, 5 * GetParam() + 10, "cached first");  // a dirty block the large write covers
  std::string model = random_bytes(rng, (4 << 20) + 100);
  const uint64_t writes_before = m->device->writes;
  for (size_t at = 0; at < model.size(); at += 1 << 20) put(f, at, model.substr(at, 1 << 20));
  const uint64_t blocks = model.size() / GetParam();
  EXPECT_LT(m->device->writes - writes_before, blocks / 8) << "written block by block";
  EXPECT_TRUE(get(f) == model);
  check_on_host();
  // A small write through the cache into the middle, then a large one over it again.
  put(f, 3 * GetParam() + 1, "small");
  model.replace(3 * GetParam() + 1, 5, "small");
  EXPECT_TRUE(get(f) == model);
  const std::string again = random_bytes(rng, size_t{16} * GetParam());
  put(f, GetParam(), again);
  model.replace(GetParam(), again.size(), again);
  EXPECT_TRUE(get(f) == model);
  check_on_host();
  remount();
  EXPECT_TRUE(get(f) == model);
}

INSTANTIATE_TEST_SUITE_P(Ext2, Ext2WriteTest, ::testing::Values(1024u, 2048u, 4096u));

TEST(Ext2TripleIndirectTest, SparseFileNear70MiB) {
  test::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string image = dir.file("disk.img");
  ASSERT_TRUE(make_image(image, "ext2", 1024, 8, ""));
  auto m = mount(image, false);
  ASSERT_TRUE(m->fs) << m->message.text;
  FileSystem& fs = *m->fs;
  const uint64_t free_before = fs.statfs().free_blocks;
  const InodeId f = fs.create(2, "sparse", kModeRegular | 0644).value().node;
  const std::string data = "far out, past the triple indirect block";
  constexpr uint64_t kAt = 70ull << 20;
  ASSERT_EQ(fs.write(f, kAt, data.data(), data.size()).value(), data.size());
  ASSERT_EQ(fs.write(f, 5000, "near", 4).value(), 4u);
  // One data block and three indirect ones far out, one near: little space.
  EXPECT_EQ(free_before - fs.statfs().free_blocks, 5u);
  char back[64] = {};
  ASSERT_EQ(fs.read(f, kAt - 3, back, sizeof(back)).value(), data.size() + 3);
  EXPECT_EQ(std::string(back, 3), std::string(3, '\0'));
  EXPECT_EQ(std::string(back + 3, data.size()), data);
  ASSERT_TRUE(fs.sync().ok());
  EXPECT_EQ(fsck_complaints(image), "");
  const std::string dumped = dir.file("dumped");
  ASSERT_EQ(test::run("debugfs -R 'dump /sparse " + dumped + "' " + image + " >/dev/null 2>&1"), 0);
  const std::string host = read_host(dumped);
  ASSERT_EQ(host.size(), kAt + data.size());
  EXPECT_EQ(host.substr(kAt), data);
  EXPECT_EQ(host.substr(5000, 4), "near");
  // Shrinking frees the triple indirect tree, and the holes made no blocks.
  ASSERT_TRUE(fs.truncate(f, 6000).ok());
  EXPECT_EQ(free_before - fs.statfs().free_blocks, 1u);
  ASSERT_TRUE(fs.sync().ok());
  EXPECT_EQ(fsck_complaints(image), "");
  ASSERT_TRUE(fs.unlink(2, "sparse", false).ok());
  EXPECT_EQ(fs.statfs().free_blocks, free_before);
  ASSERT_TRUE(fs.sync().ok());
  EXPECT_EQ(fsck_complaints(image), "");
}

TEST(Ext2WriteInteropTest, ChangesAnImageMke2fsFilled) {
  test::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string tree = dir.file("tree");
  const std::string image = dir.file("disk.img");
  make_tree(tree, 7, 100);
  ASSERT_TRUE(make_image(image, "ext2", 4096, 64, "-d " + tree));
  {
    auto m = mount(image, false);
    ASSERT_TRUE(m->fs) << m->message.text;
    FileSystem& fs = *m->fs;
    const InodeId files = fs.lookup(2, "files").value().node;
    for (int i = 0; i < 100; i += 3)
      ASSERT_TRUE(fs.unlink(files, sv("f" + std::to_string(i)), false).ok());
    ASSERT_TRUE(fs.rename(2, "a", files, "a_moved").ok());
    ASSERT_TRUE(fs.truncate(fs.lookup(2, "big.bin").value().node, 100000).ok());
    ASSERT_TRUE(fs.unlink(2, "sparse", false).ok());
    ASSERT_TRUE(fs.sync().ok());
  }
  EXPECT_EQ(fsck_complaints(image), "");
  for (int i = 0; i < 100; i += 3) std::filesystem::remove(tree + "/files/f" + std::to_string(i));
  std::filesystem::rename(tree + "/a", tree + "/files/a_moved");
  std::filesystem::resize_file(tree + "/big.bin", 100000);
  std::filesystem::remove(tree + "/sparse");
  auto m = mount(image, true);
  ASSERT_TRUE(m->fs);
  EXPECT_GT(compare_tree(*m->fs, 2, tree), 50);
}

// A machine whose clock reads the epoch (no wall clock yet) still deletes files e2fsck
// sees as deleted: a dtime of 0 would read as an inode in use.
TEST(Ext2Clock, DeletesAtTheEpochStayDeleted) {
  test::TempDir dir;
  const std::string image = dir.file("disk.img");
  ASSERT_TRUE(make_image(image, "ext2", 1024, 4, ""));
  {
    auto m = mount(image, /*read_only=*/false);
    ASSERT_TRUE(m->fs) << m->message.text;
    test::fixed_now_ns = 0;
    const auto st = m->fs->create(m->fs->root(), "f", kModeRegular | 0644);
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(m->fs->unlink(m->fs->root(), "f", false).ok());
    ASSERT_TRUE(m->fs->sync().ok());
    test::fixed_now_ns = -1;
  }
  EXPECT_EQ(fsck_complaints(image), "");
}

}  // namespace
}  // namespace ext2_test
