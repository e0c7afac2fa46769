#include "servers/fs/bootfs/bootfs.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "servers/fs/core/memory.h"
#include "tests/unit/temp_dir.h"

namespace stellina::fs {
namespace {

struct Destroy {
  void operator()(FileSystem* f) const { destroy(f); }
};
using Owned = std::unique_ptr<FileSystem, Destroy>;

using Files = std::vector<std::pair<std::string, std::string>>;  // name, contents

// An archive of files, made by tools/mkarchive.py; empty if the packer refused them.
std::vector<uint8_t> pack(const Files& files) {
  test::TempDir dir;
  EXPECT_TRUE(dir.ok());
  std::string args;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string path = dir.file("f" + std::to_string(i));
    std::ofstream(path, std::ios::binary) << files[i].second;
    args += " '" + files[i].first + "=" + path + "'";
  }
  const std::string out = dir.file("archive");
  const std::string cmd = std::string(STELLINA_PYTHON3) +
                          " " STELLINA_SOURCE_DIR "/tools/mkarchive.py " + out + args +
                          " 2>/dev/null";
  const int status = std::system(cmd.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  std::ifstream in(out, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Collect final : public DirVisitor {
 public:
  explicit Collect(size_t room = SIZE_MAX) : room_(room) {}
  bool visit(InodeId node, uint32_t type_mode, lib::StringView name, uint64_t next) override {
    if (names.size() == room_) return false;
    names.emplace_back(name.data(), name.size());
    nodes.push_back(node);
    types.push_back(type_mode);
    cursors.push_back(next);
    return true;
  }
  std::vector<std::string> names;
  std::vector<InodeId> nodes;
  std::vector<uint32_t> types;
  std::vector<uint64_t> cursors;

 private:
  size_t room_;
};

std::vector<std::string> list(FileSystem& fs, InodeId dir) {
  Collect c;
  EXPECT_EQ(fs.readdir(dir, 0, c).value(), 0u);
  return c.names;
}

InodeId walk(FileSystem& fs, const std::string& path) {
  InodeId at = fs.root();
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const auto found = fs.lookup(at, lib::StringView(path.data() + start, end - start));
    if (!found.ok()) return 0;
    at = found.value().node;
    start = end + 1;
  }
  return at;
}

std::string read_all(FileSystem& fs, InodeId node) {
  std::string out(fs.stat(node).value().size, '\0');
  EXPECT_EQ(fs.read(node, 0, out.data(), out.size()).value(), out.size());
  return out;
}

const Files kSite = {
    {"readme", "hello"},
    {"site/index.html", "<html></html>"},
    {"site/index.css", "body {}"},
    {"site/img/logo.png", std::string(10000, '\x89')},
    {"site-notes", "a file whose name sorts between site and site/"},
    {"a/b/c/d", "deep"},
    {"empty", ""},
};

class Bootfs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { archive = new std::vector<uint8_t>(pack(kSite)); }
  static void TearDownTestSuite() {
    delete archive;
    archive = nullptr;
  }
  void SetUp() override {
    ASSERT_FALSE(archive->empty());
    auto made = make_bootfs(archive->data(), archive->size());
    ASSERT_TRUE(made.ok()) << made.error();
    fs.reset(made.value());
  }
  static std::vector<uint8_t>* archive;  // packed once: the packer is a Python program
  Owned fs;
};
std::vector<uint8_t>* Bootfs::archive = nullptr;

TEST_F(Bootfs, PathsBecomeATree) {
  EXPECT_EQ(list(*fs, fs->root()),
            (std::vector<std::string>{"a", "empty", "readme", "site", "site-notes"}));
  const InodeId site = walk(*fs, "site");
  ASSERT_NE(site, 0u);
  EXPECT_EQ(list(*fs, site), (std::vector<std::string>{"img", "index.css", "index.html"}));
  EXPECT_EQ(list(*fs, walk(*fs, "site/img")), (std::vector<std::string>{"logo.png"}));
  EXPECT_EQ(list(*fs, walk(*fs, "a/b/c")), (std::vector<std::string>{"d"}));

  for (const auto& [name, contents] : kSite) {
    const InodeId node = walk(*fs, name);
    ASSERT_NE(node, 0u) << name;
    const FileStat s = fs->stat(node).value();
    EXPECT_EQ(s.mode, abi::kModeRegular | 0444) << name;
    EXPECT_EQ(s.size, contents.size()) << name;
    EXPECT_EQ(s.links, 1u);
    EXPECT_EQ(read_all(*fs, node), contents) << name;
  }
  const FileStat root = fs->stat(fs->root()).value();
  EXPECT_EQ(root.mode, abi::kModeDirectory | 0555);
  EXPECT_EQ(root.links, 4u);  // ".", its entry (none: the root), "a" and "site"
  EXPECT_EQ(root.size, 5u);
  EXPECT_EQ(fs->stat(site).value().links, 3u);
  EXPECT_EQ(fs->lookup(fs->root(), "site").value().node, site);

  Collect types;
  ASSERT_TRUE(fs->readdir(fs->root(), 0, types).ok());
  EXPECT_EQ(types.types,
            (std::vector<uint32_t>{abi::kModeDirectory, abi::kModeRegular, abi::kModeRegular,
                                   abi::kModeDirectory, abi::kModeRegular}));
}

TEST_F(Bootfs, ReadsInPlace) {
  const InodeId logo = walk(*fs, "site/img/logo.png");
  char buffer[64];
  EXPECT_EQ(fs->read(logo, 9990, buffer, sizeof(buffer)).value(), 10u);
  EXPECT_EQ(fs->read(logo, 10000, buffer, sizeof(buffer)).value(), 0u);
  EXPECT_EQ(fs->read(logo, UINT64_MAX, buffer, sizeof(buffer)).value(), 0u);
  EXPECT_EQ(fs->read(walk(*fs, "empty"), 0, buffer, sizeof(buffer)).value(), 0u);
  EXPECT_EQ(fs->stat(logo).value().blocks, (10000u + 511) / 512);
  EXPECT_EQ(fs->read(fs->root(), 0, buffer, 1).error(), abi::kErrIsDirectory);
  EXPECT_EQ(fs->read(100000, 0, buffer, 1).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->read(0, 0, buffer, 1).error(), abi::kErrNotFound);
}

TEST_F(Bootfs, LookupErrors) {
  EXPECT_EQ(fs->lookup(fs->root(), "missing").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(fs->root(), "sit").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(fs->root(), "site/index.css").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(walk(*fs, "readme"), "x").error(), abi::kErrNotDirectory);
  EXPECT_EQ(fs->lookup(999, "x").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->stat(999).error(), abi::kErrNotFound);
  char out[8];
  EXPECT_EQ(fs->readlink(walk(*fs, "readme"), out, sizeof(out)).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(fs->readlink(999, out, sizeof(out)).error(), abi::kErrNotFound);
}

TEST_F(Bootfs, ReadDirCursors) {
  Collect all;
  ASSERT_EQ(fs->readdir(fs->root(), 0, all).value(), 0u);
  Collect two(2);
  const uint64_t cursor = fs->readdir(fs->root(), 0, two).value();
  EXPECT_EQ(cursor, all.cursors[1]);
  Collect rest;
  EXPECT_EQ(fs->readdir(fs->root(), cursor, rest).value(), 0u);
  EXPECT_EQ(rest.names, (std::vector<std::string>{"readme", "site", "site-notes"}));
  Collect none(0);
  EXPECT_EQ(fs->readdir(fs->root(), 0, none).error(), abi::kErrBufferTooSmall);
  Collect past;
  EXPECT_EQ(fs->readdir(fs->root(), 1000, past).value(), 0u);
  EXPECT_TRUE(past.names.empty());
  EXPECT_EQ(fs->readdir(walk(*fs, "readme"), 0, past).error(), abi::kErrNotDirectory);
}

TEST_F(Bootfs, EveryWriteIsRefused) {
  const InodeId root = fs->root();
  const InodeId readme = walk(*fs, "readme");
  EXPECT_EQ(fs->create(root, "new", abi::kModeRegular | 0644).error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->create(root, "dir", abi::kModeDirectory | 0755).error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->symlink(root, "l", "readme").error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->unlink(root, "readme", false).error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->unlink(root, "site", true).error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->rename(root, "readme", root, "x").error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->write(readme, 0, "x", 1).error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->truncate(readme, 0).error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->set_times(readme, 1, 1).error(), abi::kErrReadOnly);
  EXPECT_TRUE(fs->sync().ok());
  EXPECT_EQ(read_all(*fs, readme), "hello");

  const FileSystemStat s = fs->statfs();
  EXPECT_STREQ(s.type, "bootfs");
  EXPECT_EQ(s.read_only, 1u);
  EXPECT_EQ(s.root, root);
  EXPECT_EQ(s.free_blocks, 0u);
  EXPECT_EQ(s.blocks, (archive->size() + 4095) / 4096);
  EXPECT_EQ(s.files, 13u);  // the root, 5 directories, 7 files
}

TEST(BootfsArchive, AnEmptyArchiveIsAnEmptyRoot) {
  const auto archive = pack({});
  ASSERT_FALSE(archive.empty());
  Owned fs(make_bootfs(archive.data(), archive.size()).value());
  EXPECT_TRUE(list(*fs, fs->root()).empty());
}

TEST(BootfsArchive, NamesThatAreNotPathsAreRefused) {
  for (const char* name : {"a//b", "/a", "a/", "./a", "a/./b", "a/../b", "..", "."}) {
    const auto archive = pack({{name, "x"}, {"z", "y"}});
    ASSERT_FALSE(archive.empty()) << name;
    EXPECT_EQ(make_bootfs(archive.data(), archive.size()).error(), abi::kErrCorrupt) << name;
  }
  // A path that is a file and a directory at once.
  const auto both = pack({{"a", "file"}, {"a/b", "below it"}});
  EXPECT_EQ(make_bootfs(both.data(), both.size()).error(), abi::kErrCorrupt);
  const auto deeper = pack({{"x/a", "file"}, {"x/a-1", "between"}, {"x/a/b", "below it"}});
  EXPECT_EQ(make_bootfs(deeper.data(), deeper.size()).error(), abi::kErrCorrupt);
}

TEST(BootfsArchive, MalformedArchivesAreRefused) {
  auto archive = pack(kSite);
  ASSERT_FALSE(archive.empty());
  EXPECT_EQ(make_bootfs(nullptr, 0).error(), abi::kErrCorrupt);
  EXPECT_EQ(make_bootfs(archive.data(), 10).error(), abi::kErrCorrupt);  // shorter than a header
  EXPECT_EQ(make_bootfs(archive.data(), archive.size() - 1).error(), abi::kErrCorrupt);
  auto bad_magic = archive;
  bad_magic[0] = 'X';
  EXPECT_EQ(make_bootfs(bad_magic.data(), bad_magic.size()).error(), abi::kErrCorrupt);
  auto bad_data = archive;
  bad_data.back() ^= 1;  // the last file's bytes no longer match its CRC
  EXPECT_EQ(make_bootfs(bad_data.data(), bad_data.size()).error(), abi::kErrCorrupt);
  auto newer = archive;
  newer[8] = 2;  // the version
  EXPECT_EQ(make_bootfs(newer.data(), newer.size()).error(), abi::kErrNotSupported);
}

// Random damage to the header and the entry table: refused or served, never a crash (the
// sanitizers watch every read).
TEST(BootfsArchive, RandomDamageNeverCrashes) {
  const auto archive = pack(kSite);
  ASSERT_FALSE(archive.empty());
  const size_t table = 24 + 80 * kSite.size();
  std::mt19937 rng(1234);
  int served = 0;
  for (int round = 0; round < 3000; ++round) {
    auto damaged = archive;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k)
      damaged[rng() % table] ^= static_cast<uint8_t>(1u << (rng() % 8));
    auto made = make_bootfs(damaged.data(), damaged.size());
    if (!made.ok()) continue;
    ++served;
    Owned fs(made.value());
    // Walk everything it serves.
    std::vector<InodeId> todo{fs->root()};
    while (!todo.empty()) {
      const InodeId node = todo.back();
      todo.pop_back();
      Collect c;
      if (fs->readdir(node, 0, c).ok()) {
        for (size_t i = 0; i < c.nodes.size(); ++i) {
          ASSERT_EQ(
              fs->lookup(node, lib::StringView(c.names[i].data(), c.names[i].size())).value().node,
              c.nodes[i]);
          todo.push_back(c.nodes[i]);
        }
      } else {
        char buffer[256];
        ASSERT_TRUE(fs->read(node, 0, buffer, sizeof(buffer)).ok());
      }
    }
  }
  EXPECT_LT(served, 3000);  // most damage is caught
}

}  // namespace
}  // namespace stellina::fs
