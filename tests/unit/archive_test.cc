#include <lib/archive.h>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "temp_dir.h"

namespace {

using lib::ArchiveEntry;
using lib::BootArchive;
using lib::ByteSpan;
using lib::Error;

constexpr size_t kHeader = BootArchive::kHeaderSize;
constexpr size_t kEntry = BootArchive::kEntrySize;

void put(std::vector<uint8_t>& b, size_t at, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) b[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// Builds an archive the way tools/mkarchive.py does (files taken in the given order, so
// tests can also build unsorted ones); tests then corrupt fields through the offsets below.
std::vector<uint8_t> build(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& files) {
  size_t offset = kHeader + kEntry * files.size();
  std::vector<size_t> offsets;
  for (const auto& f : files) {
    offset = (offset + 15) / 16 * 16;
    offsets.push_back(offset);
    offset += f.second.size();
  }
  std::vector<uint8_t> b(offset, 0);
  std::memcpy(b.data(), "STLARCH1", 8);
  put(b, 8, 1, 4);
  put(b, 12, files.size(), 4);
  put(b, 16, offset, 8);
  for (size_t i = 0; i < files.size(); ++i) {
    const size_t e = kHeader + kEntry * i;
    std::memcpy(b.data() + e, files[i].first.data(), std::min<size_t>(files[i].first.size(), 56));
    put(b, e + 56, offsets[i], 8);
    put(b, e + 64, files[i].second.size(), 8);
    put(b, e + 72, lib::crc32_ieee(files[i].second.data(), files[i].second.size()), 4);
    if (!files[i].second.empty()) {
      std::memcpy(b.data() + offsets[i], files[i].second.data(), files[i].second.size());
    }
  }
  return b;
}

// Three files: "config" (empty), "init" and "init.d" (the prefix case).
std::vector<uint8_t> sample() {
  return build(
      {{"config", {}}, {"init", bytes_of("the init program")}, {"init.d", bytes_of("scripts")}});
}

size_t entry_at(size_t i) { return kHeader + kEntry * i; }

Error open_error(const std::vector<uint8_t>& b) {
  auto r = BootArchive::open(b.data(), b.size());
  EXPECT_FALSE(r.ok()) << "opened an invalid archive";
  return r.ok() ? Error::NoMemory : r.error();
}

std::string str(ByteSpan s) { return {reinterpret_cast<const char*>(s.data), s.size}; }

TEST(BootArchive, Crc32MatchesTheStandardCheckValue) {
  const std::string check = "123456789";
  EXPECT_EQ(lib::crc32_ieee(reinterpret_cast<const uint8_t*>(check.data()), check.size()),
            0xcbf43926u);
  EXPECT_EQ(lib::crc32_ieee(nullptr, 0), 0u);
}

// The bytes of the named file, or "<error name>".
std::string find(const BootArchive& a, const char* name) {
  auto r = a.find(name);
  return r.ok() ? str(r.value()) : std::string("<") + lib::error_name(r.error()) + ">";
}

TEST(BootArchive, OpensAndFinds) {
  const auto b = sample();
  auto r = BootArchive::open(b.data(), b.size());
  ASSERT_TRUE(r.ok()) << lib::error_name(r.error());
  const BootArchive& a = r.value();
  ASSERT_EQ(a.count(), 3u);
  EXPECT_STREQ(a.entry(0).name, "config");
  EXPECT_STREQ(a.entry(1).name, "init");
  EXPECT_STREQ(a.entry(2).name, "init.d");
  EXPECT_EQ(a.entry(0).size, 0u);
  EXPECT_EQ(a.entry(1).size, 16u);
  EXPECT_EQ(a.entry(1).data, b.data() + 272);  // 24 + 3 * 80 = 264, aligned up to 16
  EXPECT_EQ(find(a, "config"), "");
  EXPECT_EQ(find(a, "init"), "the init program");
  EXPECT_EQ(find(a, "init.d"), "scripts");
  EXPECT_EQ(find(a, "ini"), "<not found>");
  EXPECT_EQ(find(a, "init."), "<not found>");
  EXPECT_EQ(find(a, "zzz"), "<not found>");
  EXPECT_EQ(find(a, ""), "<not found>");
  EXPECT_EQ(find(a, std::string(200, 'i').c_str()), "<not found>");
  EXPECT_EQ(a.find(nullptr).error(), Error::InvalidArgument);
  EXPECT_EQ(a.index_of("init.d").value(), 2u);
  EXPECT_TRUE(a.verify_all().ok());
  EXPECT_EQ(a.bytes().data, b.data());
  EXPECT_EQ(a.bytes().size, b.size());
}

TEST(BootArchive, EmptyArchiveAndTrailingBytes) {
  auto b = build({});
  ASSERT_EQ(b.size(), kHeader);
  auto r = BootArchive::open(b.data(), b.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().count(), 0u);
  EXPECT_EQ(r.value().find("init").error(), Error::NotFound);
  EXPECT_TRUE(r.value().verify_all().ok());

  // A boot loader may round the module up to a page: the extra bytes are ignored.
  b = sample();
  const size_t total = b.size();
  b.resize(4096, 0xee);
  auto padded = BootArchive::open(b.data(), b.size());
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(padded.value().bytes().size, total);
  EXPECT_EQ(find(padded.value(), "init.d"), "scripts");
}

TEST(BootArchive, FindsEveryNameAmongMany) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
  for (int i = 0; i < 300; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "file%04d", i * 7);
    files.push_back({name, bytes_of(std::string(static_cast<size_t>(i % 37),
                                                static_cast<char>('a' + i % 26)))});
  }
  const auto b = build(files);
  auto r = BootArchive::open(b.data(), b.size());
  ASSERT_TRUE(r.ok());
  for (const auto& f : files) {
    EXPECT_EQ(find(r.value(), f.first.c_str()), std::string(f.second.begin(), f.second.end()));
  }
  EXPECT_EQ(find(r.value(), "file0001"), "<not found>");
  EXPECT_TRUE(r.value().verify_all().ok());
}

TEST(BootArchive, RefusesBadHeaders) {
  const auto good = sample();
  EXPECT_EQ(BootArchive::open(nullptr, 100).error(), Error::InvalidArgument);
  EXPECT_EQ(BootArchive::open(good.data(), 0).error(), Error::OutOfRange);
  EXPECT_EQ(BootArchive::open(good.data(), kHeader - 1).error(), Error::OutOfRange);
  EXPECT_EQ(BootArchive::open(good.data(), good.size() - 1).error(), Error::OutOfRange);

  auto b = good;
  b[7] = '2';  // magic
  EXPECT_EQ(open_error(b), Error::InvalidArgument);
  b = good;
  put(b, 8, 2, 4);  // version
  EXPECT_EQ(open_error(b), Error::NotSupported);
  b = good;
  put(b, 16, kHeader - 1, 8);  // total_size below the header
  EXPECT_EQ(open_error(b), Error::OutOfRange);
  put(b, 16, ~uint64_t{0}, 8);
  EXPECT_EQ(open_error(b), Error::OutOfRange);
  b = good;
  put(b, 12, 0xffffffff, 4);  // the entry table would be 320 GiB
  EXPECT_EQ(open_error(b), Error::OutOfRange);
  b = good;
  put(b, 16, kHeader + 2 * kEntry, 8);  // three entries need more than that
  EXPECT_EQ(open_error(b), Error::OutOfRange);
}

TEST(BootArchive, RefusesBadNames) {
  struct Case {
    std::string field;  // the 56 bytes of the name field, NUL-padded
    const char* why;
  };
  const Case cases[] = {
      {std::string(56, '\0'), "empty"},
      {std::string(56, 'a'), "no NUL"},
      {std::string("co fig") + std::string(50, '\0'), "space"},
      {std::string("co\nfig") + std::string(50, '\0'), "control byte"},
      {std::string("co\xc3\xa9") + std::string(52, '\0'), "non-ASCII"},
      {std::string("config\0x", 8) + std::string(48, '\0'), "junk after the NUL"},
  };
  for (const Case& c : cases) {
    auto b = sample();
    ASSERT_EQ(c.field.size(), 56u);
    std::memcpy(b.data() + entry_at(0), c.field.data(), 56);
    EXPECT_EQ(open_error(b), Error::InvalidArgument) << c.why;
  }
  // 55 bytes is the longest name.
  const std::string longest(55, 'z');
  const auto b = build({{longest, bytes_of("x")}});
  auto r = BootArchive::open(b.data(), b.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(find(r.value(), longest.c_str()), "x");
}

TEST(BootArchive, RefusesDuplicateAndUnsortedNames) {
  auto b = build({{"init", bytes_of("a")}, {"init", bytes_of("b")}});
  EXPECT_EQ(open_error(b), Error::AlreadyExists);
  b = build({{"b", bytes_of("a")}, {"a", bytes_of("b")}});
  EXPECT_EQ(open_error(b), Error::InvalidArgument);
  b = build({{"init.d", bytes_of("a")}, {"init", bytes_of("b")}});
  EXPECT_EQ(open_error(b), Error::InvalidArgument);
}

TEST(BootArchive, RefusesBadOffsetsAndSizes) {
  const auto good = sample();
  const size_t e = entry_at(1);
  struct Case {
    uint64_t offset;
    uint64_t size;
    Error error;
    const char* why;
  };
  const uint64_t total = good.size();
  const Case cases[] = {
      {(total + 31) / 16 * 16, 0, Error::OutOfRange, "offset beyond the archive"},
      {total - total % 16, 32, Error::OutOfRange, "data beyond the archive"},
      {272, ~uint64_t{0} - 100, Error::OutOfRange, "offset + size overflows"},
      {~uint64_t{0} - 15, 32, Error::OutOfRange, "offset near the top"},
      {0, 8, Error::OutOfRange, "data in the header"},
      {256, 8, Error::OutOfRange, "data in the entry table"},
      {273, 8, Error::InvalidArgument, "unaligned"},
  };
  for (const Case& c : cases) {
    auto b = good;
    put(b, e + 56, c.offset, 8);
    put(b, e + 64, c.size, 8);
    EXPECT_EQ(open_error(b), c.error) << c.why;
  }
  auto b = good;
  put(b, e + 56, total - total % 16, 8);  // ends exactly at total_size: fine
  put(b, e + 64, total % 16, 8);
  EXPECT_TRUE(BootArchive::open(b.data(), b.size()).ok());
}

TEST(BootArchive, RefusesFlags) {
  auto b = sample();
  put(b, entry_at(2) + 76, 1, 4);
  EXPECT_EQ(open_error(b), Error::NotSupported);
}

TEST(BootArchive, VerifyCatchesCorruptData) {
  auto b = sample();
  b[b.size() - 1] ^= 0x20;  // "scripts" -> "scriptS"
  auto r = BootArchive::open(b.data(), b.size());
  ASSERT_TRUE(r.ok());  // open does not read the data
  const BootArchive& a = r.value();
  EXPECT_TRUE(a.verify(0).ok());
  EXPECT_TRUE(a.verify(1).ok());
  EXPECT_EQ(a.verify(2).error(), Error::InvalidArgument);
  EXPECT_EQ(a.verify_all().error(), Error::InvalidArgument);
  EXPECT_EQ(a.verify(3).error(), Error::OutOfRange);

  b = sample();
  put(b, entry_at(0) + 72, 1, 4);  // the empty file's crc must be 0
  auto r2 = BootArchive::open(b.data(), b.size());
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.value().verify(0).error(), Error::InvalidArgument);
}

// Mutates a valid archive thousands of times; each mutant lives in a buffer of exactly its
// size, so ASan catches any read past the end. Accepted mutants must keep every promise.
TEST(BootArchive, FuzzNeverCrashes) {
  const auto seed_archive = build({{"a", bytes_of("first")},
                                   {"bin/init", bytes_of(std::string(100, 'x'))},
                                   {"config", {}},
                                   {"z", bytes_of("last file")}});
  std::mt19937_64 rng(42);
  const uint64_t interesting[] = {0,
                                  1,
                                  15,
                                  16,
                                  24,
                                  80,
                                  104,
                                  0xff,
                                  0xffffffff,
                                  ~uint64_t{0},
                                  ~uint64_t{0} - 15,
                                  seed_archive.size(),
                                  seed_archive.size() + 1};
  int accepted = 0;
  int verified = 0;
  constexpr int kIterations = 30000;
  for (int it = 0; it < kIterations; ++it) {
    std::vector<uint8_t> m = seed_archive;
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < mutations && !m.empty(); ++k) {
      const size_t at = rng() % m.size();
      switch (rng() % 5) {
        case 0: m[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: m[at] = static_cast<uint8_t>(rng()); break;
        case 2: {
          const uint64_t v = interesting[rng() % std::size(interesting)];
          const size_t width = rng() % 2 ? 4 : 8;
          for (size_t i = 0; i < width && at + i < m.size(); ++i) {
            m[at + i] = static_cast<uint8_t>(v >> (8 * i));
          }
          break;
        }
        case 3: m[at] = static_cast<uint8_t>(m[at] + (rng() % 2 ? 1 : -1)); break;
        case 4: m.resize(rng() % (m.size() + 1)); break;
      }
    }
    const std::vector<uint8_t> exact(m.begin(), m.end());  // capacity == size
    auto r = BootArchive::open(exact.data(), exact.size());
    if (!r.ok()) continue;
    ++accepted;
    const BootArchive& a = r.value();
    ASSERT_LE(a.bytes().size, exact.size());
    const uint8_t* end = exact.data() + a.bytes().size;
    for (size_t i = 0; i < a.count(); ++i) {
      const ArchiveEntry e = a.entry(i);
      const size_t length = strnlen(e.name, 56);
      ASSERT_GT(length, 0u);
      ASSERT_LT(length, 56u);
      ASSERT_GE(e.data, exact.data() + kHeader + kEntry * a.count());
      ASSERT_LE(e.size, static_cast<size_t>(end - e.data));
      ASSERT_EQ((e.data - exact.data()) % 16, 0);
      auto index = a.index_of(e.name);
      ASSERT_TRUE(index.ok()) << "it " << it << ": " << e.name;
      ASSERT_EQ(index.value(), i);
      if (i > 0) ASSERT_LT(std::strcmp(a.entry(i - 1).name, e.name), 0);
      if (a.verify(i).ok()) ++verified;
    }
  }
  // Enough mutants must pass open() for the checks above to mean something.
  EXPECT_GT(accepted, kIterations / 20);
  EXPECT_GT(verified, 0);
}

// ---- Round trips through tools/mkarchive.py ----

using test::TempDir;

void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

// Runs mkarchive.py with the arguments; returns its exit status (0 on success).
int mkarchive(const TempDir& dir, const std::string& args) {
  const std::string cmd = std::string(STELLINA_PYTHON3) +
                          " " STELLINA_SOURCE_DIR "/tools/mkarchive.py " + args + " 2>" +
                          dir.file("stderr");
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string stderr_of(const TempDir& dir) {
  const auto b = read_file(dir.file("stderr"));
  return {b.begin(), b.end()};
}

TEST(BootArchive, RoundTripThroughThePacker) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::mt19937 rng(7);
  std::vector<uint8_t> big(100000);
  for (auto& byte : big) byte = static_cast<uint8_t>(rng());
  std::vector<uint8_t> every_byte(256);
  for (size_t i = 0; i < 256; ++i) every_byte[i] = static_cast<uint8_t>(i);
  write_file(dir.file("big.bin"), big);
  write_file(dir.file("bytes"), every_byte);
  write_file(dir.file("empty"), {});
  write_file(dir.file("hello.txt"), bytes_of("hello\n"));

  ASSERT_EQ(mkarchive(dir, dir.file("out.arc") + " bin/init=" + dir.file("big.bin") + " " +
                               dir.file("hello.txt") + " " + dir.file("empty") +
                               " etc/bytes=" + dir.file("bytes")),
            0)
      << stderr_of(dir);
  const auto archive = read_file(dir.file("out.arc"));
  auto r = BootArchive::open(archive.data(), archive.size());
  ASSERT_TRUE(r.ok()) << lib::error_name(r.error());
  const BootArchive& a = r.value();
  ASSERT_EQ(a.count(), 4u);
  EXPECT_EQ(a.bytes().size, archive.size());
  // Sorted by name; basenames when no NAME= was given.
  EXPECT_STREQ(a.entry(0).name, "bin/init");
  EXPECT_STREQ(a.entry(1).name, "empty");
  EXPECT_STREQ(a.entry(2).name, "etc/bytes");
  EXPECT_STREQ(a.entry(3).name, "hello.txt");
  for (size_t i = 0; i < a.count(); ++i) {
    EXPECT_EQ((a.entry(i).data - archive.data()) % 16, 0) << a.entry(i).name;
  }
  // The CRCs written by Python's zlib agree with crc32_ieee.
  EXPECT_TRUE(a.verify_all().ok());
  auto init = a.find("bin/init");
  ASSERT_TRUE(init.ok());
  ASSERT_EQ(init.value().size, big.size());
  EXPECT_EQ(std::memcmp(init.value().data, big.data(), big.size()), 0);
  EXPECT_EQ(find(a, "hello.txt"), "hello\n");
  EXPECT_EQ(find(a, "empty"), "");
  EXPECT_EQ(find(a, "etc/bytes"), std::string(every_byte.begin(), every_byte.end()));
}

// An ELF file starts on a page of the archive (the kernel maps its read-only segments from
// there); other files keep the 16-byte alignment.
TEST(BootArchive, PackerPutsElfFilesOnPages) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::vector<uint8_t> elf = bytes_of(
      "\x7f"
      "ELF");
  elf.resize(5000, 0xab);
  write_file(dir.file("a.txt"), bytes_of("seventeen bytes!!"));
  write_file(dir.file("b.elf"), elf);
  write_file(dir.file("c.txt"), bytes_of("x"));
  write_file(dir.file("d.elf"), elf);
  ASSERT_EQ(mkarchive(dir, dir.file("out.arc") + " " + dir.file("a.txt") + " " + dir.file("b.elf") +
                               " " + dir.file("c.txt") + " " + dir.file("d.elf")),
            0)
      << stderr_of(dir);
  const auto archive = read_file(dir.file("out.arc"));
  auto r = BootArchive::open(archive.data(), archive.size());
  ASSERT_TRUE(r.ok()) << lib::error_name(r.error());
  const BootArchive& a = r.value();
  ASSERT_EQ(a.count(), 4u);
  for (size_t i = 0; i < a.count(); ++i) {
    const size_t offset = static_cast<size_t>(a.entry(i).data - archive.data());
    const bool is_elf = std::string(a.entry(i).name).find(".elf") != std::string::npos;
    EXPECT_EQ(offset % (is_elf ? 4096 : 16), 0u) << a.entry(i).name;
  }
  // The rest of an ELF file's last page is zeroes: c.txt starts on the next page, and
  // d.elf follows c.txt on a page.
  EXPECT_EQ(static_cast<size_t>(a.entry(2).data - a.entry(1).data), 8192u);
  for (const uint8_t* p = a.entry(1).data + elf.size(); p < a.entry(2).data; ++p)
    ASSERT_EQ(*p, 0) << (p - archive.data());
  EXPECT_EQ(static_cast<size_t>(a.entry(3).data - a.entry(2).data), 4096u);
  // Other files keep the 16-byte alignment: a.txt follows the entry table on its page.
  EXPECT_LT(static_cast<size_t>(a.entry(0).data - archive.data()), 4096u);
  EXPECT_TRUE(a.verify_all().ok());
}

TEST(BootArchive, PackerWithNoFilesWritesAnEmptyArchive) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_EQ(mkarchive(dir, dir.file("out.arc")), 0) << stderr_of(dir);
  const auto archive = read_file(dir.file("out.arc"));
  auto r = BootArchive::open(archive.data(), archive.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().count(), 0u);
}

TEST(BootArchive, PackerRefusesBadNames) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  write_file(dir.file("a"), bytes_of("a"));
  const std::string a = dir.file("a");
  const std::string out = dir.file("out.arc");
  struct Case {
    std::string args;
    const char* message;
  };
  const Case cases[] = {
      {a + " " + a, "given twice"},
      {"x=" + a + " x=" + a, "given twice"},
      {std::string(56, 'n') + "=" + a, "at most 55"},
      {"'with space=" + a + "'", "printable ASCII"},
      {"=" + a, "empty file name"},
      {"x=", "no path"},
      {"x=" + dir.file("missing"), "cannot read"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(mkarchive(dir, out + " " + c.args), 1) << c.args;
    EXPECT_NE(stderr_of(dir).find(c.message), std::string::npos)
        << c.args << ": " << stderr_of(dir);
    EXPECT_FALSE(exists(out)) << c.args;
  }
  // The longest allowed name works.
  ASSERT_EQ(mkarchive(dir, out + " " + std::string(55, 'n') + "=" + a), 0) << stderr_of(dir);
  const auto archive = read_file(out);
  auto r = BootArchive::open(archive.data(), archive.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(find(r.value(), std::string(55, 'n').c_str()), "a");
}

}  // namespace
