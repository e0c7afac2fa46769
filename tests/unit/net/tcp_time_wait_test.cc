// TIME_WAIT in the engine's table: a connection that reaches it gives up its slot at once, and
// the table answers for its four-tuple for 2 MSL (2 s with the tests' MSL of 1 s).
#include <gtest/gtest.h>

#include <vector>

#include "servers/tcpip/stack/tcp.h"
#include "tests/unit/net/tcp_sim.h"

namespace tcpip {
namespace {

using test::kAddressA;
using test::kAddressB;
using test::make_segment;
using test::Recorder;

constexpr uint16_t kServerPort = 80;
constexpr uint16_t kPeerPort = 40000;
constexpr uint32_t kPeerIss = 1000;
constexpr uint64_t kTwoMsl = 2000;

TcpConfig config_with_table(size_t entries) {
  TcpConfig c = test::test_config(1);
  c.time_wait_entries = entries;
  return c;
}

// The engine listens on kAddressA:80; the test plays peers at kAddressB.
class TcpTimeWaitTable : public ::testing::Test {
 protected:
  explicit TcpTimeWaitTable(TcpConfig config = test::test_config(1)) : engine_(out_, 4, config) {
    listener_ = tcp().listen(kAddressA, kServerPort, 4).value();
  }

  Tcp& tcp() { return engine_.tcp; }

  void send(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t port = kPeerPort,
            const std::vector<uint8_t>& payload = {}) {
    TcpHeader h;
    h.source_port = port;
    h.destination_port = kServerPort;
    h.seq = seq;
    h.ack = ack;
    h.flags = flags;
    h.window = 0xffff;
    if ((flags & kTcpSyn) != 0) h.mss = 1460;
    const auto bytes = make_segment(kAddressB, kAddressA, h, payload);
    tcp().receive(kAddressB, kAddressA, bytes.data(), bytes.size(), now_);
  }
  size_t sent() const { return out_.sent.size(); }
  TcpSegment last() const { return out_.sent.back().parse(); }
  void advance(uint64_t ms) {
    now_ += ms;
    out_.now = now_;
    tcp().tick(now_);
  }
  uint32_t count(TcpState state) const {
    uint32_t states[kTcpStateCount];
    engine_.tcp.count_states(states);
    return states[static_cast<size_t>(state)];
  }

  // A connection from the peer's port that the server closes first: the server's FIN, the
  // peer's ACK and FIN together, the server's ACK. Returns the server's ISS.
  uint32_t server_closes_first(uint16_t port = kPeerPort) {
    send(kTcpSyn, kPeerIss, 0, port);
    const TcpSegment syn_ack = last();
    EXPECT_EQ(syn_ack.flags, kTcpSyn | kTcpAck);
    const uint32_t iss = syn_ack.seq;
    send(kTcpAck, kPeerIss + 1, iss + 1, port);
    auto s = tcp().accept(listener_);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(tcp().close(s.value(), now_).ok());
    EXPECT_EQ(last().flags, kTcpFin | kTcpAck);
    send(kTcpAck | kTcpFin, kPeerIss + 1, iss + 2, port);
    const TcpSegment ack = last();
    EXPECT_EQ(ack.flags, kTcpAck);
    EXPECT_EQ(ack.seq, iss + 2);
    EXPECT_EQ(ack.ack, kPeerIss + 2);
    return iss;
  }

  Recorder out_;
  test::Engine engine_;
  uint64_t now_ = 0;
  TcpSocket listener_;
};

TEST_F(TcpTimeWaitTable, AConnectionInTimeWaitFreesItsSlotAtOnce) {
  server_closes_first();
  EXPECT_EQ(tcp().slots_in_use(), 0u);
  EXPECT_EQ(tcp().time_wait_in_use(), 1u);
  EXPECT_EQ(count(TcpState::TimeWait), 1u);
  EXPECT_EQ(count(TcpState::Closed), 0u);
  EXPECT_EQ(tcp().next_deadline(), now_ + kTwoMsl);
}

TEST_F(TcpTimeWaitTable, ARetransmittedFinIsAckedAndRestartsTheTimer) {
  const uint32_t iss = server_closes_first();
  const TcpSegment first_ack = last();
  advance(1500);
  const size_t before = sent();
  send(kTcpAck | kTcpFin, kPeerIss + 1, iss + 2);  // the peer missed our ACK
  ASSERT_EQ(sent(), before + 1);
  const TcpSegment ack = last();
  EXPECT_EQ(ack.flags, kTcpAck);
  EXPECT_EQ(ack.seq, iss + 2);
  EXPECT_EQ(ack.ack, kPeerIss + 2);
  EXPECT_EQ(ack.window, first_ack.window);
  EXPECT_EQ(ack.source_port, kServerPort);
  EXPECT_EQ(ack.destination_port, kPeerPort);
  EXPECT_EQ(out_.sent.back().destination, kAddressB);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::OutOfWindow), 1u);
  // 2 MSL from the FIN again: the first deadline passes, the entry stays.
  advance(1500);
  EXPECT_EQ(tcp().time_wait_in_use(), 1u);
  advance(kTwoMsl - 1500);
  EXPECT_EQ(tcp().time_wait_in_use(), 0u);
  // Data in the window gets the ACK too, without a restart.
  const uint32_t iss2 = server_closes_first();
  advance(1000);
  send(kTcpAck, kPeerIss + 2, iss2 + 2, kPeerPort, {1, 2, 3});
  EXPECT_EQ(last().flags, kTcpAck);
  EXPECT_EQ(last().ack, kPeerIss + 2);
  advance(1000);
  EXPECT_EQ(tcp().time_wait_in_use(), 0u);
}

TEST_F(TcpTimeWaitTable, AnAckAloneIsNotAnswered) {
  const uint32_t iss = server_closes_first();
  const size_t before = sent();
  send(kTcpAck, kPeerIss + 2, iss + 2);
  EXPECT_EQ(sent(), before);
  EXPECT_EQ(tcp().time_wait_in_use(), 1u);
  // An ACK of what was never sent gets our ACK.
  send(kTcpAck, kPeerIss + 2, iss + 100);
  EXPECT_EQ(sent(), before + 1);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BadAck), 1u);
}

TEST_F(TcpTimeWaitTable, AnRstAtRcvNxtRemovesTheEntry) {
  const uint32_t iss = server_closes_first();
  const size_t before = sent();
  send(kTcpRst, kPeerIss + 2 + 200000, 0);  // outside the window: dropped
  EXPECT_EQ(sent(), before);
  EXPECT_EQ(tcp().time_wait_in_use(), 1u);
  send(kTcpRst, kPeerIss + 2 + 100, 0);  // in the window, not exact: a challenge ACK
  ASSERT_EQ(sent(), before + 1);
  EXPECT_EQ(last().flags, kTcpAck);
  EXPECT_EQ(last().ack, kPeerIss + 2);
  EXPECT_EQ(tcp().counters().challenge_acks, 1u);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BadRst), 2u);
  EXPECT_EQ(tcp().time_wait_in_use(), 1u);
  send(kTcpRst, kPeerIss + 2, 0);  // exact: TIME_WAIT ends, unanswered
  EXPECT_EQ(sent(), before + 1);
  EXPECT_EQ(tcp().time_wait_in_use(), 0u);
  EXPECT_EQ(tcp().counters().resets_in, 1u);
  // The four-tuple is nobody's now: the listener answers a FIN (with its ACK) with RST.
  send(kTcpAck | kTcpFin, kPeerIss + 1, iss + 2);
  EXPECT_EQ(last().flags, kTcpRst);
  EXPECT_EQ(last().seq, iss + 2);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BadAck), 1u);
}

TEST_F(TcpTimeWaitTable, ASynAboveRcvNxtOpensTheFourTupleAgain) {
  const uint32_t old_iss = server_closes_first();
  constexpr uint32_t kNewIss = kPeerIss + 500000;
  send(kTcpSyn, kNewIss, 0);
  const TcpSegment syn_ack = last();
  ASSERT_EQ(syn_ack.flags, kTcpSyn | kTcpAck);
  EXPECT_EQ(syn_ack.ack, kNewIss + 1);
  // The new connection's sequence numbers start past the old one's window.
  EXPECT_TRUE(seq_ge(syn_ack.seq, old_iss + 2 + 0xffff + 2));
  EXPECT_EQ(tcp().time_wait_in_use(), 0u);
  EXPECT_EQ(tcp().counters().time_wait_reused, 1u);
  send(kTcpAck, kNewIss + 1, syn_ack.seq + 1);
  auto s = tcp().accept(listener_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(tcp().info(s.value()).value().state, TcpState::Established);
  EXPECT_EQ(tcp().info(s.value()).value().remote_port, kPeerPort);
  EXPECT_EQ(tcp().counters().passive_opens, 2u);
}

TEST_F(TcpTimeWaitTable, ASynAtOrBelowRcvNxtGetsTheTimeWaitAck) {
  const uint32_t iss = server_closes_first();
  for (const uint32_t seq : {kPeerIss, kPeerIss + 2}) {
    SCOPED_TRACE(seq);
    const size_t before = sent();
    send(kTcpSyn, seq, 0);
    ASSERT_EQ(sent(), before + 1);
    EXPECT_EQ(last().flags, kTcpAck);
    EXPECT_EQ(last().seq, iss + 2);
    EXPECT_EQ(last().ack, kPeerIss + 2);
    EXPECT_EQ(tcp().time_wait_in_use(), 1u);
    EXPECT_EQ(tcp().slots_in_use(), 0u);
  }
  EXPECT_EQ(tcp().counters().time_wait_reused, 0u);
  EXPECT_EQ(tcp().counters().passive_opens, 1u);
}

TEST_F(TcpTimeWaitTable, AnEntryExpiresAfterTwoMsl) {
  const uint32_t iss = server_closes_first();
  const uint64_t entered = now_;
  EXPECT_EQ(tcp().next_deadline(), entered + kTwoMsl);
  advance(kTwoMsl - 1);
  EXPECT_EQ(tcp().time_wait_in_use(), 1u);
  advance(1);
  EXPECT_EQ(tcp().time_wait_in_use(), 0u);
  EXPECT_EQ(count(TcpState::TimeWait), 0u);
  EXPECT_EQ(tcp().next_deadline(), kTcpNoDeadline);  // nothing left to wake up for
  send(kTcpAck | kTcpFin, kPeerIss + 1, iss + 2);
  EXPECT_EQ(last().flags, kTcpRst);
}

TEST_F(TcpTimeWaitTable, AnEntryPastItsTimeIsGoneBeforeTickComes) {
  const uint32_t iss = server_closes_first();
  now_ += kTwoMsl;  // no tick()
  send(kTcpAck | kTcpFin, kPeerIss + 1, iss + 2);
  EXPECT_EQ(last().flags, kTcpRst);
  EXPECT_EQ(tcp().time_wait_in_use(), 0u);
  advance(0);
  EXPECT_EQ(tcp().next_deadline(), kTcpNoDeadline);
}

TEST_F(TcpTimeWaitTable, AnEarlierDeadlineLeftByARemovedEntryDoesNotSpin) {
  server_closes_first(40001);
  advance(500);
  const uint32_t iss = server_closes_first(40002);
  send(kTcpRst, kPeerIss + 2, 0, 40001);  // the first entry goes
  EXPECT_EQ(tcp().time_wait_in_use(), 1u);
  // The deadline may still be the first entry's; running it gives the second's.
  advance(tcp().next_deadline() - now_);
  EXPECT_EQ(tcp().next_deadline(), now_ + 500);
  EXPECT_EQ(tcp().time_wait_in_use(), 1u);
  advance(tcp().next_deadline() - now_);
  EXPECT_EQ(tcp().time_wait_in_use(), 0u);
  EXPECT_EQ(tcp().next_deadline(), kTcpNoDeadline);
  (void)iss;
}

class TcpTimeWaitSmallTable : public TcpTimeWaitTable {
 protected:
  TcpTimeWaitSmallTable() : TcpTimeWaitTable(config_with_table(2)) {}
};

TEST_F(TcpTimeWaitSmallTable, AFullTableEvictsTheOldestAndCountsIt) {
  uint32_t iss[3];
  for (uint16_t i = 0; i < 3; ++i) {
    iss[i] = server_closes_first(static_cast<uint16_t>(40001 + i));
    advance(100);
  }
  EXPECT_EQ(tcp().counters().time_wait_evicted, 1u);
  EXPECT_EQ(tcp().time_wait_in_use(), 2u);
  EXPECT_EQ(tcp().slots_in_use(), 0u);
  // The first connection's entry made room: its FIN finds nothing. The others are there.
  send(kTcpAck | kTcpFin, kPeerIss + 1, iss[0] + 2, 40001);
  EXPECT_EQ(last().flags, kTcpRst);
  for (uint16_t i = 1; i < 3; ++i) {
    send(kTcpAck | kTcpFin, kPeerIss + 1, iss[i] + 2, static_cast<uint16_t>(40001 + i));
    EXPECT_EQ(last().flags, kTcpAck);
    EXPECT_EQ(last().destination_port, 40001 + i);
  }
}

// An active close: the client's connect() leaves its four-tuple in TIME_WAIT, which a second
// connect() does not take.
TEST_F(TcpTimeWaitTable, ConnectDoesNotReuseAFourTupleInTimeWait) {
  constexpr uint16_t kLocal = 50000;
  auto c = tcp().connect(kAddressA, kAddressB, kPeerPort, now_, kLocal);
  ASSERT_TRUE(c.ok());
  const uint32_t iss = last().seq;
  TcpHeader h;
  h.source_port = kPeerPort;
  h.destination_port = kLocal;
  h.seq = kPeerIss;
  h.ack = iss + 1;
  h.flags = kTcpSyn | kTcpAck;
  h.window = 0xffff;
  auto bytes = make_segment(kAddressB, kAddressA, h);
  tcp().receive(kAddressB, kAddressA, bytes.data(), bytes.size(), now_);
  ASSERT_EQ(tcp().info(c.value()).value().state, TcpState::Established);
  ASSERT_TRUE(tcp().close(c.value(), now_).ok());
  h.seq = kPeerIss + 1;
  h.ack = iss + 2;
  h.flags = kTcpAck | kTcpFin;
  bytes = make_segment(kAddressB, kAddressA, h);
  tcp().receive(kAddressB, kAddressA, bytes.data(), bytes.size(), now_);
  ASSERT_EQ(tcp().time_wait_in_use(), 1u);
  EXPECT_EQ(tcp().slots_in_use(), 0u);
  EXPECT_EQ(tcp().connect(kAddressA, kAddressB, kPeerPort, now_, kLocal).error(),
            lib::Error::AlreadyExists);
  advance(kTwoMsl);
  EXPECT_TRUE(tcp().connect(kAddressA, kAddressB, kPeerPort, now_, kLocal).ok());
}

// A server that closes first (an HTTP server answering "Connection: close") over the
// simulated link, again and again: its 4 slots never run out, whatever the table's size.
void server_closes_first_again_and_again(size_t time_wait_entries, uint32_t connections) {
  TcpConfig server = test::test_config(40);
  server.time_wait_entries = time_wait_entries;
  test::Link link(40, {}, 4, server, test::test_config(41), false);
  auto listener = link.a().listen(kAddressA, kServerPort, 4);
  ASSERT_TRUE(listener.ok());
  const uint8_t response[] = {'o', 'k'};
  size_t most_in_time_wait = 0;
  for (uint32_t i = 0; i < connections; ++i) {
    SCOPED_TRACE(i);
    auto client = link.b().connect(kAddressB, kAddressA, kServerPort, link.now());
    ASSERT_TRUE(client.ok());
    TcpSocket server_socket;
    ASSERT_TRUE(link.run_until(
        [&] {
          auto s = link.a().accept(listener.value());
          if (s.ok()) server_socket = s.value();
          return s.ok();
        },
        10000));
    ASSERT_EQ(link.a().write(server_socket, response, 2, link.now()).value(), 2u);
    ASSERT_TRUE(link.a().close(server_socket, link.now()).ok());
    uint8_t buffer[8];
    size_t got = 0;
    bool end = false;
    ASSERT_TRUE(link.run_until(
        [&] {
          auto r = link.b().read(client.value(), buffer + got, sizeof(buffer) - got, link.now());
          if (r.ok()) {
            end = r.value() == 0;
            got += r.value();
          }
          return end;
        },
        10000));
    EXPECT_EQ(got, 2u);
    ASSERT_TRUE(link.b().close(client.value(), link.now()).ok());
    ASSERT_TRUE(link.run_until(
        [&] { return link.a().slots_in_use() == 0 && link.b().slots_in_use() == 0; }, 10000));
    const size_t in_time_wait = link.a().time_wait_in_use();
    if (in_time_wait > most_in_time_wait) most_in_time_wait = in_time_wait;
  }
  const TcpCounters& counters = link.a().counters();
  EXPECT_EQ(counters.passive_opens, connections);
  EXPECT_EQ(counters.failures, 0u);
  EXPECT_EQ(counters.dropped(TcpDrop::TableFull), 0u);
  EXPECT_EQ(counters.resets_out, 0u);
  EXPECT_EQ(link.b().counters().failures, 0u);
  EXPECT_EQ(link.b().time_wait_in_use(), 0u);  // the client never was in TIME_WAIT
  // Far more connections than slots were in TIME_WAIT at once, or the table was full.
  if (time_wait_entries >= kTcpTimeWaitEntries) {
    EXPECT_GT(most_in_time_wait, 20u);
    EXPECT_EQ(counters.time_wait_evicted, 0u);
  } else {
    EXPECT_EQ(most_in_time_wait, time_wait_entries);
    EXPECT_GT(counters.time_wait_evicted, 0u);
  }
  link.run_for(kTwoMsl);
  EXPECT_EQ(link.a().time_wait_in_use(), 0u);
}

TEST(TcpTimeWaitLink, AServerThatClosesFirstNeverRunsOutOfSlots) {
  server_closes_first_again_and_again(kTcpTimeWaitEntries, 1000);
}

TEST(TcpTimeWaitLink, AServerThatClosesFirstWithAFullTableEvictsInstead) {
  server_closes_first_again_and_again(4, 1000);
}

}  // namespace
}  // namespace tcpip
