// Two TCP engines over a simulated link: handshakes, bulk transfers under loss, reordering and
// duplication, and every way of closing.
#include <gtest/gtest.h>

#include <vector>

#include "servers/tcpip/stack/tcp.h"
#include "tests/unit/net/tcp_sim.h"

namespace tcpip {
namespace {

using test::kAddressA;
using test::kAddressB;
using test::Link;
using test::LinkOptions;

constexpr uint16_t kPort = 80;

struct Pair {
  TcpSocket server;  // on A
  TcpSocket client;  // on B
};

// B connects to a listener on A; returns both ends once A has accepted.
Pair open(Link& link) {
  auto listener = link.a().listen(kAddressA, kPort, 4);
  EXPECT_TRUE(listener.ok());
  auto client = link.b().connect(kAddressB, kAddressA, kPort, link.now());
  EXPECT_TRUE(client.ok());
  Pair pair{{}, client.value()};
  const bool accepted = link.run_until(
      [&] {
        auto s = link.a().accept(listener.value());
        if (s.ok()) pair.server = s.value();
        return s.ok() && (link.b().poll(pair.client) & kTcpConnected) != 0;
      },
      60000);
  EXPECT_TRUE(accepted);
  EXPECT_TRUE(link.a().close(listener.value(), link.now()).ok());
  return pair;
}

TcpState state(Tcp& tcp, TcpSocket s) {
  auto i = tcp.info(s);
  return i.ok() ? i.value().state : TcpState::Count;
}

TEST(TcpLink, HandshakeEstablishesBothEnds) {
  Link link(1);
  const Pair p = open(link);
  EXPECT_EQ(state(link.a(), p.server), TcpState::Established);
  EXPECT_EQ(state(link.b(), p.client), TcpState::Established);
  EXPECT_EQ(link.a().info(p.server).value().remote_port,
            link.b().info(p.client).value().local_port);
  EXPECT_GE(link.b().info(p.client).value().local_port, 49152);
  EXPECT_NE(link.a().poll(p.server) & kTcpWritable, 0u);
  EXPECT_EQ(link.a().poll(p.server) & kTcpReadable, 0u);
  EXPECT_EQ(link.a().counters().passive_opens, 1u);
  EXPECT_EQ(link.b().counters().active_opens, 1u);
  EXPECT_EQ(link.a().counters().dropped_total(), 0u);
}

// A pseudo-random byte stream both ends can compute.
uint8_t stream_byte(uint64_t seed, size_t i) {
  uint64_t x = (seed + i) * 0x9e3779b97f4a7c15ull;
  x ^= x >> 29;
  return static_cast<uint8_t>(x * 0xbf58476d1ce4e5b9ull >> 56);
}

// Sends size bytes each way at once, then closes from `first`; checks every byte at the far ends.
struct Transfer {
  Link& link;
  Pair pair;
  size_t size;
  size_t written[2] = {};
  size_t received[2] = {};
  bool mismatch = false;
  bool eof[2] = {};

  Tcp& tcp(int side) { return side == 0 ? link.a() : link.b(); }
  TcpSocket socket(int side) const { return side == 0 ? pair.server : pair.client; }

  void pump() {
    uint8_t buffer[4096];
    for (int side = 0; side < 2; ++side) {
      while (written[side] < size) {
        size_t n = size - written[side];
        if (n > sizeof(buffer)) n = sizeof(buffer);
        for (size_t i = 0; i < n; ++i) buffer[i] = stream_byte(side, written[side] + i);
        auto w = tcp(side).write(socket(side), buffer, n, link.now());
        if (!w.ok()) break;
        written[side] += w.value();
      }
      if (written[side] == size) (void)tcp(side).shutdown(socket(side), link.now());
      for (;;) {
        auto r = tcp(side).read(socket(side), buffer, sizeof(buffer), link.now());
        if (!r.ok()) break;
        if (r.value() == 0) {
          eof[side] = true;
          break;
        }
        for (size_t i = 0; i < r.value(); ++i) {
          if (buffer[i] != stream_byte(1 - side, received[side] + i)) mismatch = true;
        }
        received[side] += r.value();
      }
    }
  }
  bool done() {
    pump();
    return eof[0] && eof[1];
  }
};

void transfer_both_ways(uint64_t seed, LinkOptions options, size_t size) {
  Link link(seed, options);
  Transfer t{link, open(link), size};
  ASSERT_TRUE(link.run_until([&] { return t.done(); }, 600000))
      << "received " << t.received[0] << " and " << t.received[1] << " of " << size;
  EXPECT_FALSE(t.mismatch);
  EXPECT_EQ(t.received[0], size);
  EXPECT_EQ(t.received[1], size);
  // Both sides shut down and read the end: the connections close on their own.
  ASSERT_TRUE(link.run_until(
      [&] {
        return state(link.a(), t.pair.server) == TcpState::Closed &&
               state(link.b(), t.pair.client) == TcpState::Closed;
      },
      600000));
  EXPECT_EQ(link.a().info(t.pair.server).value().failure, TcpFailure::None);
  EXPECT_EQ(link.b().info(t.pair.client).value().failure, TcpFailure::None);
  EXPECT_TRUE(link.a().close(t.pair.server, link.now()).ok());
  EXPECT_TRUE(link.b().close(t.pair.client, link.now()).ok());
  EXPECT_EQ(link.a().slots_in_use(), 0u);
  EXPECT_EQ(link.b().slots_in_use(), 0u);
  if (options.loss > 0) {
    EXPECT_GT(link.a().counters().retransmits + link.b().counters().retransmits, 0u);
  }
}

TEST(TcpLink, TransfersBothWaysOnACleanLink) { transfer_both_ways(2, {}, size_t{512} * 1024); }

TEST(TcpLink, TransfersUnderLossReorderingAndDuplication) {
  LinkOptions options;
  options.loss = 0.07;
  options.reorder = 0.1;
  options.duplicate = 0.05;
  for (uint64_t seed = 100; seed < 120; ++seed) {
    SCOPED_TRACE(seed);
    transfer_both_ways(seed, options, size_t{300} * 1024);
  }
}

TEST(TcpLink, TransfersUnderHeavyLoss) {
  LinkOptions options;
  options.loss = 0.1;
  options.reorder = 0.1;
  options.duplicate = 0.1;
  options.reorder = 0.3;
  for (uint64_t seed = 1000; seed < 1020; ++seed) {
    SCOPED_TRACE(seed);
    transfer_both_ways(seed, options, size_t{200} * 1024);
  }
}

TEST(TcpLink, ClientClosesFirst) {
  Link link(3);
  const Pair p = open(link);
  ASSERT_TRUE(link.b().close(p.client, link.now()).ok());  // the client is done and releases
  ASSERT_TRUE(
      link.run_until([&] { return (link.a().poll(p.server) & kTcpPeerClosed) != 0; }, 10000));
  EXPECT_EQ(state(link.a(), p.server), TcpState::CloseWait);
  uint8_t byte;
  EXPECT_EQ(link.a().read(p.server, &byte, 1, link.now()).value(), 0u);  // end of stream
  // The client released its socket, so data would be answered with RST: close too.
  ASSERT_TRUE(link.a().close(p.server, link.now()).ok());
  ASSERT_TRUE(link.run_until([&] { return link.a().slots_in_use() == 0; }, 10000));
  // The client's slot is free at once; its TIME_WAIT table holds the connection for 2 MSL
  // (2 s in tests).
  EXPECT_EQ(link.b().slots_in_use(), 0u);
  uint32_t states[kTcpStateCount];
  link.b().count_states(states);
  EXPECT_EQ(states[static_cast<size_t>(TcpState::TimeWait)], 1u);
  EXPECT_EQ(link.b().time_wait_in_use(), 1u);
  const uint64_t entered = link.now();
  ASSERT_TRUE(link.run_until([&] { return link.b().time_wait_in_use() == 0; }, 10000));
  EXPECT_GE(link.now() - entered, 1900u);
  EXPECT_LE(link.now() - entered, 2100u);
  link.b().count_states(states);
  EXPECT_EQ(states[static_cast<size_t>(TcpState::TimeWait)], 0u);
  EXPECT_EQ(link.b().next_deadline(), kTcpNoDeadline);
}

TEST(TcpLink, ServerClosesFirstAndTheOwnerSeesTheEndAtTimeWait) {
  Link link(4);
  const Pair p = open(link);
  ASSERT_TRUE(link.a().shutdown(p.server, link.now()).ok());
  EXPECT_EQ(state(link.a(), p.server), TcpState::FinWait1);
  ASSERT_TRUE(
      link.run_until([&] { return state(link.b(), p.client) == TcpState::CloseWait; }, 10000));
  ASSERT_TRUE(
      link.run_until([&] { return state(link.a(), p.server) == TcpState::FinWait2; }, 10000));
  // Half-close: the client still sends, the server still reads.
  const uint8_t hello[] = {'h', 'i'};
  ASSERT_EQ(link.b().write(p.client, hello, 2, link.now()).value(), 2u);
  ASSERT_TRUE(link.b().shutdown(p.client, link.now()).ok());
  EXPECT_EQ(state(link.b(), p.client), TcpState::LastAck);
  // The client's FIN puts the server in TIME_WAIT, which moves to the table: the socket is
  // over (closed, no failure) while its data can still be read.
  ASSERT_TRUE(link.run_until([&] { return state(link.a(), p.server) == TcpState::Closed; }, 10000));
  EXPECT_NE(link.a().poll(p.server) & kTcpClosed, 0u);
  EXPECT_NE(link.a().poll(p.server) & kTcpReadable, 0u);
  EXPECT_EQ(link.a().poll(p.server) & kTcpFailed, 0u);
  EXPECT_EQ(link.a().time_wait_in_use(), 1u);
  uint8_t buffer[4];
  EXPECT_EQ(link.a().read(p.server, buffer, 4, link.now()).value(), 2u);
  EXPECT_EQ(link.a().read(p.server, buffer, 4, link.now()).value(), 0u);
  ASSERT_TRUE(link.run_until([&] { return state(link.b(), p.client) == TcpState::Closed; }, 10000));
  EXPECT_EQ(link.b().info(p.client).value().failure, TcpFailure::None);
  // The slot waits for the owner's close(); TIME_WAIT does not.
  EXPECT_EQ(link.a().slots_in_use(), 1u);
  ASSERT_TRUE(link.a().close(p.server, link.now()).ok());
  EXPECT_EQ(link.a().slots_in_use(), 0u);
  link.run_for(1500);
  EXPECT_EQ(link.a().time_wait_in_use(), 1u);
  link.run_for(600);
  EXPECT_EQ(link.a().time_wait_in_use(), 0u);
}

TEST(TcpLink, SimultaneousCloseGoesThroughClosing) {
  Link link(5);
  const Pair p = open(link);
  ASSERT_TRUE(link.a().shutdown(p.server, link.now()).ok());
  ASSERT_TRUE(link.b().shutdown(p.client, link.now()).ok());
  bool a_closing = false;
  bool b_closing = false;
  ASSERT_TRUE(link.run_until(
      [&] {
        a_closing |= state(link.a(), p.server) == TcpState::Closing;
        b_closing |= state(link.b(), p.client) == TcpState::Closing;
        return state(link.a(), p.server) == TcpState::Closed &&
               state(link.b(), p.client) == TcpState::Closed;
      },
      10000));
  EXPECT_TRUE(a_closing);
  EXPECT_TRUE(b_closing);
  // Both ends went from CLOSING to TIME_WAIT, in their tables for 2 MSL.
  EXPECT_EQ(link.a().time_wait_in_use(), 1u);
  EXPECT_EQ(link.b().time_wait_in_use(), 1u);
  EXPECT_EQ(link.a().info(p.server).value().failure, TcpFailure::None);
  EXPECT_EQ(link.b().info(p.client).value().failure, TcpFailure::None);
  link.run_for(2100);
  EXPECT_EQ(link.a().time_wait_in_use(), 0u);
  EXPECT_EQ(link.b().time_wait_in_use(), 0u);
}

TEST(TcpLink, SimultaneousOpen) {
  Link link(6);
  auto a = link.a().connect(kAddressA, kAddressB, 5000, link.now(), 6000);
  auto b = link.b().connect(kAddressB, kAddressA, 6000, link.now(), 5000);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(link.run_until(
      [&] {
        return state(link.a(), a.value()) == TcpState::Established &&
               state(link.b(), b.value()) == TcpState::Established;
      },
      10000));
}

TEST(TcpLink, ASlowReaderClosesTheWindowAndTheWriterProbesIt) {
  LinkOptions options;
  options.loss = 0.05;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    SCOPED_TRACE(seed);
    Link link(seed, options);
    const Pair p = open(link);
    constexpr size_t kSize = size_t{200} * 1024;
    size_t written = 0;
    size_t read = 0;
    bool mismatch = false;
    std::vector<uint8_t> buffer(kSize);
    for (size_t i = 0; i < kSize; ++i) buffer[i] = stream_byte(99, i);
    auto write_some = [&] {
      while (written < kSize) {
        auto w = link.a().write(p.server, buffer.data() + written, kSize - written, link.now());
        if (!w.ok()) break;
        written += w.value();
      }
    };
    // B does not read: A fills B's receive queue and its own send queue, then waits.
    ASSERT_TRUE(link.run_until(
        [&] {
          write_some();
          return link.a().info(p.server).value().snd_wnd == 0 &&
                 link.b().info(p.client).value().recv_queued == kTcpBufferSize;
        },
        60000));
    EXPECT_EQ(link.a().poll(p.server) & kTcpWritable, 0u);
    link.run_for(5000);
    EXPECT_GT(link.a().counters().probes, 0u);
    EXPECT_EQ(link.a().info(p.server).value().state, TcpState::Established);
    // B reads slowly, 3000 bytes every 50 ms; everything arrives intact.
    uint8_t chunk[3000];
    const uint64_t give_up = link.now() + 600000;
    while (read < kSize && link.now() < give_up) {
      write_some();
      auto r = link.b().read(p.client, chunk, sizeof(chunk), link.now());
      if (r.ok()) {
        for (size_t i = 0; i < r.value(); ++i) mismatch |= chunk[i] != buffer[read + i];
        read += r.value();
      }
      link.run_for(50);
    }
    EXPECT_EQ(read, kSize);
    EXPECT_FALSE(mismatch);
  }
}

TEST(TcpLink, WindowScaleAndMssAreNegotiated) {
  TcpConfig small = test::test_config(7);
  small.mtu = 576;  // MSS 536
  Link link(7, {}, 4, test::test_config(8), small, false);
  const Pair p = open(link);
  const TcpInfo server = link.a().info(p.server).value();
  const TcpInfo client = link.b().info(p.client).value();
  EXPECT_EQ(server.snd_mss, 536);  // the smaller of the two MSSs
  EXPECT_EQ(client.snd_mss, 536);
  EXPECT_EQ(server.snd_shift, 1);  // a 64 KiB buffer needs a shift of 1
  EXPECT_EQ(server.rcv_shift, 1);
  EXPECT_EQ(server.snd_wnd, 65536u);  // the ACK of the SYN-ACK: 32768 << 1
  EXPECT_EQ(client.snd_wnd, 65535u);  // the SYN-ACK's, which is never scaled
  // The SYN offered scaling; every later segment's window is scaled.
  const TcpSegment syn = link.log(1)[0].parse();
  EXPECT_TRUE(syn.has(kTcpSyn));
  EXPECT_TRUE(syn.has_window_shift);
  EXPECT_EQ(syn.mss, 536);
  EXPECT_EQ(syn.window, 65535);
  const TcpSegment ack = link.log(1)[1].parse();
  EXPECT_FALSE(ack.has(kTcpSyn));
  EXPECT_EQ(ack.window, 32768);
}

}  // namespace
}  // namespace tcpip
