#include <lib/ethernet_batch.h>
#include <stellina/messages.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

namespace abi = stellina::abi;
using lib::EthernetBatchReader;
using lib::EthernetBatchWriter;
using lib::EthernetFrame;

// A batch as raw bytes: the header, then each (length, bytes) as given; `lengths` may lie.
std::vector<uint8_t> batch(abi::EthernetOp op, uint32_t count,
                           const std::vector<std::vector<uint8_t>>& frames,
                           const std::vector<uint16_t>& lengths = {}) {
  std::vector<uint8_t> out(sizeof(abi::EthernetBatch));
  const abi::EthernetBatch header{op, count};
  std::memcpy(out.data(), &header, sizeof(header));
  for (size_t i = 0; i < frames.size(); ++i) {
    const uint16_t length =
        i < lengths.size() ? lengths[i] : static_cast<uint16_t>(frames[i].size());
    out.push_back(static_cast<uint8_t>(length));
    out.push_back(static_cast<uint8_t>(length >> 8));
    out.insert(out.end(), frames[i].begin(), frames[i].end());
  }
  return out;
}

std::vector<uint8_t> frame(size_t length, uint8_t fill) {
  return std::vector<uint8_t>(length, fill);
}

lib::Error error_of(const std::vector<uint8_t>& bytes) {
  auto r = EthernetBatchReader::open(bytes.data(), bytes.size());
  EXPECT_FALSE(r.ok());
  return r.ok() ? lib::Error::NoMemory : r.error();
}

TEST(EthernetBatch, ReadsFramesInOrder) {
  const auto bytes = batch(abi::EthernetOp::Frames, 3,
                           {frame(14, 1), frame(60, 2), frame(abi::kEthernetMaxFrame, 3)});
  auto r = EthernetBatchReader::open(bytes.data(), bytes.size());
  ASSERT_TRUE(r.ok());
  EthernetBatchReader reader = r.release_value();
  EXPECT_EQ(reader.op(), abi::EthernetOp::Frames);
  EXPECT_EQ(reader.count(), 3u);
  EXPECT_FALSE(reader.has_info());
  EthernetFrame f{};
  const uint16_t want[] = {14, 60, static_cast<uint16_t>(abi::kEthernetMaxFrame)};
  for (uint8_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(reader.next(f));
    EXPECT_EQ(f.length, want[i]);
    EXPECT_EQ(f.data[0], i + 1);
    EXPECT_EQ(f.data[f.length - 1], i + 1);
  }
  EXPECT_FALSE(reader.next(f));
}

TEST(EthernetBatch, EmptyFramesBatchIsValid) {
  const auto bytes = batch(abi::EthernetOp::Frames, 0, {});
  auto r = EthernetBatchReader::open(bytes.data(), bytes.size());
  ASSERT_TRUE(r.ok());
  EthernetFrame f{};
  EXPECT_FALSE(r.value().next(f));
}

TEST(EthernetBatch, RefusesTruncatedBatches) {
  const auto whole = batch(abi::EthernetOp::Frames, 2, {frame(20, 1), frame(30, 2)});
  // Every proper prefix: inside the header, inside a length, inside a frame.
  for (size_t size = 0; size < whole.size(); ++size) {
    auto r = EthernetBatchReader::open(whole.data(), size);
    EXPECT_FALSE(r.ok()) << "size " << size;
    if (!r.ok()) EXPECT_EQ(r.error(), lib::Error::InvalidArgument) << "size " << size;
  }
  EXPECT_TRUE(EthernetBatchReader::open(whole.data(), whole.size()).ok());
}

TEST(EthernetBatch, RefusesCountLargerThanPresent) {
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 3, {frame(20, 1), frame(30, 2)})),
            lib::Error::InvalidArgument);
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 0xffffffff, {frame(20, 1)})),
            lib::Error::InvalidArgument);
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 1, {})), lib::Error::InvalidArgument);
}

TEST(EthernetBatch, RefusesBytesAfterTheLastFrame) {
  auto bytes = batch(abi::EthernetOp::Frames, 1, {frame(20, 1), frame(30, 2)});
  EXPECT_EQ(error_of(bytes), lib::Error::InvalidArgument);
  bytes = batch(abi::EthernetOp::Frames, 1, {frame(20, 1)});
  bytes.push_back(0);
  EXPECT_EQ(error_of(bytes), lib::Error::InvalidArgument);
}

TEST(EthernetBatch, RefusesFrameLengthsOutOfRange) {
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 1, {frame(abi::kEthernetMinFrame - 1, 1)})),
            lib::Error::OutOfRange);
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 1, {frame(0, 1)})), lib::Error::OutOfRange);
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 1, {frame(abi::kEthernetMaxFrame + 1, 1)})),
            lib::Error::OutOfRange);
  // A length that claims more than the frame has, and one far over the maximum whose bytes
  // are not there: the range is checked before anything is read.
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 1, {frame(20, 1)}, {21})),
            lib::Error::InvalidArgument);
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 1, {frame(20, 1)}, {0xffff})),
            lib::Error::OutOfRange);
  // A bad frame after good ones refuses the whole batch.
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Frames, 3, {frame(20, 1), frame(30, 2), frame(2, 3)})),
            lib::Error::OutOfRange);
}

TEST(EthernetBatch, InfoRequestsAndAnswers) {
  const auto request = batch(abi::EthernetOp::Info, 0, {});
  auto r = EthernetBatchReader::open(request.data(), request.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().op(), abi::EthernetOp::Info);
  EXPECT_FALSE(r.value().has_info());
  EthernetFrame f{};
  EXPECT_FALSE(r.value().next(f));

  abi::EthernetInfo info{};
  info.mac[0] = 0x52;
  info.mac[5] = 0x56;
  info.mtu = 1500;
  info.link_up = 1;
  info.rx_frames = 7;
  uint8_t answer[lib::kEthernetInfoMessage + 4];
  auto written = lib::write_ethernet_info(answer, sizeof(answer), &info);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written.value(), lib::kEthernetInfoMessage);
  auto a = EthernetBatchReader::open(answer, written.value());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a.value().has_info());
  EXPECT_EQ(a.value().info().mac[5], 0x56);
  EXPECT_EQ(a.value().info().mtu, 1500);
  EXPECT_EQ(a.value().info().rx_frames, 7u);

  auto req = lib::write_ethernet_info(answer, sizeof(answer), nullptr);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req.value(), sizeof(abi::EthernetBatch));
  EXPECT_EQ(lib::write_ethernet_info(answer, lib::kEthernetInfoMessage - 1, &info).error(),
            lib::Error::BufferTooSmall);
}

TEST(EthernetBatch, RefusesMalformedInfoAndUnknownOps) {
  EXPECT_EQ(error_of(batch(abi::EthernetOp::Info, 1, {})), lib::Error::InvalidArgument);
  auto bytes = batch(abi::EthernetOp::Info, 0, {});
  bytes.resize(bytes.size() + sizeof(abi::EthernetInfo) - 1);
  EXPECT_EQ(error_of(bytes), lib::Error::InvalidArgument);
  EXPECT_EQ(error_of(batch(static_cast<abi::EthernetOp>(7), 0, {})), lib::Error::InvalidArgument);
}

TEST(EthernetBatch, WriterPacksUntilFull) {
  uint8_t buffer[abi::kMaxMessageData];
  EthernetBatchWriter writer(buffer);
  EXPECT_TRUE(writer.empty());
  EXPECT_EQ(writer.size(), sizeof(abi::EthernetBatch));
  const auto big = frame(abi::kEthernetMaxFrame, 9);
  // 4096 bytes hold the header and two full-size frames (2 * 1516), not three.
  ASSERT_TRUE(writer.add(big.data(), big.size()).ok());
  ASSERT_TRUE(writer.add(big.data(), big.size()).ok());
  EXPECT_FALSE(writer.fits(big.size()));
  EXPECT_EQ(writer.add(big.data(), big.size()).error(), lib::Error::NoResources);
  const size_t left = sizeof(buffer) - writer.size() - sizeof(uint16_t);
  EXPECT_TRUE(writer.fits(left));
  const auto last = frame(left, 4);
  ASSERT_TRUE(writer.add(last.data(), last.size()).ok());
  EXPECT_EQ(writer.size(), sizeof(buffer));
  EXPECT_FALSE(writer.fits(0));
  EXPECT_EQ(writer.count(), 3u);

  auto r = EthernetBatchReader::open(writer.data(), writer.size());
  ASSERT_TRUE(r.ok());
  EthernetBatchReader reader = r.release_value();
  EXPECT_EQ(reader.count(), 3u);
  EthernetFrame f{};
  ASSERT_TRUE(reader.next(f));
  EXPECT_EQ(f.length, abi::kEthernetMaxFrame);
  ASSERT_TRUE(reader.next(f));
  ASSERT_TRUE(reader.next(f));
  EXPECT_EQ(f.length, left);
  EXPECT_EQ(f.data[0], 4);
  EXPECT_FALSE(reader.next(f));

  writer.clear();
  EXPECT_EQ(writer.count(), 0u);
  auto empty = EthernetBatchReader::open(writer.data(), writer.size());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.value().count(), 0u);
}

TEST(EthernetBatch, WriterRefusesLengthsOutOfRange) {
  uint8_t buffer[256];
  EthernetBatchWriter writer(buffer);
  const auto small = frame(abi::kEthernetMinFrame - 1, 1);
  const auto big = frame(abi::kEthernetMaxFrame + 1, 1);
  EXPECT_EQ(writer.add(small.data(), small.size()).error(), lib::Error::OutOfRange);
  EXPECT_EQ(writer.add(big.data(), big.size()).error(), lib::Error::OutOfRange);
  EXPECT_TRUE(writer.empty());
}

}  // namespace
