// The FAT engine against the host's tools: images made by mkfs.fat and filled by mcopy are
// read exactly, and every image the engine wrote passes fsck.fat and reads back with mtools.
#include <gtest/gtest.h>

#include <set>

#include "tests/unit/fs/fat_test_util.h"

namespace stellina::fs::fat_test {
namespace {

namespace stdfs = std::filesystem;

// A host tree with what trips FAT up: long names of mixed case with spaces, several dots,
// characters a short name cannot hold, a deep path, hundreds of files, big files.
void build_host_tree(const stdfs::path& root) {
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    char name[64];
    snprintf(name, sizeof(name), "many files/File Number %03d of Many.txt", i);
    write_host_file(root / name, random_bytes(rng, rng() % 3000));
  }
  stdfs::path deep = root / "deep";
  for (int level = 1; level <= 12; ++level) deep /= "Level " + std::to_string(level);
  write_host_file(deep / "Leaf File.bin", random_bytes(rng, 5000));
  write_host_file(root / "big/Large Data Set.bin", random_bytes(rng, 3 << 20));
  write_host_file(root / "big/exact.bin", random_bytes(rng, 4096));
  write_host_file(root / "big/empty file", "");
  write_host_file(root / "readme.txt", "hello\n");
  write_host_file(root / "UPPER.TXT", "upper\n");
  write_host_file(root / "archive.tar.gz", random_bytes(rng, 700));
  write_host_file(root / "name with  two spaces", "spaces");
  write_host_file(root / "+plus,comma;semi=eq[br].txt", "odd");
  write_host_file(root / "12345678.123", "fits");
  write_host_file(root / ".leading dot", "dot");
  write_host_file(root / "CamelCaseNameThatIsLong.Extension", "camel");
  stdfs::create_directories(root / "Empty Directory");
}

// Every path under root, relative, directories ending in '/'; with file bytes.
std::map<std::string, std::string> host_tree(const stdfs::path& root) {
  std::map<std::string, std::string> tree;
  for (const auto& e : stdfs::recursive_directory_iterator(root)) {
    const std::string rel = "/" + stdfs::relative(e.path(), root).string();
    if (e.is_directory()) {
      tree[rel + "/"] = "";
    } else {
      tree[rel] = read_host_file(e.path());
    }
  }
  return tree;
}

// The same as the engine sees it.
::testing::AssertionResult engine_tree(FileSystem& fs, std::map<std::string, std::string>& out) {
  std::vector<std::pair<std::string, InodeId>> stack{{"", fs.root()}};
  while (!stack.empty()) {
    auto [path, dir] = stack.back();
    stack.pop_back();
    auto entries = list(fs, dir);
    if (!entries.ok()) return ::testing::AssertionFailure() << "readdir " << path;
    for (const auto& [name, listed] : entries.value()) {
      std::string child = path;
      child += "/";
      child += name;
      if (listed.mode == abi::kModeDirectory) {
        out[child + "/"] = "";
        stack.push_back({child, listed.node});
      } else {
        auto bytes = read_all(fs, listed.node);
        if (!bytes.ok()) return ::testing::AssertionFailure() << "read " << child;
        out[child] = bytes.value();
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// An image layout: FAT type, size and mkfs.fat options (sector and cluster sizes).
struct Layout {
  const char* name;
  int bits;
  int size_mb;
  const char* options;
};

class FatImage : public ::testing::TestWithParam<Layout> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir.ok());
    image = dir.file("disk.img");
    ASSERT_TRUE(make_image(image, bits(), GetParam().size_mb, GetParam().options));
  }
  int bits() const { return GetParam().bits; }
  // Closes the engine (after a sync) and checks the image with fsck.fat.
  void unmount_and_check(Mount& m) {
    ASSERT_TRUE(m->sync().ok());
    m.fs.reset();
    EXPECT_TRUE(fsck_clean(image));
  }
  test::TempDir dir;
  std::string image;
};

TEST_P(FatImage, ReadsWhatMtoolsWrote) {
  const stdfs::path host = dir.file("host");
  build_host_tree(host);
  ASSERT_EQ(test::run(std::string(kMtools) + "mcopy -s -n -i " + quote(image) + " " +
                      quote(host.string()) + "/* " + quote(host.string()) + "/.leading* ::/"),
            0);
  Mount m(image, /*read_only=*/true);
  ASSERT_TRUE(m.ok()) << m.message.text;
  EXPECT_STREQ(m->statfs().type, bits() == 32 ? "fat32" : "fat16");
  std::map<std::string, std::string> seen;
  ASSERT_TRUE(engine_tree(*m.fs, seen));
  const auto expected = host_tree(host);
  ASSERT_EQ(seen.size(), expected.size());
  for (const auto& [path, bytes] : expected) {
    auto it = seen.find(path);
    ASSERT_NE(it, seen.end()) << path;
    EXPECT_TRUE(it->second == bytes) << path;
  }
  // Lookups by path, case-insensitive, and a stat that agrees with the host.
  auto node = resolve(*m.fs, "/DEEP/level 1/LEVEL 2/level 3");
  EXPECT_TRUE(node.ok());
  const FileStat big = m->stat(resolve(*m.fs, "/big/large data set.BIN").value()).value();
  EXPECT_EQ(big.size, 3u << 20);
  EXPECT_EQ(big.mode, abi::kModeRegular | 0644);
  EXPECT_EQ(m->lookup(m->root(), "missing").error(), abi::kErrNotFound);
  EXPECT_EQ(m->create(m->root(), "x", abi::kModeRegular | 0644).error(), abi::kErrReadOnly);
}

TEST_P(FatImage, WritesWhatTheHostReads) {
  std::mt19937 rng(11);
  std::map<std::string, std::string> files;
  {
    Mount m(image);
    ASSERT_TRUE(m.ok()) << m.message.text;
    const InodeId docs = m->create(m->root(), "Documents", abi::kModeDirectory | 0755).value().node;
    const InodeId sub =
        m->create(docs, "Sub Directory Two", abi::kModeDirectory | 0755).value().node;
    struct Plan {
      InodeId dir;
      std::string path;
      size_t size;
      size_t chunk;
    };
    const Plan plans[] = {
        {m->root(), "/Short.txt", 10, 10},
        {m->root(), "/A long name with Spaces.data", 100000, 4096},
        {docs, "/Documents/odd chunks.bin", 70001, 513},
        {docs, "/Documents/one byte at a time", 700, 1},
        {sub, "/Documents/Sub Directory Two/big file.BIN", 2500000, 65536},
        {sub, "/Documents/Sub Directory Two/empty", 0, 1},
    };
    for (const Plan& p : plans) {
      const std::string name = p.path.substr(p.path.rfind('/') + 1);
      const FileStat st = m->create(p.dir, sv(name), abi::kModeRegular | 0644).value();
      const std::string bytes = random_bytes(rng, p.size);
      for (size_t at = 0; at < p.size; at += p.chunk) {
        const std::string part = bytes.substr(at, p.chunk);
        ASSERT_EQ(write_all(*m.fs, st.node, at, part).value(), part.size());
      }
      files[p.path] = bytes;
      EXPECT_EQ(read_all(*m.fs, st.node).value(), bytes) << p.path;
    }
    // A write past the end leaves a hole of zeroes; an overwrite in the middle.
    const InodeId holey = m->create(docs, "holes", abi::kModeRegular | 0644).value().node;
    ASSERT_EQ(write_all(*m.fs, holey, 0, "head").value(), 4u);
    ASSERT_EQ(write_all(*m.fs, holey, 20000, "tail").value(), 4u);
    ASSERT_EQ(write_all(*m.fs, holey, 10, "mid").value(), 3u);
    std::string expect(20004, '\0');
    expect.replace(0, 4, "head");
    expect.replace(20000, 4, "tail");
    expect.replace(10, 3, "mid");
    files["/Documents/holes"] = expect;
    EXPECT_EQ(read_all(*m.fs, holey).value(), expect);
    unmount_and_check(m);
  }
  for (const auto& [path, bytes] : files) EXPECT_TRUE(mtools_read(image, path) == bytes) << path;
  const std::vector<std::string> want = {"/A long name with Spaces.data",
                                         "/Documents/",
                                         "/Documents/Sub Directory Two/",
                                         "/Documents/Sub Directory Two/big file.BIN",
                                         "/Documents/Sub Directory Two/empty",
                                         "/Documents/holes",
                                         "/Documents/odd chunks.bin",
                                         "/Documents/one byte at a time",
                                         "/Short.txt"};
  EXPECT_EQ(mtools_tree(image), want);
  // And the engine reads its own writes after a fresh mount.
  Mount again(image, true);
  ASSERT_TRUE(again.ok());
  for (const auto& [path, bytes] : files)
    EXPECT_TRUE(read_all(*again.fs, resolve(*again.fs, path).value()).value() == bytes) << path;
}

TEST_P(FatImage, TruncatesBothWays) {
  Mount m(image);
  ASSERT_TRUE(m.ok());
  const uint64_t free_before = m->statfs().free_blocks;
  const InodeId f =
      m->create(m->root(), "Truncated File.bin", abi::kModeRegular | 0644).value().node;
  std::mt19937 rng(3);
  const std::string bytes = random_bytes(rng, 300000);
  ASSERT_EQ(write_all(*m.fs, f, 0, bytes).value(), bytes.size());
  ASSERT_TRUE(m->truncate(f, 1000).ok());
  EXPECT_EQ(m->stat(f).value().size, 1000u);
  const uint64_t cluster = m->statfs().block_size;
  EXPECT_EQ(m->statfs().free_blocks, free_before - (1000 + cluster - 1) / cluster);
  // Growing again: zeroes past 1000, not the old bytes still in the last cluster.
  ASSERT_TRUE(m->truncate(f, 50000).ok());
  std::string expect = bytes.substr(0, 1000) + std::string(49000, '\0');
  EXPECT_TRUE(read_all(*m.fs, f).value() == expect);
  ASSERT_TRUE(m->sync().ok());
  EXPECT_TRUE(fsck_clean(image));
  EXPECT_TRUE(mtools_read(image, "/Truncated File.bin") == expect);
  ASSERT_TRUE(m->truncate(f, 0).ok());
  EXPECT_EQ(m->statfs().free_blocks, free_before);
  ASSERT_TRUE(m->truncate(f, 3).ok());
  EXPECT_EQ(read_all(*m.fs, f).value(), std::string(3, '\0'));
  EXPECT_EQ(m->truncate(f, uint64_t{1} << 32).error(), abi::kErrTooLarge);
  EXPECT_EQ(m->write(f, 0xFFFFFFFF, "x", 1).error(), abi::kErrTooLarge);
  unmount_and_check(m);
  EXPECT_EQ(mtools_read(image, "/Truncated File.bin"), std::string(3, '\0'));
}

TEST_P(FatImage, UnlinksFilesAndDirectories) {
  Mount m(image);
  ASSERT_TRUE(m.ok());
  const uint64_t free_before = m->statfs().free_blocks;
  const InodeId d = m->create(m->root(), "Some Directory", abi::kModeDirectory | 0755).value().node;
  const InodeId f = m->create(d, "inside file.txt", abi::kModeRegular | 0644).value().node;
  ASSERT_TRUE(write_all(*m.fs, f, 0, std::string(9000, 'x')).ok());
  EXPECT_EQ(m->unlink(m->root(), "Some Directory", false).error(), abi::kErrIsDirectory);
  EXPECT_EQ(m->unlink(m->root(), "some directory", true).error(), abi::kErrNotEmpty);
  EXPECT_EQ(m->unlink(d, "inside file.txt", true).error(), abi::kErrNotDirectory);
  EXPECT_EQ(m->unlink(d, "nothing", false).error(), abi::kErrNotFound);
  ASSERT_TRUE(m->unlink(d, "INSIDE FILE.TXT", false).ok());
  EXPECT_EQ(m->stat(f).error(), abi::kErrNotFound);  // its number is stale
  ASSERT_TRUE(m->unlink(m->root(), "Some Directory", true).ok());
  EXPECT_EQ(m->statfs().free_blocks, free_before);
  EXPECT_TRUE(list(*m.fs, m->root()).value().empty());
  unmount_and_check(m);
  EXPECT_TRUE(mtools_tree(image).empty());
}

TEST_P(FatImage, Renames) {
  Mount m(image);
  ASSERT_TRUE(m.ok());
  const InodeId root = m->root();
  auto make_file = [&](InodeId dir, const std::string& name, const std::string& bytes) {
    const InodeId n = m->create(dir, sv(name), abi::kModeRegular | 0644).value().node;
    EXPECT_EQ(write_all(*m.fs, n, 0, bytes).value(), bytes.size());
    return n;
  };
  auto make_dir = [&](InodeId dir, const std::string& name) {
    return m->create(dir, sv(name), abi::kModeDirectory | 0755).value().node;
  };
  const InodeId d1 = make_dir(root, "First Directory");
  const InodeId d2 = make_dir(root, "second");
  make_file(root, "plain.txt", "plain");
  ASSERT_TRUE(m->rename(root, "plain.txt", root, "Renamed Plain File.txt").ok());
  // A file over a file: the old one's clusters are freed.
  make_file(root, "victim", std::string(20000, 'v'));
  make_file(root, "winner", "w");
  const uint64_t free_before = m->statfs().free_blocks;
  ASSERT_TRUE(m->rename(root, "winner", root, "victim").ok());
  EXPECT_GT(m->statfs().free_blocks, free_before);
  // Across directories, and a directory with what it holds.
  make_file(d1, "travels.bin", std::string(5000, 't'));
  ASSERT_TRUE(m->rename(d1, "travels.bin", d2, "Arrived Here.bin").ok());
  const InodeId moving = make_dir(d1, "Moving Directory");
  make_file(moving, "cargo.txt", "cargo");
  const InodeId inner = make_dir(moving, "inner");
  EXPECT_EQ(m->rename(d1, "Moving Directory", inner, "x").error(), abi::kErrInvalidArgument);
  EXPECT_EQ(m->rename(d1, "Moving Directory", moving, "x").error(), abi::kErrInvalidArgument);
  ASSERT_TRUE(m->rename(d1, "Moving Directory", d2, "Moved Directory").ok());
  const InodeId moved = resolve(*m.fs, "/second/Moved Directory").value();
  EXPECT_EQ(read_all(*m.fs, m->lookup(moved, "CARGO.TXT").value().node).value(), "cargo");
  EXPECT_TRUE(list(*m.fs, resolve(*m.fs, "/second/Moved Directory/inner").value()).ok());
  // Mismatched kinds; a directory over an empty one.
  make_dir(root, "empty target");
  EXPECT_EQ(m->rename(root, "victim", root, "empty target").error(), abi::kErrIsDirectory);
  EXPECT_EQ(m->rename(root, "second", root, "victim").error(), abi::kErrNotDirectory);
  EXPECT_EQ(m->rename(root, "First Directory", root, "second").error(), abi::kErrNotEmpty);
  ASSERT_TRUE(m->rename(root, "First Directory", root, "empty target").ok());
  // A change of case only.
  make_file(root, "case.txt", "c");
  ASSERT_TRUE(m->rename(root, "case.txt", root, "CASE.txt").ok());
  EXPECT_EQ(list(*m.fs, root).value().count("CASE.txt"), 1u);
  EXPECT_EQ(m->rename(root, "nothing", root, "y").error(), abi::kErrNotFound);
  unmount_and_check(m);
  const std::vector<std::string> want = {"/CASE.txt",
                                         "/Renamed Plain File.txt",
                                         "/empty target/",
                                         "/second/",
                                         "/second/Arrived Here.bin",
                                         "/second/Moved Directory/",
                                         "/second/Moved Directory/cargo.txt",
                                         "/second/Moved Directory/inner/",
                                         "/victim"};
  EXPECT_EQ(mtools_tree(image), want);
  EXPECT_EQ(mtools_read(image, "/victim"), "w");
  EXPECT_EQ(mtools_read(image, "/second/Arrived Here.bin"), std::string(5000, 't'));
  (void)d2;
}

TEST_P(FatImage, ThousandsOfEntries) {
  Mount m(image);
  ASSERT_TRUE(m.ok());
  const uint64_t free_before = m->statfs().free_blocks;
  const InodeId d = m->create(m->root(), "Crowded", abi::kModeDirectory | 0755).value().node;
  const int count = 1500;
  for (int i = 0; i < count; ++i) {
    const std::string name = "Entry Number " + std::to_string(i) + ".data";
    const InodeId f = m->create(d, sv(name), abi::kModeRegular | 0644).value().node;
    ASSERT_TRUE(write_all(*m.fs, f, 0, name).ok());
  }
  auto entries = list(*m.fs, d).value();
  EXPECT_EQ(entries.size(), size_t(count));
  EXPECT_EQ(read_all(*m.fs, m->lookup(d, "entry number 777.DATA").value().node).value(),
            "Entry Number 777.data");
  ASSERT_TRUE(m->sync().ok());
  EXPECT_TRUE(fsck_clean(image));
  EXPECT_EQ(mtools_tree(image).size(), size_t(count + 1));
  EXPECT_EQ(mtools_read(image, "/Crowded/Entry Number 1499.data"), "Entry Number 1499.data");
  for (int i = 0; i < count; ++i) {
    const std::string name = "Entry Number " + std::to_string(i) + ".data";
    ASSERT_TRUE(m->unlink(d, sv(name), false).ok()) << name;
  }
  EXPECT_TRUE(list(*m.fs, d).value().empty());
  ASSERT_TRUE(m->unlink(m->root(), "Crowded", true).ok());
  EXPECT_EQ(m->statfs().free_blocks, free_before);
  unmount_and_check(m);
}

TEST_P(FatImage, FillsTheDiskExactly) {
  if (GetParam().size_mb > 100) GTEST_SKIP() << "too big to fill under the sanitizers";
  Mount m(image);
  ASSERT_TRUE(m.ok());
  const FileSystemStat before = m->statfs();
  const std::string chunk(256 << 10, 'f');
  int files = 0;
  bool full = false;
  while (!full) {
    const std::string name = "filler " + std::to_string(files++);
    auto created = m->create(m->root(), sv(name), abi::kModeRegular | 0644);
    if (!created.ok()) {
      EXPECT_EQ(created.error(), abi::kErrNoSpace);
      break;
    }
    for (uint64_t at = 0; at < (4u << 20); at += chunk.size()) {
      auto wrote = write_all(*m.fs, created.value().node, at, chunk);
      if (!wrote.ok()) {
        EXPECT_EQ(wrote.error(), abi::kErrNoSpace);
        full = true;
        break;
      }
      if (wrote.value() < chunk.size()) {
        EXPECT_EQ(write_all(*m.fs, created.value().node, at + wrote.value(), "x").error(),
                  abi::kErrNoSpace);
        full = true;
        break;
      }
    }
  }
  EXPECT_EQ(m->statfs().free_blocks, 0u);
  ASSERT_TRUE(m->sync().ok());
  EXPECT_TRUE(fsck_clean(image));
  EXPECT_EQ(fsck_clusters(image).first, fsck_clusters(image).second);
  ASSERT_TRUE(m->unlink(m->root(), "filler 0", false).ok());
  const uint64_t free_now = m->statfs().free_blocks;
  EXPECT_EQ(free_now, (4u << 20) / before.block_size);
  unmount_and_check(m);
  const auto [used, total] = fsck_clusters(image);
  EXPECT_EQ(total - used, free_now);
  EXPECT_EQ(mtools_read(image, "/filler 1").size(), 4u << 20);
}

TEST_P(FatImage, NamesAndTheirLimits) {
  Mount m(image);
  ASSERT_TRUE(m.ok());
  const InodeId root = m->root();
  for (const char* bad : {"a\"b", "a*b", "a:b", "a<b", "a>b", "a?b", "a\\b", "a|b", "tab\tname",
                          "dot at end.", "space at end "}) {
    EXPECT_EQ(m->create(root, bad, abi::kModeRegular | 0644).error(), abi::kErrInvalidArgument)
        << bad;
  }
  EXPECT_EQ(m->create(root, "\xff\xfe", abi::kModeRegular | 0644).error(),
            abi::kErrInvalidArgument);
  const std::string longest(255, 'n');
  EXPECT_TRUE(m->create(root, sv(longest), abi::kModeRegular | 0644).ok());
  EXPECT_EQ(m->create(root, sv(longest + "n"), abi::kModeRegular | 0644).error(),
            abi::kErrNameTooLong);
  EXPECT_TRUE(m->create(root, "readme.txt", abi::kModeRegular | 0644).ok());
  EXPECT_EQ(m->create(root, "README.TXT", abi::kModeRegular | 0644).error(), abi::kErrExists);
  EXPECT_TRUE(m->lookup(root, "ReadMe.Txt").ok());
  // Names that share a short-name basis get distinct ~N tails.
  for (int i = 0; i < 12; ++i) {
    const std::string name = "Long File Name Number " + std::to_string(i) + ".text";
    ASSERT_TRUE(m->create(root, sv(name), abi::kModeRegular | 0644).ok());
  }
  EXPECT_TRUE(m->lookup(root, "LONGFI~1.TEX").ok());
  const std::string unicode = "Ünïcödé ñame € 😀.txt";
  EXPECT_TRUE(m->create(root, sv(unicode), abi::kModeRegular | 0644).ok());
  EXPECT_TRUE(m->lookup(root, "üNÏCÖDÉ ÑAME € 😀.TXT").ok());
  const auto names = list(*m.fs, root).value();
  EXPECT_EQ(names.count(unicode), 1u);
  EXPECT_EQ(names.count(longest), 1u);
  EXPECT_EQ(names.count("readme.txt"), 1u);
  // Read-only attribute from the mode.
  EXPECT_EQ(m->create(root, "locked", abi::kModeRegular | 0444).value().mode,
            abi::kModeRegular | 0444);
  EXPECT_EQ(m->symlink(root, "link", "target").error(), abi::kErrNotSupported);
  EXPECT_EQ(m->create(root, "fifo", 0010644).error(), abi::kErrInvalidArgument);
  unmount_and_check(m);
  const auto tree = mtools_tree(image);
  EXPECT_EQ(std::count(tree.begin(), tree.end(), "/" + longest), 1);
  EXPECT_EQ(std::count(tree.begin(), tree.end(), "/Long File Name Number 11.text"), 1);
}

TEST_P(FatImage, KeepsTimes) {
  Mount m(image);
  ASSERT_TRUE(m.ok());
  const int64_t now = now_ns();
  const FileStat st = m->create(m->root(), "timed", abi::kModeRegular | 0644).value();
  const int64_t second = 1000000000;
  EXPECT_LE(std::llabs(st.mtime_ns - now), 3 * second);
  EXPECT_LE(std::llabs(st.ctime_ns - now), 3 * second);
  // 2001-02-03 04:05:06 UTC.
  const int64_t when = 981173106 * second;
  ASSERT_TRUE(m->set_times(st.node, when, when).ok());
  const FileStat after = m->stat(st.node).value();
  EXPECT_EQ(after.mtime_ns, when);
  EXPECT_EQ(after.atime_ns, when - (4 * 3600 + 5 * 60 + 6) * second);  // a date only
  ASSERT_TRUE(m->set_times(st.node, abi::kTimeOmit, when + 1 * second).ok());
  EXPECT_EQ(m->stat(st.node).value().mtime_ns, when);  // 2-second steps
  unmount_and_check(m);
}

// FAT16's root directory has a fixed number of slots (512 here): it fills up.
TEST(FatRoot, Fat16RootDirectoryFills) {
  test::TempDir dir;
  const std::string image = dir.file("disk.img");
  ASSERT_TRUE(make_image(image, 16, 32));
  Mount m(image);
  ASSERT_TRUE(m.ok());
  int made = 0;
  for (;; ++made) {
    const std::string name = "root file " + std::to_string(made) + ".text";  // 2 LFN + 1 slots
    auto created = m->create(m->root(), sv(name), abi::kModeRegular | 0644);
    if (!created.ok()) {
      EXPECT_EQ(created.error(), abi::kErrNoSpace);
      break;
    }
  }
  EXPECT_EQ(made, 512 / 3);
  // A short name takes one slot: the last ones still fit.
  EXPECT_TRUE(m->create(m->root(), "LAST.TXT", abi::kModeRegular | 0644).ok());
  ASSERT_TRUE(m->unlink(m->root(), "root file 7.text", false).ok());
  EXPECT_TRUE(m->create(m->root(), "reused slots.txt", abi::kModeRegular | 0644).ok());
  ASSERT_TRUE(m->sync().ok());
  m.fs.reset();
  EXPECT_TRUE(fsck_clean(image));
  EXPECT_EQ(mtools_tree(image).size(), size_t(made + 1));
}

INSTANTIATE_TEST_SUITE_P(Fat, FatImage,
                         ::testing::Values(Layout{"Fat16", 16, 32, ""}, Layout{"Fat32", 32, 64, ""},
                                           Layout{"Fat16Sectors2K", 16, 32, "-S 2048 -s 1"},
                                           Layout{"Fat32Clusters4K", 32, 270, "-s 8"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace stellina::fs::fat_test
