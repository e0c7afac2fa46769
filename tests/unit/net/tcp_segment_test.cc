// The pieces under the TCP engine: segment parsing and writing, sequence arithmetic, the
// RTO estimator, the queues and the keyed hash for initial sequence numbers.
#include <gtest/gtest.h>

#include <vector>
#include "servers/tcpip/stack/tcp_buffer.h"
#include "servers/tcpip/stack/tcp_isn.h"
#include "servers/tcpip/stack/tcp_rtt.h"
#include "servers/tcpip/stack/tcp_segment.h"
#include "tests/unit/net/tcp_sim.h"

namespace tcpip {
namespace {

const Ipv4 kAddressA = Ipv4::of(10, 0, 0, 1);
const Ipv4 kAddressB = Ipv4::of(10, 0, 0, 2);

std::vector<uint8_t> make_segment(Ipv4 source, Ipv4 destination, const TcpHeader& header,
                                  const std::vector<uint8_t>& payload = {}) {
  std::vector<uint8_t> out(kTcpMaxHeaderSize);
  out.resize(tcp_write_header(out.data(), header));
  out.insert(out.end(), payload.begin(), payload.end());
  tcp_finish(out.data(), out.size(), source, destination);
  return out;
}

TEST(TcpSequence, ComparesAcrossTheWrap) {
  EXPECT_TRUE(seq_lt(0xfffffff0u, 0x10u));
  EXPECT_TRUE(seq_gt(0x10u, 0xfffffff0u));
  EXPECT_TRUE(seq_le(5, 5));
  EXPECT_FALSE(seq_lt(5, 5));
  EXPECT_EQ(seq_max(0xfffffff0u, 0x10u), 0x10u);
}

TEST(TcpSegment, WritesAndParsesAHeaderWithOptions) {
  TcpHeader h;
  h.source_port = 1234;
  h.destination_port = 80;
  h.seq = 0x01020304;
  h.ack = 0xa0b0c0d0;
  h.flags = kTcpSyn | kTcpAck;
  h.window = 4096;
  h.mss = 1460;
  h.window_shift = 7;
  const auto bytes = make_segment(kAddressA, kAddressB, h, {1, 2, 3});
  EXPECT_EQ(bytes.size(), 28u + 3u);
  TcpSegment seg;
  ASSERT_EQ(tcp_parse(kAddressA, kAddressB, bytes.data(), bytes.size(), seg), TcpDrop::None);
  EXPECT_EQ(seg.source_port, 1234);
  EXPECT_EQ(seg.destination_port, 80);
  EXPECT_EQ(seg.seq, 0x01020304u);
  EXPECT_EQ(seg.ack, 0xa0b0c0d0u);
  EXPECT_EQ(seg.flags, kTcpSyn | kTcpAck);
  EXPECT_EQ(seg.window, 4096);
  EXPECT_TRUE(seg.has_mss);
  EXPECT_EQ(seg.mss, 1460);
  EXPECT_TRUE(seg.has_window_shift);
  EXPECT_EQ(seg.window_shift, 7);
  ASSERT_EQ(seg.payload_size, 3u);
  EXPECT_EQ(seg.payload[2], 3);
  EXPECT_EQ(seg.length(), 4u);  // three bytes and the SYN
}

TEST(TcpSegment, TheChecksumCoversThePseudoHeader) {
  TcpHeader h;
  h.source_port = 1;
  h.destination_port = 2;
  h.flags = kTcpAck;
  auto bytes = make_segment(kAddressA, kAddressB, h, {9, 9});
  TcpSegment seg;
  EXPECT_EQ(tcp_parse(kAddressA, Ipv4::of(10, 0, 0, 3), bytes.data(), bytes.size(), seg),
            TcpDrop::BadChecksum);
  bytes[21] ^= 1;
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, bytes.data(), bytes.size(), seg), TcpDrop::BadChecksum);
}

// Rewrites the checksum after a test has damaged a header on purpose.
std::vector<uint8_t> refinish(std::vector<uint8_t> bytes) {
  tcp_finish(bytes.data(), bytes.size(), kAddressA, kAddressB);
  return bytes;
}

TEST(TcpSegment, RejectsMalformedHeaders) {
  TcpHeader h;
  h.source_port = 1;
  h.destination_port = 2;
  h.flags = kTcpAck;
  TcpSegment seg;
  const auto good = make_segment(kAddressA, kAddressB, h);
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, good.data(), 19, seg), TcpDrop::TooShort);

  auto bytes = good;
  bytes[12] = 4 << 4;  // data offset 16 bytes
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, refinish(bytes).data(), bytes.size(), seg),
            TcpDrop::BadHeaderLength);
  bytes[12] = 6 << 4;  // 24 bytes, past the end
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, refinish(bytes).data(), bytes.size(), seg),
            TcpDrop::BadHeaderLength);

  bytes = good;
  bytes[0] = bytes[1] = 0;  // source port 0
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, refinish(bytes).data(), bytes.size(), seg),
            TcpDrop::BadPort);

  bytes = good;
  bytes[13] = kTcpSyn | kTcpFin;
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, refinish(bytes).data(), bytes.size(), seg),
            TcpDrop::BadFlags);

  const auto broadcast = make_segment(kAddressA, Ipv4::of(255, 255, 255, 255), h);
  EXPECT_EQ(
      tcp_parse(kAddressA, Ipv4::of(255, 255, 255, 255), broadcast.data(), broadcast.size(), seg),
      TcpDrop::BadAddress);
}

TEST(TcpSegment, RejectsOptionsThatRunPastTheHeader) {
  TcpHeader h;
  h.source_port = 1;
  h.destination_port = 2;
  h.flags = kTcpSyn;
  h.mss = 1460;
  TcpSegment seg;
  auto bytes = make_segment(kAddressA, kAddressB, h);
  bytes[21] = 40;  // the MSS option claims 40 bytes
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, refinish(bytes).data(), bytes.size(), seg),
            TcpDrop::BadOptions);
  bytes[21] = 3;  // a wrong length for MSS
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, refinish(bytes).data(), bytes.size(), seg),
            TcpDrop::BadOptions);
  bytes[20] = 99;  // an unknown option, 3 bytes, then one byte of garbage with no length
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, refinish(bytes).data(), bytes.size(), seg),
            TcpDrop::BadOptions);
  bytes[21] = 4;  // unknown, 4 bytes: skipped
  EXPECT_EQ(tcp_parse(kAddressA, kAddressB, refinish(bytes).data(), bytes.size(), seg),
            TcpDrop::None);
  EXPECT_FALSE(seg.has_mss);
}

TEST(TcpSegment, CapsTheWindowScaleAt14) {
  TcpHeader h;
  h.source_port = 1;
  h.destination_port = 2;
  h.flags = kTcpSyn;
  h.window_shift = 20;
  const auto bytes = make_segment(kAddressA, kAddressB, h);
  TcpSegment seg;
  ASSERT_EQ(tcp_parse(kAddressA, kAddressB, bytes.data(), bytes.size(), seg), TcpDrop::None);
  EXPECT_EQ(seg.window_shift, 14);
}

TEST(TcpRtt, FollowsRfc6298) {
  TcpRtt rtt;
  rtt.init(1000, 200, 60000);
  EXPECT_EQ(rtt.rto_ms(), 1000u);
  rtt.sample(100);  // SRTT 100, RTTVAR 50, RTO 100 + 200 = 300
  EXPECT_EQ(rtt.srtt_ms(), 100u);
  EXPECT_EQ(rtt.rttvar_ms(), 50u);
  EXPECT_EQ(rtt.rto_ms(), 300u);
  rtt.sample(200);  // RTTVAR 3/4*50 + 1/4*100 = 62.5, SRTT 7/8*100 + 1/8*200 = 112.5
  EXPECT_EQ(rtt.srtt_ms(), 112u);
  EXPECT_EQ(rtt.rttvar_ms(), 62u);
  EXPECT_EQ(rtt.rto_ms(), 112u + 250u);
  for (int i = 0; i < 100; ++i) rtt.sample(1);
  EXPECT_EQ(rtt.rto_ms(), 200u);  // bounded below
  rtt.backoff();
  EXPECT_EQ(rtt.rto_ms(), 400u);
  for (int i = 0; i < 20; ++i) rtt.backoff();
  EXPECT_EQ(rtt.rto_ms(), 60000u);  // bounded above
  rtt.reset_backoff();
  EXPECT_EQ(rtt.rto_ms(), 200u);
}

TEST(TcpBuffer, GrowsAsItFillsWrapsAroundAndGivesItsMemoryBack) {
  test::TestMemory memory;
  TcpMemoryBudget budget(memory, 1 << 20);
  TcpBuffer ring;
  EXPECT_EQ(ring.capacity(), 0u);  // nothing until the first byte
  std::vector<uint8_t> data(8192);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  EXPECT_EQ(ring.append(data.data(), 1500, budget), 1500u);
  EXPECT_EQ(ring.capacity(), TcpBuffer::kMinCapacity);
  ring.consume(1000);
  EXPECT_EQ(ring.append(data.data() + 1500, 1500, budget), 1500u);  // wraps in 2 KiB
  EXPECT_EQ(ring.capacity(), TcpBuffer::kMinCapacity);
  EXPECT_EQ(ring.append(data.data() + 3000, 3000, budget), 3000u);  // grows to 8 KiB
  EXPECT_EQ(ring.capacity(), 8192u);
  std::vector<uint8_t> out(5000);
  ring.peek(0, out.data(), 5000);
  for (size_t i = 0; i < 5000; ++i) ASSERT_EQ(out[i], data[1000 + i]) << i;
  ring.consume(5000);
  ring.release(budget);
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(memory.blocks, 0u);
}

TEST(TcpBuffer, KeepsDataPastItsEndAcrossGrowth) {
  test::TestMemory memory;
  TcpMemoryBudget budget(memory, 1 << 20);
  TcpBuffer ring;
  uint8_t data[16];
  for (int i = 0; i < 16; ++i) data[i] = static_cast<uint8_t>(i);
  ASSERT_TRUE(ring.reserve(7, budget));
  ring.write_at(4, data, 3);                // out of order: bytes 4..6
  ASSERT_TRUE(ring.reserve(5000, budget));  // grows; bytes 4..6 keep their place
  ring.write_at(0, data + 10, 4);
  ring.commit(7);
  uint8_t out[7];
  ring.peek(0, out, 7);
  EXPECT_EQ(out[0], 10);
  EXPECT_EQ(out[4], 0);
  EXPECT_EQ(out[6], 2);
  ring.consume(7);
  ring.release(budget);
  EXPECT_EQ(memory.bytes, 0u);
}

TEST(TcpBuffer, StopsAtItsBoundAndAtTheBudget) {
  test::TestMemory memory;
  TcpMemoryBudget budget(memory, 4096);
  TcpBuffer ring;
  std::vector<uint8_t> data(kTcpBufferSize + 10);
  // 64 KiB at once is past the budget: it grows by one step (2 KiB) and takes what fits.
  EXPECT_EQ(ring.append(data.data(), data.size(), budget), 2048u);
  EXPECT_EQ(budget.refusals(), 1u);
  EXPECT_EQ(ring.append(data.data(), 4096, budget), 0u);  // 4 KiB more is past it too
  EXPECT_EQ(budget.refusals(), 3u);
  EXPECT_FALSE(ring.reserve(kTcpBufferSize + 1, budget));  // past the bound
  ring.consume(ring.size());
  ring.release(budget);
  TcpMemoryBudget big(memory, size_t{1} << 20);
  EXPECT_EQ(ring.append(data.data(), data.size(), big), kTcpBufferSize);  // its bound
  EXPECT_EQ(ring.free(), 0u);
  ring.consume(ring.size());
  ring.release(big);
}

TEST(TcpIsn, SipHashMatchesTheReferenceVectors) {
  // The SipHash-2-4 paper's key 00 01 .. 0f over the messages 00 01 .. (n-1).
  const TcpSecret key{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
  uint8_t message[15];
  for (int i = 0; i < 15; ++i) message[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(siphash24(key, message, 0), 0x726fdb47dd0e0e31ull);
  EXPECT_EQ(siphash24(key, message, 15), 0xa129ca6149be45e5ull);
}

TEST(TcpIsn, DependsOnTheSecretTheTupleAndTheClock) {
  const TcpSecret one{1, 2};
  const TcpSecret two{3, 4};
  const uint32_t base = tcp_initial_sequence(one, 0, kAddressA, 1000, kAddressB, 80);
  EXPECT_NE(base, tcp_initial_sequence(two, 0, kAddressA, 1000, kAddressB, 80));
  EXPECT_NE(base, tcp_initial_sequence(one, 0, kAddressA, 1001, kAddressB, 80));
  EXPECT_EQ(base + 250, tcp_initial_sequence(one, 1, kAddressA, 1000, kAddressB, 80));
}

}  // namespace
}  // namespace tcpip
