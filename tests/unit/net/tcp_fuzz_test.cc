// Random and half-plausible segments against a listening engine and a connected one: nothing
// may crash (the sanitizers watch), every segment the engine sends must be well-formed, and
// the connection table must stay consistent.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "servers/tcpip/stack/tcp.h"
#include "tests/unit/net/tcp_sim.h"

namespace tcpip {
namespace {

using test::kAddressA;
using test::kAddressB;
using test::make_segment;
using test::Recorder;

constexpr uint16_t kPort = 80;
constexpr uint16_t kPeerPort = 40000;
constexpr size_t kSlots = 4;

void check_invariants(const Tcp& tcp) {
  for (size_t i = 0; i < tcp.slot_capacity(); ++i) {
    if (tcp.slot(i) == nullptr) continue;
    const TcpConnection& c = *tcp.slot(i);
    ASSERT_NE(c.state, TcpState::Listen);
    ASSERT_TRUE(seq_le(c.snd_una, c.snd_nxt));
    ASSERT_TRUE(seq_le(c.snd_nxt, c.snd_max));
    // The send queue starts at snd_una, one past it (the SYN is not acknowledged yet), or one
    // before it (the FIN is acknowledged).
    const uint32_t gap = c.snd_base - c.snd_una;
    ASSERT_TRUE(gap == 0 || gap == 1 || gap == 0xffffffff);
    ASSERT_LE(c.send.size(), c.send.capacity());
    ASSERT_LE(c.recv.size(), c.recv.capacity());
    ASSERT_LE(c.send.capacity(), kTcpBufferSize);
    ASSERT_LE(c.recv.capacity(), kTcpBufferSize);
    ASSERT_LE(c.range_count, kTcpMaxRanges);
    for (uint8_t r = 0; r < c.range_count; ++r) {
      ASSERT_TRUE(seq_gt(c.ranges[r].begin, c.rcv_nxt));
      ASSERT_TRUE(seq_lt(c.ranges[r].begin, c.ranges[r].end));
      ASSERT_TRUE(seq_le(c.ranges[r].end, c.rcv_nxt + static_cast<uint32_t>(c.recv.free())));
    }
    ASSERT_GE(c.snd_mss, 64);
    ASSERT_LE(c.snd_mss, kTcpMaxMss);
  }
}

void check_output(const Recorder& out, size_t from) {
  for (size_t i = from; i < out.sent.size(); ++i) {
    TcpSegment seg;
    ASSERT_EQ(tcp_parse(out.sent[i].source, out.sent[i].destination, out.sent[i].bytes.data(),
                        out.sent[i].bytes.size(), seg),
              TcpDrop::None);
    ASSERT_EQ(out.sent[i].source, kAddressA);
    ASSERT_LE(seg.payload_size, kTcpMaxMss);
  }
}

class Fuzzer {
 public:
  explicit Fuzzer(uint64_t seed) : random_(seed), engine_(out_, kSlots, test::test_config(seed)) {}

  Tcp& tcp() { return engine_.tcp; }

  uint32_t pick(uint32_t bound) { return static_cast<uint32_t>(random_() % bound); }

  // Something near a value the connection uses, or anything at all.
  uint32_t near(uint32_t value) {
    switch (pick(4)) {
      case 0: return static_cast<uint32_t>(random_());
      case 1: return value;
      default: return value + pick(140000) - 70000;
    }
  }

  std::vector<uint8_t> segment() {
    const TcpConnection* c = nullptr;
    for (size_t i = 0; i < tcp().slot_capacity(); ++i) {
      if (tcp().slot(i) != nullptr && pick(2) == 0) c = tcp().slot(i);
    }
    if (pick(10) == 0) {  // raw garbage
      std::vector<uint8_t> bytes(pick(80));
      for (uint8_t& b : bytes) b = static_cast<uint8_t>(random_());
      return bytes;
    }
    TcpHeader h;
    h.source_port = c != nullptr && pick(8) != 0 ? c->remote_port : kPeerPort + pick(3);
    h.destination_port = c != nullptr && pick(8) != 0 ? c->local_port : kPort;
    h.seq = near(c != nullptr ? c->rcv_nxt : 1000);
    h.ack = near(c != nullptr ? c->snd_una : 0);
    h.flags = static_cast<uint8_t>(pick(64));
    if (pick(3) != 0) h.flags = (h.flags & ~(kTcpSyn | kTcpRst)) | kTcpAck;  // mostly plausible
    h.window = static_cast<uint16_t>(pick(3) == 0 ? 0 : random_());
    if (pick(4) == 0) h.mss = static_cast<uint16_t>(random_());
    if (pick(4) == 0) h.window_shift = static_cast<int8_t>(pick(20));
    std::vector<uint8_t> payload(pick(3) == 0 ? pick(3000) : 0);
    for (uint8_t& b : payload) b = static_cast<uint8_t>(random_());
    auto bytes = make_segment(kAddressB, kAddressA, h, payload);
    if (pick(8) == 0) {  // damage the header or its options, then maybe fix the checksum
      bytes[12 + pick(static_cast<uint32_t>(bytes.size() - 12 < 20 ? bytes.size() - 12 : 20))] =
          static_cast<uint8_t>(random_());
      if (pick(2) == 0) tcp_finish(bytes.data(), bytes.size(), kAddressB, kAddressA);
    }
    if (pick(10) == 0) bytes.resize(pick(static_cast<uint32_t>(bytes.size()) + 1));
    return bytes;
  }

  void run(int rounds, const std::vector<TcpSocket>& sockets) {
    uint8_t buffer[2048];
    for (int i = 0; i < rounds; ++i) {
      const size_t before = out_.sent.size();
      const auto bytes = segment();
      tcp().receive(kAddressB, kAddressA, bytes.data(), bytes.size(), now_);
      if (pick(4) == 0) {
        now_ += pick(3) == 0 ? pick(5000) : pick(50);
        out_.now = now_;
        tcp().tick(now_);
      }
      for (TcpSocket s : sockets) {  // the owner keeps using its sockets
        (void)tcp().write(s, buffer, pick(sizeof(buffer)), now_);
        (void)tcp().read(s, buffer, sizeof(buffer), now_);
      }
      ASSERT_NO_FATAL_FAILURE(check_invariants(tcp()));
      ASSERT_NO_FATAL_FAILURE(check_output(out_, before));
      ASSERT_LE(tcp().slots_in_use(), kSlots);
      ASSERT_TRUE(tcp().next_deadline() == kTcpNoDeadline || tcp().next_deadline() >= now_);
    }
  }

  Recorder out_;
  uint64_t now_ = 0;

 private:
  std::mt19937_64 random_;
  test::Engine engine_;
};

TEST(TcpFuzz, RandomSegmentsAgainstAListener) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    Fuzzer f(seed);
    auto listener = f.tcp().listen(kAddressA, kPort, 3);
    ASSERT_TRUE(listener.ok());
    ASSERT_NO_FATAL_FAILURE(f.run(20000, {}));
    const TcpCounters& c = f.tcp().counters();
    EXPECT_EQ(c.segments_in, 20000u);
    EXPECT_GT(c.dropped(TcpDrop::BadChecksum), 0u);
    EXPECT_GT(c.dropped(TcpDrop::TooShort), 0u);
  }
}

TEST(TcpFuzz, RandomSegmentsAgainstConnections) {
  for (uint64_t seed = 11; seed <= 14; ++seed) {
    Fuzzer f(seed);
    auto listener = f.tcp().listen(kAddressA, kPort, 3);
    ASSERT_TRUE(listener.ok());
    // One passive connection from a real handshake, one active.
    TcpHeader h;
    h.source_port = kPeerPort;
    h.destination_port = kPort;
    h.seq = 1000;
    h.flags = kTcpSyn;
    h.window = 0xffff;
    auto syn = make_segment(kAddressB, kAddressA, h);
    f.tcp().receive(kAddressB, kAddressA, syn.data(), syn.size(), 0);
    const TcpSegment syn_ack = f.out_.sent.back().parse();
    h.seq = 1001;
    h.ack = syn_ack.seq + 1;
    h.flags = kTcpAck;
    auto ack = make_segment(kAddressB, kAddressA, h);
    f.tcp().receive(kAddressB, kAddressA, ack.data(), ack.size(), 0);
    auto passive = f.tcp().accept(listener.value());
    ASSERT_TRUE(passive.ok());
    auto active = f.tcp().connect(kAddressA, kAddressB, 5000, 0);
    ASSERT_TRUE(active.ok());
    ASSERT_NO_FATAL_FAILURE(f.run(20000, {passive.value(), active.value()}));
    uint32_t states[kTcpStateCount];
    f.tcp().count_states(states);
    uint32_t total = 0;
    for (uint32_t n : states) total += n;
    // The slots, the connections in TIME_WAIT's table, and the listener.
    EXPECT_EQ(total, f.tcp().slots_in_use() + f.tcp().time_wait_in_use() + 1);
  }
}

}  // namespace
}  // namespace tcpip
