#include "servers/fs/devfs/devfs.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "servers/fs/core/memory.h"

namespace stellina::fs {
namespace {

// RFC 8439 2.3.2: the block function's test vector.
TEST(ChaCha20, BlockMatchesRfc8439) {
  uint32_t key[8];
  for (uint32_t i = 0; i < 8; ++i)
    key[i] = (4 * i) | (4 * i + 1) << 8 | (4 * i + 2) << 16 | (4 * i + 3) << 24;
  const uint32_t nonce[3] = {0x09000000, 0x4a000000, 0x00000000};
  uint8_t out[64];
  chacha20_block(key, 1, nonce, out);
  const uint8_t expected[16] = {0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
                                0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4};
  EXPECT_EQ(std::memcmp(out, expected, sizeof(expected)), 0);
  const uint8_t tail[4] = {0xa2, 0x50, 0x3c, 0x4e};
  EXPECT_EQ(std::memcmp(out + 60, tail, sizeof(tail)), 0);
}

TEST(ChaCha20, GeneratorNeverRepeatsAndDependsOnItsSeed) {
  ChaCha20Rng a, b;
  a.mix("seed one", 8);
  b.mix("seed two", 8);
  uint8_t x[100], y[100], z[100];
  a.fill(x, sizeof(x));
  a.fill(y, sizeof(y));
  b.fill(z, sizeof(z));
  EXPECT_NE(std::memcmp(x, y, sizeof(x)), 0);
  EXPECT_NE(std::memcmp(x, z, sizeof(x)), 0);
  int zeros = 0;
  for (uint8_t v : x) zeros += v == 0;
  EXPECT_LT(zeros, 10);
}

class Names final : public DirVisitor {
 public:
  bool visit(InodeId, uint32_t type, lib::StringView name, uint64_t) override {
    EXPECT_EQ(type, abi::kModeCharDevice);
    seen += std::string(name.data(), name.size()) + " ";
    return true;
  }
  std::string seen;
};

class DevFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rng.mix("test", 4);
    fs = make_devfs(rng).value();
  }
  void TearDown() override { destroy(fs); }
  InodeId node(const char* name) { return fs->lookup(fs->root(), name).value().node; }

  ChaCha20Rng rng;
  FileSystem* fs = nullptr;
};

TEST_F(DevFsTest, ListsItsDevicesAsCharacterDevices) {
  Names names;
  EXPECT_EQ(fs->readdir(fs->root(), 0, names).value(), 0u);
  EXPECT_EQ(names.seen, "null zero full random urandom ");
  const FileStat st = fs->stat(node("null")).value();
  EXPECT_EQ(st.mode & abi::kModeTypeMask, abi::kModeCharDevice);
  EXPECT_EQ(fs->lookup(fs->root(), "tty").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->lookup(node("null"), "x").error(), abi::kErrNotDirectory);
}

TEST_F(DevFsTest, NullZeroAndFullBehaveAsUnix) {
  char buffer[64];
  std::memset(buffer, 'x', sizeof(buffer));
  EXPECT_EQ(fs->read(node("null"), 0, buffer, sizeof(buffer)).value(), 0u);
  EXPECT_EQ(fs->write(node("null"), 0, buffer, sizeof(buffer)).value(), sizeof(buffer));
  EXPECT_EQ(fs->read(node("zero"), 12345, buffer, sizeof(buffer)).value(), sizeof(buffer));
  for (char c : buffer) EXPECT_EQ(c, 0);
  EXPECT_EQ(fs->write(node("full"), 0, buffer, 1).error(), abi::kErrNoSpace);
  EXPECT_TRUE(fs->truncate(node("null"), 0).ok());  // "> /dev/null"
}

TEST_F(DevFsTest, RandomReadsDifferEachTimeAndWritesMixIn) {
  uint8_t a[32], b[32];
  EXPECT_EQ(fs->read(node("urandom"), 0, a, sizeof(a)).value(), sizeof(a));
  EXPECT_EQ(fs->read(node("random"), 0, b, sizeof(b)).value(), sizeof(b));
  EXPECT_NE(std::memcmp(a, b, sizeof(a)), 0);
  EXPECT_EQ(fs->write(node("random"), 0, "entropy", 7).value(), 7u);
}

TEST_F(DevFsTest, NothingCanBeMadeOrRemoved) {
  EXPECT_EQ(fs->create(fs->root(), "x", abi::kModeRegular | 0644).error(), abi::kErrAccessDenied);
  EXPECT_EQ(fs->unlink(fs->root(), "null", false).error(), abi::kErrAccessDenied);
  EXPECT_EQ(fs->rename(fs->root(), "null", fs->root(), "nil").error(), abi::kErrAccessDenied);
}

}  // namespace
}  // namespace stellina::fs
