#include "servers/fs/core/block_cache.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "servers/fs/core/memory.h"
#include "tests/unit/fs/image_device.h"
#include "tests/unit/temp_dir.h"

namespace stellina::fs {
namespace {

struct Destroy {
  void operator()(BlockCache* c) const { destroy(c); }
};
std::unique_ptr<BlockCache, Destroy> owned(BlockCache* c) { return {c, Destroy{}}; }

class BlockCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir.ok());
    ASSERT_EQ(test::run("truncate -s 1M " + dir.file("disk")), 0);
    device = std::make_unique<test::ImageDevice>(dir.file("disk"));
    ASSERT_TRUE(device->ok());
  }
  std::vector<uint8_t> on_disk(uint64_t block, uint32_t size) {
    std::vector<uint8_t> bytes(size);
    EXPECT_TRUE(device->read(block * size / 512, size / 512, bytes.data()).ok());
    return bytes;
  }
  test::TempDir dir;
  std::unique_ptr<test::ImageDevice> device;
};

TEST_F(BlockCacheTest, RefusesBadSizes) {
  EXPECT_EQ(BlockCache::create(*device, 1000, 16).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(BlockCache::create(*device, 256, 16).error(), abi::kErrInvalidArgument);
  EXPECT_EQ(BlockCache::create(*device, 4096, 4).error(), abi::kErrInvalidArgument);
}

TEST_F(BlockCacheTest, WritesBackOnlyOnSyncOrReuse) {
  auto cache = owned(BlockCache::create(*device, 1024, 8).value());
  EXPECT_EQ(cache->block_count(), 1024u);
  {
    BlockRef b = cache->get(3).release_value();
    std::memset(b.data(), 0xab, 1024);
    b.mark_dirty();
  }
  EXPECT_EQ(on_disk(3, 1024)[0], 0);  // write-back: not yet on the disk
  EXPECT_EQ(cache->get(3).value().data()[5], 0xab);
  EXPECT_EQ(cache->stats().hits, 1u);
  const uint64_t flushes = device->flushes;
  ASSERT_TRUE(cache->sync().ok());
  EXPECT_EQ(on_disk(3, 1024)[1023], 0xab);
  EXPECT_EQ(device->flushes, flushes + 1);

  {
    BlockRef b = cache->get(4).release_value();
    b.data()[0] = 7;
    b.mark_dirty();
  }
  for (uint64_t n = 10; n < 30; ++n) ASSERT_TRUE(cache->get(n).ok());  // reuses every buffer
  EXPECT_EQ(on_disk(4, 1024)[0], 7);
}

TEST_F(BlockCacheTest, PinnedBuffersAreNotReused) {
  auto cache = owned(BlockCache::create(*device, 512, 8).value());
  std::vector<BlockRef> held;
  for (uint64_t n = 0; n < 8; ++n) held.push_back(cache->get(n).release_value());
  EXPECT_EQ(cache->get(100).error(), abi::kErrNoResources);
  held.pop_back();
  EXPECT_TRUE(cache->get(100).ok());
  EXPECT_EQ(cache->get(1u << 20).error(), abi::kErrInvalidArgument);  // past the end
}

TEST_F(BlockCacheTest, DirectIoIsCoherent) {
  auto cache = owned(BlockCache::create(*device, 4096, 8).value());
  {
    BlockRef b = cache->get_zeroed(2).release_value();
    b.data()[0] = 9;
  }
  std::vector<uint8_t> bytes(size_t{3} * 4096);
  ASSERT_TRUE(cache->read_direct(1, 3, bytes.data()).ok());
  EXPECT_EQ(bytes[4096], 9);  // the dirty cached block wins over the disk
  std::memset(bytes.data(), 5, bytes.size());
  ASSERT_TRUE(cache->write_direct(1, 3, bytes.data()).ok());
  EXPECT_EQ(cache->get(2).value().data()[0], 5);  // the cached copy was replaced
  ASSERT_TRUE(cache->sync().ok());
  EXPECT_EQ(on_disk(2, 4096)[0], 5);
}

TEST_F(BlockCacheTest, AFailedWriteBackKeepsTheBlockDirty) {
  auto cache = owned(BlockCache::create(*device, 512, 8).value());
  {
    BlockRef b = cache->get(1).release_value();
    b.data()[0] = 1;
    b.mark_dirty();
  }
  device->fail_writes = true;
  EXPECT_EQ(cache->sync().error(), abi::kErrFault);
  device->fail_writes = false;
  ASSERT_TRUE(cache->sync().ok());
  EXPECT_EQ(on_disk(1, 512)[0], 1);
}

}  // namespace
}  // namespace stellina::fs
