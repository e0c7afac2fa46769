#include "servers/fs/ramfs/ramfs.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "servers/fs/core/memory.h"

namespace stellina::fs {
namespace {

using abi::kModeDirectory;
using abi::kModeRegular;
using abi::kModeSymlink;

struct Destroy {
  void operator()(FileSystem* f) const { destroy(f); }
};
using Owned = std::unique_ptr<FileSystem, Destroy>;

Owned make(uint64_t limit = uint64_t{64} << 20) {
  auto made = make_ramfs(limit);
  EXPECT_TRUE(made.ok());
  return Owned(made.ok() ? made.value() : nullptr);
}

// Collects ReadDir entries, taking at most `room` per call.
class Collect final : public DirVisitor {
 public:
  explicit Collect(size_t room = SIZE_MAX) : room_(room) {}
  bool visit(InodeId node, uint32_t type_mode, lib::StringView name, uint64_t next) override {
    if (taken_ == room_) return false;
    ++taken_;
    names.emplace_back(name.data(), name.size());
    nodes.push_back(node);
    types.push_back(type_mode);
    cursors.push_back(next);
    return true;
  }
  void reset() { taken_ = 0; }
  std::vector<std::string> names;
  std::vector<InodeId> nodes;
  std::vector<uint32_t> types;
  std::vector<uint64_t> cursors;

 private:
  size_t room_;
  size_t taken_ = 0;
};

std::vector<std::string> list(FileSystem& fs, InodeId dir) {
  Collect c;
  EXPECT_EQ(fs.readdir(dir, 0, c).value(), 0u);
  return c.names;
}

FileStat make_file(FileSystem& fs, InodeId dir, const char* name) {
  return fs.create(dir, name, kModeRegular | 0644).value();
}
FileStat make_dir(FileSystem& fs, InodeId dir, const char* name) {
  return fs.create(dir, name, kModeDirectory | 0755).value();
}

std::string read_all(FileSystem& fs, InodeId node) {
  const uint64_t size = fs.stat(node).value().size;
  std::string out(size, '\0');
  EXPECT_EQ(fs.read(node, 0, out.data(), size).value(), size);
  return out;
}

TEST(Ramfs, EmptyFileSystem) {
  Owned fs = make(uint64_t{1} << 20);
  const FileSystemStat s = fs->statfs();
  EXPECT_STREQ(s.type, "ramfs");
  EXPECT_EQ(s.root, fs->root());
  EXPECT_EQ(s.block_size, 4096u);
  EXPECT_EQ(s.blocks, 256u);
  EXPECT_EQ(s.free_blocks, (uint64_t{1} << 20) / 4096 - 1);  // the root's inode, rounded up
  EXPECT_EQ(s.read_only, 0u);
  EXPECT_EQ(s.max_name, abi::kFileMaxName);
  const FileStat root = fs->stat(fs->root()).value();
  EXPECT_EQ(root.mode & abi::kModeTypeMask, kModeDirectory);
  EXPECT_EQ(root.links, 2u);
  EXPECT_EQ(root.size, 0u);
  EXPECT_GT(root.mtime_ns, 0);
  EXPECT_TRUE(list(*fs, fs->root()).empty());
  EXPECT_EQ(ramfs_used_bytes(*fs), ramfs::kInodeCost);
  EXPECT_TRUE(fs->sync().ok());
}

TEST(Ramfs, LimitTooSmallForTheRoot) {
  EXPECT_EQ(make_ramfs(ramfs::kInodeCost - 1).error(), abi::kErrNoSpace);
}

TEST(Ramfs, CreateAndLookup) {
  Owned fs = make();
  const InodeId root = fs->root();
  const FileStat f = make_file(*fs, root, "a");
  EXPECT_EQ(f.mode, kModeRegular | 0644);
  EXPECT_EQ(f.links, 1u);
  EXPECT_EQ(f.size, 0u);
  const FileStat d = make_dir(*fs, root, "d");
  EXPECT_EQ(d.mode, kModeDirectory | 0755);
  EXPECT_EQ(d.links, 2u);
  EXPECT_EQ(fs->stat(root).value().links, 3u);  // d's ".."
  EXPECT_NE(f.node, d.node);
  EXPECT_EQ(fs->lookup(root, "a").value().node, f.node);
  EXPECT_EQ(fs->lookup(root, "d").value().node, d.node);
  EXPECT_EQ(fs->stat(root).value().size, 2u);

  EXPECT_EQ(fs->create(root, "a", kModeRegular | 0644).error(), abi::kErrExists);
  EXPECT_EQ(fs->create(root, "a", kModeDirectory | 0755).error(), abi::kErrExists);
  EXPECT_EQ(fs->create(f.node, "x", kModeRegular).error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->create(root, "s", kModeSymlink | 0777).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->create(root, "z", 0644).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->create(12345, "x", kModeRegular).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(root, "missing").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(f.node, "a").error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->lookup(777, "a").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->stat(777).error(), abi::kErrNotFound);
  const std::string long_name(abi::kFileMaxName + 1, 'n');
  EXPECT_EQ(
      fs->create(root, lib::StringView(long_name.data(), long_name.size()), kModeRegular).error(),
      abi::kErrNameTooLong);
  const std::string longest(abi::kFileMaxName, 'n');
  EXPECT_TRUE(fs->create(root, lib::StringView(longest.data(), longest.size()), kModeRegular).ok());
  EXPECT_EQ(fs->create(root, "a/b", kModeRegular).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->create(root, "..", kModeDirectory).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->create(root, "", kModeRegular).error(), abi::kErrInvalidArgument);

  // Names are bytes: case matters, and a prefix is another name.
  EXPECT_TRUE(fs->create(root, "A", kModeRegular).ok());
  EXPECT_EQ(fs->lookup(root, "A").value().node, fs->lookup(root, "A").value().node);
  EXPECT_NE(fs->lookup(root, "A").value().node, f.node);
  EXPECT_EQ(fs->lookup(root, "a2").error(), abi::kErrNotFound);
}

TEST(Ramfs, InodeNumbersAreNeverReused) {
  Owned fs = make();
  std::set<InodeId> seen{fs->root()};
  for (int i = 0; i < 100; ++i) {
    const FileStat f = make_file(*fs, fs->root(), "f");
    EXPECT_TRUE(seen.insert(f.node).second);
    ASSERT_TRUE(fs->unlink(fs->root(), "f", false).ok());
  }
}

TEST(Ramfs, WriteAndRead) {
  Owned fs = make();
  const InodeId f = make_file(*fs, fs->root(), "f").node;
  EXPECT_EQ(fs->write(f, 0, "hello", 5).value(), 5u);
  EXPECT_EQ(fs->write(f, 5, " world", 6).value(), 6u);
  EXPECT_EQ(read_all(*fs, f), "hello world");
  char buffer[16] = {};
  EXPECT_EQ(fs->read(f, 6, buffer, sizeof(buffer)).value(), 5u);  // fewer at the end
  EXPECT_EQ(std::string(buffer, 5), "world");
  EXPECT_EQ(fs->read(f, 11, buffer, 4).value(), 0u);    // at the end
  EXPECT_EQ(fs->read(f, 1000, buffer, 4).value(), 0u);  // past it
  EXPECT_EQ(fs->write(f, 3, "LL", 2).value(), 2u);      // overwrite in place
  EXPECT_EQ(read_all(*fs, f), "helLL world");
  EXPECT_EQ(fs->write(f, 0, "", 0).value(), 0u);
  EXPECT_EQ(fs->stat(f).value().size, 11u);
  EXPECT_EQ(fs->stat(f).value().blocks, 8u);

  // Across page boundaries.
  std::vector<uint8_t> big(3 * 4096 + 100);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7);
  EXPECT_EQ(fs->write(f, 4000, big.data(), big.size()).value(), big.size());
  std::vector<uint8_t> back(big.size());
  EXPECT_EQ(fs->read(f, 4000, back.data(), back.size()).value(), big.size());
  EXPECT_EQ(back, big);
  EXPECT_EQ(fs->stat(f).value().size, 4000 + big.size());

  const InodeId d = make_dir(*fs, fs->root(), "d").node;
  EXPECT_EQ(fs->write(d, 0, "x", 1).error(), abi::kErrIsDirectory);
  EXPECT_EQ(fs->read(d, 0, buffer, 1).error(), abi::kErrIsDirectory);
  EXPECT_EQ(fs->write(999, 0, "x", 1).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->write(f, ramfs::kMaxFileSize, "x", 1).error(), abi::kErrTooLarge);
  EXPECT_EQ(fs->write(f, ramfs::kMaxFileSize - 1, "xy", 2).error(), abi::kErrTooLarge);
  EXPECT_EQ(fs->write(f, UINT64_MAX, "x", 1).error(), abi::kErrTooLarge);
  const InodeId s = fs->symlink(fs->root(), "s", "f").value().node;
  EXPECT_EQ(fs->write(s, 0, "x", 1).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->read(s, 0, buffer, 1).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->truncate(s, 0).error(), abi::kErrInvalidArgument);
}

TEST(Ramfs, SparseFilesAllocateOnlyWhatIsWritten) {
  Owned fs = make(uint64_t{1} << 20);  // far less than the file's size
  const uint64_t start = ramfs_used_bytes(*fs);
  const InodeId f = make_file(*fs, fs->root(), "sparse").node;
  const uint64_t empty = ramfs_used_bytes(*fs);
  const uint64_t far = ramfs::kMaxFileSize - 10;
  EXPECT_EQ(fs->write(f, far, "0123456789", 10).value(), 10u);
  EXPECT_EQ(fs->write(f, 0, "head", 4).value(), 4u);
  const FileStat s = fs->stat(f).value();
  EXPECT_EQ(s.size, ramfs::kMaxFileSize);
  // Two data pages and the tree's nodes down to them: a handful of pages, not 2^28.
  EXPECT_LE(s.blocks, 16u * 8);
  EXPECT_GE(s.blocks, 2u * 8);
  EXPECT_EQ(ramfs_used_bytes(*fs) - empty, s.blocks * 512);

  char buffer[8192];
  std::memset(buffer, 0x55, sizeof(buffer));
  EXPECT_EQ(fs->read(f, uint64_t{1} << 30, buffer, sizeof(buffer)).value(), sizeof(buffer));
  for (const char c : buffer) ASSERT_EQ(c, 0);  // a hole reads as zeroes
  EXPECT_EQ(fs->read(f, 0, buffer, 8).value(), 8u);
  EXPECT_EQ(std::memcmp(buffer, "head\0\0\0\0", 8), 0);
  EXPECT_EQ(fs->read(f, far - 2, buffer, 100).value(), 12u);
  EXPECT_EQ(std::memcmp(buffer,
                        "\0\0"
                        "0123456789",
                        12),
            0);

  // Truncating frees the pages past the new end, and the nodes left empty.
  ASSERT_TRUE(fs->truncate(f, 4096).ok());
  EXPECT_EQ(fs->stat(f).value().blocks, 8u);
  EXPECT_EQ(ramfs_used_bytes(*fs) - empty, 4096u);
  ASSERT_TRUE(fs->unlink(fs->root(), "sparse", false).ok());
  EXPECT_EQ(ramfs_used_bytes(*fs), start);
}

TEST(Ramfs, Truncate) {
  Owned fs = make();
  const InodeId f = make_file(*fs, fs->root(), "f").node;
  std::vector<char> data(10000, 'x');
  ASSERT_EQ(fs->write(f, 0, data.data(), data.size()).value(), data.size());
  EXPECT_EQ(fs->stat(f).value().blocks, 4u * 8);  // three pages and the tree's node
  ASSERT_TRUE(fs->truncate(f, 5000).ok());
  EXPECT_EQ(fs->stat(f).value().size, 5000u);
  EXPECT_EQ(fs->stat(f).value().blocks, 3u * 8);
  // Growing again: what was cut reads as zeroes, in the page kept and beyond it.
  ASSERT_TRUE(fs->truncate(f, 9000).ok());
  EXPECT_EQ(fs->stat(f).value().blocks, 3u * 8);  // growing allocates nothing
  const std::string all = read_all(*fs, f);
  EXPECT_EQ(all.substr(0, 5000), std::string(5000, 'x'));
  EXPECT_EQ(all.substr(5000), std::string(4000, '\0'));
  ASSERT_TRUE(fs->truncate(f, 4096).ok());
  EXPECT_EQ(fs->stat(f).value().blocks, 8u);  // one page needs no node
  ASSERT_TRUE(fs->truncate(f, 0).ok());
  EXPECT_EQ(fs->stat(f).value().blocks, 0u);
  ASSERT_TRUE(fs->truncate(f, 1).ok());
  EXPECT_EQ(read_all(*fs, f), std::string(1, '\0'));
  EXPECT_EQ(fs->truncate(f, ramfs::kMaxFileSize + 1).error(), abi::kErrTooLarge);
  EXPECT_EQ(fs->truncate(fs->root(), 0).error(), abi::kErrIsDirectory);
  EXPECT_EQ(fs->truncate(4242, 0).error(), abi::kErrNotFound);
}

TEST(Ramfs, Symlinks) {
  Owned fs = make();
  const FileStat s = fs->symlink(fs->root(), "link", "some/where").value();
  EXPECT_EQ(s.mode & abi::kModeTypeMask, kModeSymlink);
  EXPECT_EQ(s.size, 10u);
  EXPECT_EQ(s.links, 1u);
  EXPECT_EQ(fs->lookup(fs->root(), "link").value().node, s.node);
  char out[32];
  EXPECT_EQ(fs->readlink(s.node, out, sizeof(out)).value(), 10u);
  EXPECT_EQ(std::string(out, 10), "some/where");
  EXPECT_EQ(fs->readlink(s.node, out, 9).error(), abi::kErrBufferTooSmall);
  EXPECT_EQ(fs->readlink(fs->root(), out, sizeof(out)).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->readlink(31337, out, sizeof(out)).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->symlink(fs->root(), "link", "x").error(), abi::kErrExists);
  EXPECT_EQ(fs->symlink(fs->root(), "empty", "").error(), abi::kErrInvalidArgument);
  const std::string too_long(abi::kFileMaxPath + 1, 't');
  EXPECT_EQ(
      fs->symlink(fs->root(), "long", lib::StringView(too_long.data(), too_long.size())).error(),
      abi::kErrNameTooLong);
  const std::string longest(abi::kFileMaxPath, 't');
  EXPECT_TRUE(
      fs->symlink(fs->root(), "long", lib::StringView(longest.data(), longest.size())).ok());
  EXPECT_EQ(fs->symlink(s.node, "x", "y").error(), abi::kErrNotDirectory);
  // A link is removed as a file is, and gives its target's bytes back.
  const uint64_t before = ramfs_used_bytes(*fs);
  ASSERT_TRUE(fs->unlink(fs->root(), "long", false).ok());
  EXPECT_EQ(before - ramfs_used_bytes(*fs),
            ramfs::kInodeCost + ramfs::kEntryCost + 4 + abi::kFileMaxPath);
}

TEST(Ramfs, Unlink) {
  Owned fs = make();
  const InodeId root = fs->root();
  const InodeId f = make_file(*fs, root, "f").node;
  const InodeId d = make_dir(*fs, root, "d").node;
  make_file(*fs, d, "inner");
  EXPECT_EQ(fs->unlink(root, "missing", false).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->unlink(root, "d", false).error(), abi::kErrIsDirectory);
  EXPECT_EQ(fs->unlink(root, "f", true).error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->unlink(root, "d", true).error(), abi::kErrNotEmpty);
  EXPECT_EQ(fs->unlink(f, "x", false).error(), abi::kErrNotDirectory);
  ASSERT_TRUE(fs->unlink(d, "inner", false).ok());
  EXPECT_EQ(fs->stat(root).value().links, 3u);
  ASSERT_TRUE(fs->unlink(root, "d", true).ok());
  EXPECT_EQ(fs->stat(root).value().links, 2u);
  EXPECT_EQ(fs->stat(d).error(), abi::kErrNotFound);  // freed with its last link
  ASSERT_TRUE(fs->unlink(root, "f", false).ok());
  EXPECT_EQ(fs->stat(f).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(root, "f").error(), abi::kErrNotFound);
  EXPECT_TRUE(list(*fs, root).empty());
  EXPECT_EQ(ramfs_used_bytes(*fs), ramfs::kInodeCost);
}

TEST(Ramfs, RenameWithinAndAcrossDirectories) {
  Owned fs = make();
  const InodeId root = fs->root();
  const InodeId a = make_dir(*fs, root, "a").node;
  const InodeId b = make_dir(*fs, root, "b").node;
  const InodeId f = make_file(*fs, a, "f").node;
  ASSERT_EQ(fs->write(f, 0, "data", 4).value(), 4u);

  ASSERT_TRUE(fs->rename(a, "f", a, "g").ok());
  EXPECT_EQ(fs->lookup(a, "f").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(a, "g").value().node, f);
  ASSERT_TRUE(fs->rename(a, "g", b, "h").ok());
  EXPECT_EQ(fs->lookup(b, "h").value().node, f);
  EXPECT_EQ(read_all(*fs, f), "data");
  ASSERT_TRUE(fs->rename(b, "h", b, "h").ok());  // onto itself: nothing happens
  EXPECT_EQ(fs->lookup(b, "h").value().node, f);

  // A directory moving between parents takes its ".." link along.
  const InodeId sub = make_dir(*fs, a, "sub").node;
  EXPECT_EQ(fs->stat(a).value().links, 3u);
  ASSERT_TRUE(fs->rename(a, "sub", b, "sub").ok());
  EXPECT_EQ(fs->stat(a).value().links, 2u);
  EXPECT_EQ(fs->stat(b).value().links, 3u);
  EXPECT_EQ(fs->lookup(b, "sub").value().node, sub);
  EXPECT_EQ(fs->stat(sub).value().links, 2u);

  EXPECT_EQ(fs->rename(a, "missing", b, "x").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->rename(f, "x", b, "x").error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->rename(b, "h", f, "x").error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->rename(b, "h", 9999, "x").error(), abi::kErrNotFound);
}

TEST(Ramfs, RenameReplaces) {
  Owned fs = make();
  const InodeId root = fs->root();
  const InodeId x = make_file(*fs, root, "x").node;
  const InodeId y = make_file(*fs, root, "y").node;
  ASSERT_EQ(fs->write(y, 0, "old", 3).value(), 3u);
  const uint64_t before = ramfs_used_bytes(*fs);
  ASSERT_TRUE(fs->rename(root, "x", root, "y").ok());  // replaces the file y
  EXPECT_EQ(fs->lookup(root, "y").value().node, x);
  EXPECT_EQ(fs->lookup(root, "x").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->stat(y).error(), abi::kErrNotFound);  // its last link went
  EXPECT_EQ(before - ramfs_used_bytes(*fs), ramfs::kInodeCost + ramfs::kEntryCost + 1 + 4096);

  const InodeId d = make_dir(*fs, root, "d").node;
  const InodeId e = make_dir(*fs, root, "e").node;
  const InodeId full = make_dir(*fs, root, "full").node;
  make_file(*fs, full, "inside");
  EXPECT_EQ(fs->stat(root).value().links, 5u);
  EXPECT_EQ(fs->rename(root, "d", root, "y").error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->rename(root, "y", root, "d").error(), abi::kErrIsDirectory);
  EXPECT_EQ(fs->rename(root, "d", root, "full").error(), abi::kErrNotEmpty);
  ASSERT_TRUE(fs->rename(root, "d", root, "e").ok());  // replaces the empty directory e
  EXPECT_EQ(fs->lookup(root, "e").value().node, d);
  EXPECT_EQ(fs->stat(e).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->stat(root).value().links, 4u);
  // Across directories, over an empty directory there.
  make_dir(*fs, full, "target");
  ASSERT_TRUE(fs->rename(root, "e", full, "target").ok());
  EXPECT_EQ(fs->stat(root).value().links, 3u);
  EXPECT_EQ(fs->stat(full).value().links, 3u);
  EXPECT_EQ(fs->lookup(full, "target").value().node, d);
}

TEST(Ramfs, RenameRefusesToMoveADirectoryBelowItself) {
  Owned fs = make();
  const InodeId root = fs->root();
  const InodeId a = make_dir(*fs, root, "a").node;
  const InodeId b = make_dir(*fs, a, "b").node;
  const InodeId c = make_dir(*fs, b, "c").node;
  EXPECT_EQ(fs->rename(root, "a", a, "x").error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->rename(root, "a", c, "x").error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->rename(a, "b", c, "x").error(), abi::kErrInvalidArgument);
  // Replacing an ancestor is refused too: it is not empty.
  EXPECT_EQ(fs->rename(b, "c", root, "a").error(), abi::kErrNotEmpty);
  // Upwards is fine.
  ASSERT_TRUE(fs->rename(b, "c", root, "c").ok());
  ASSERT_TRUE(fs->rename(root, "a", c, "a").ok());
  EXPECT_EQ(fs->lookup(c, "a").value().node, a);
  EXPECT_EQ(fs->rename(root, "c", b, "c2").error(), abi::kErrInvalidArgument);  // b is below c
}

TEST(Ramfs, Timestamps) {
  Owned fs = make();
  const FileStat f = make_file(*fs, fs->root(), "f");
  EXPECT_EQ(f.atime_ns, f.mtime_ns);
  EXPECT_EQ(f.mtime_ns, f.ctime_ns);
  EXPECT_GE(fs->stat(fs->root()).value().mtime_ns, f.ctime_ns);
  ASSERT_TRUE(fs->set_times(f.node, 1000, 2000).ok());
  FileStat s = fs->stat(f.node).value();
  EXPECT_EQ(s.atime_ns, 1000);
  EXPECT_EQ(s.mtime_ns, 2000);
  EXPECT_GE(s.ctime_ns, f.ctime_ns);
  ASSERT_TRUE(fs->set_times(f.node, abi::kTimeOmit, 3000).ok());
  s = fs->stat(f.node).value();
  EXPECT_EQ(s.atime_ns, 1000);
  EXPECT_EQ(s.mtime_ns, 3000);
  ASSERT_TRUE(fs->set_times(f.node, 4000, abi::kTimeOmit).ok());
  EXPECT_EQ(fs->stat(f.node).value().atime_ns, 4000);
  EXPECT_EQ(fs->stat(f.node).value().mtime_ns, 3000);
  ASSERT_EQ(fs->write(f.node, 0, "x", 1).value(), 1u);
  EXPECT_GT(fs->stat(f.node).value().mtime_ns, 3000);
  ASSERT_TRUE(fs->set_times(f.node, 1, 1).ok());
  char c;
  ASSERT_EQ(fs->read(f.node, 0, &c, 1).value(), 1u);
  EXPECT_GT(fs->stat(f.node).value().atime_ns, 1);
  EXPECT_EQ(fs->set_times(5555, 1, 1).error(), abi::kErrNotFound);
}

TEST(Ramfs, ReadDir) {
  Owned fs = make();
  const InodeId root = fs->root();
  const InodeId f = make_file(*fs, root, "file").node;
  const InodeId d = make_dir(*fs, root, "dir").node;
  const InodeId s = fs->symlink(root, "link", "file").value().node;
  Collect all;
  EXPECT_EQ(fs->readdir(root, 0, all).value(), 0u);
  ASSERT_EQ(all.names, (std::vector<std::string>{"file", "dir", "link"}));
  EXPECT_EQ(all.nodes, (std::vector<InodeId>{f, d, s}));
  EXPECT_EQ(all.types, (std::vector<uint32_t>{kModeRegular, kModeDirectory, kModeSymlink}));
  // From a cursor: what follows that entry.
  Collect rest;
  EXPECT_EQ(fs->readdir(root, all.cursors[0], rest).value(), 0u);
  EXPECT_EQ(rest.names, (std::vector<std::string>{"dir", "link"}));
  // A visitor that stops: the cursor of the last entry it took.
  Collect two(2);
  EXPECT_EQ(fs->readdir(root, 0, two).value(), all.cursors[1]);
  EXPECT_EQ(two.names.size(), 2u);
  Collect none(0);
  EXPECT_EQ(fs->readdir(root, 0, none).error(), abi::kErrBufferTooSmall);
  EXPECT_EQ(fs->readdir(f, 0, all).error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->readdir(8888, 0, all).error(), abi::kErrNotFound);
  Collect empty;
  EXPECT_EQ(fs->readdir(d, 0, empty).value(), 0u);
  EXPECT_TRUE(empty.names.empty());
  // A cursor past everything is the end.
  Collect past;
  EXPECT_EQ(fs->readdir(root, all.cursors[2], past).value(), 0u);
  EXPECT_TRUE(past.names.empty());
}

// 10,000 entries, listed a few at a time while others are removed (some already listed,
// some not yet) and new ones added: each entry present throughout is listed exactly once,
// and none removed before its turn shows up.
TEST(Ramfs, ReadDirOfTenThousandEntriesWhileRemoving) {
  Owned fs = make(uint64_t{256} << 20);
  const InodeId dir = make_dir(*fs, fs->root(), "big").node;
  constexpr int kCount = 10000;
  auto name = [](int i) { return "entry-" + std::to_string(i); };
  for (int i = 0; i < kCount; ++i) {
    const std::string n = name(i);
    ASSERT_TRUE(fs->create(dir, lib::StringView(n.data(), n.size()), kModeRegular).ok()) << i;
  }
  EXPECT_EQ(fs->stat(dir).value().size, static_cast<uint64_t>(kCount));
  for (int i = 0; i < kCount; i += 97) {  // lookups find each name
    const std::string n = name(i);
    ASSERT_TRUE(fs->lookup(dir, lib::StringView(n.data(), n.size())).ok());
  }

  std::map<std::string, int> listed;
  std::set<std::string> removed;
  uint64_t cursor = 0;
  int round = 0;
  int next_new = kCount;
  do {
    Collect batch(37);
    cursor = fs->readdir(dir, cursor, batch).value();
    for (const auto& n : batch.names) ++listed[n];
    // Remove one entry already listed and two not yet reached, then add one.
    const int back = (round * 53) % kCount;
    const int ahead = (round * 131 + 5000) % kCount;
    for (int i : {back, ahead, (ahead + 1) % kCount}) {
      const std::string n = name(i);
      if (removed.count(n)) continue;
      ASSERT_TRUE(fs->unlink(dir, lib::StringView(n.data(), n.size()), false).ok());
      removed.insert(n);
    }
    const std::string added = name(next_new++);
    ASSERT_TRUE(fs->create(dir, lib::StringView(added.data(), added.size()), kModeRegular).ok());
    ++round;
  } while (cursor != 0 && round < 10000);
  ASSERT_EQ(cursor, 0u);

  for (const auto& [n, times] : listed) EXPECT_EQ(times, 1) << n;
  for (int i = 0; i < kCount; ++i) {
    const std::string n = name(i);
    if (!removed.count(n)) EXPECT_EQ(listed.count(n), 1u) << n;  // present throughout
  }
  // Removed before being reached: not listed. (Every "ahead" removal that was not listed
  // before must be missing; those removed after being listed were listed once.)
  size_t removed_unlisted = 0;
  for (const auto& n : removed) removed_unlisted += listed.count(n) ? 0 : 1;
  EXPECT_GT(removed_unlisted, 0u);
  EXPECT_GT(listed.size(), static_cast<size_t>(kCount) - removed.size());  // some added ones too

  // A full listing now matches what is there.
  const auto names = list(*fs, dir);
  EXPECT_EQ(names.size(), fs->stat(dir).value().size);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
}

// Fill until kErrNoSpace, free everything, fill again: the same fits, and the accounting
// comes back to the byte.
TEST(Ramfs, SizeLimit) {
  constexpr uint64_t kLimit = uint64_t{512} << 10;
  Owned fs = make(kLimit);
  const InodeId root = fs->root();
  const uint64_t start = ramfs_used_bytes(*fs);
  const uint64_t start_free = fs->statfs().free_blocks;
  std::vector<char> chunk(10000, 'z');

  auto fill = [&](std::vector<size_t>& sizes) {
    for (int i = 0;; ++i) {
      const std::string n = "f" + std::to_string(i);
      auto made = fs->create(root, lib::StringView(n.data(), n.size()), kModeRegular | 0600);
      if (!made.ok()) {
        EXPECT_EQ(made.error(), abi::kErrNoSpace);
        return;
      }
      size_t size = 0;
      for (;;) {
        auto wrote = fs->write(made.value().node, size, chunk.data(), chunk.size());
        if (!wrote.ok()) {
          EXPECT_EQ(wrote.error(), abi::kErrNoSpace);
          break;
        }
        size += wrote.value();
        if (wrote.value() < chunk.size()) break;  // a partial write: the limit
        if (size >= 40000) break;
      }
      sizes.push_back(size);
    }
  };
  std::vector<size_t> first;
  fill(first);
  EXPECT_GT(first.size(), 5u);
  EXPECT_LE(ramfs_used_bytes(*fs), kLimit);
  EXPECT_GT(ramfs_used_bytes(*fs), kLimit - ramfs::kInodeCost - ramfs::kEntryCost - 16);
  EXPECT_EQ(fs->statfs().free_blocks, 0u);
  // A full file system changes nothing when it refuses.
  const uint64_t full = ramfs_used_bytes(*fs);
  EXPECT_EQ(fs->create(root, "more", abi::kModeDirectory).error(), abi::kErrNoSpace);
  EXPECT_EQ(fs->symlink(root, "more", "target").error(), abi::kErrNoSpace);
  EXPECT_EQ(fs->write(fs->lookup(root, "f0").value().node, 1 << 20, "x", 1).error(),
            abi::kErrNoSpace);
  EXPECT_EQ(fs->stat(fs->lookup(root, "f0").value().node).value().size, first[0]);
  EXPECT_EQ(ramfs_used_bytes(*fs), full);
  // Renaming to a longer name needs room for the longer name: refused, nothing moves. A name
  // no longer than the old one fits in a full file system.
  const std::string longest(abi::kFileMaxName, 'L');
  ASSERT_LT(kLimit - full, longest.size() - 2);
  EXPECT_EQ(fs->rename(root, "f0", root, lib::StringView(longest.data(), longest.size())).error(),
            abi::kErrNoSpace);
  EXPECT_TRUE(fs->lookup(root, "f0").ok());
  EXPECT_EQ(ramfs_used_bytes(*fs), full);
  ASSERT_TRUE(fs->rename(root, "f0", root, "g0").ok());
  ASSERT_TRUE(fs->rename(root, "g0", root, "f0").ok());
  EXPECT_EQ(ramfs_used_bytes(*fs), full);

  for (size_t i = 0; i < first.size(); ++i) {
    const std::string n = "f" + std::to_string(i);
    ASSERT_TRUE(fs->unlink(root, lib::StringView(n.data(), n.size()), false).ok());
  }
  EXPECT_EQ(ramfs_used_bytes(*fs), start);
  EXPECT_EQ(fs->statfs().free_blocks, start_free);

  std::vector<size_t> second;
  fill(second);
  EXPECT_EQ(second, first);
  for (size_t i = 0; i < second.size(); ++i) {
    const std::string n = "f" + std::to_string(i);
    ASSERT_TRUE(
        fs->truncate(fs->lookup(root, lib::StringView(n.data(), n.size())).value().node, 0).ok());
    ASSERT_TRUE(fs->unlink(root, lib::StringView(n.data(), n.size()), false).ok());
  }
  EXPECT_EQ(ramfs_used_bytes(*fs), start);
}

TEST(Ramfs, PartialWriteAtTheLimit) {
  // Room for two data pages and the node the second needs.
  Owned fs = make(ramfs::kInodeCost * 2 + ramfs::kEntryCost + 1 + uint64_t{3} * 4096);
  const InodeId f = make_file(*fs, fs->root(), "f").node;
  std::vector<char> data(size_t{3} * 4096, 'q');
  EXPECT_EQ(fs->write(f, 0, data.data(), data.size()).value(), 2u * 4096);
  EXPECT_EQ(fs->stat(f).value().size, 2u * 4096);
  EXPECT_EQ(fs->write(f, uint64_t{2} * 4096, data.data(), 1).error(), abi::kErrNoSpace);
  EXPECT_EQ(fs->write(f, 100, data.data(), 10).value(), 10u);  // within pages it has
}

TEST(Ramfs, DestroyFreesEverything) {
  // Runs under the leak checker: a tree with every kind of node, destroyed whole.
  Owned fs = make();
  const InodeId d = make_dir(*fs, fs->root(), "d").node;
  const InodeId e = make_dir(*fs, d, "e").node;
  const InodeId f = make_file(*fs, e, "f").node;
  ASSERT_EQ(fs->write(f, uint64_t{1} << 33, "x", 1).value(), 1u);
  ASSERT_TRUE(fs->symlink(d, "l", "e/f").ok());
  for (int i = 0; i < 100; ++i) make_file(*fs, d, ("n" + std::to_string(i)).c_str());
}

}  // namespace
}  // namespace stellina::fs
