// The TCP engine against a hand-driven peer: each test sends the exact segments it needs and
// looks at what the engine answers, on a clock it moves itself.
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

// The engine answers on kAddressA; the test plays the peer at kAddressB.
class TcpEngine : public ::testing::Test {
 protected:
  explicit TcpEngine(TcpConfig config = test::test_config(1), size_t slots = 4)
      : engine_(out_, slots, config) {}

  Tcp& tcp() { return engine_.tcp; }

  void send(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t window = 0xffff,
            const std::vector<uint8_t>& payload = {}, uint16_t port = kPeerPort) {
    TcpHeader h;
    h.source_port = port == kPeerPort ? from_ : port;
    h.destination_port = to_;
    h.seq = seq;
    h.ack = ack;
    h.flags = flags;
    h.window = window;
    const auto bytes = make_segment(kAddressB, kAddressA, h, payload);
    tcp().receive(kAddressB, kAddressA, bytes.data(), bytes.size(), now_);
  }
  void send_syn(uint16_t port = kPeerPort, uint16_t mss = 1460, int8_t shift = -1) {
    TcpHeader h;
    h.source_port = port;
    h.destination_port = kServerPort;
    h.seq = kPeerIss;
    h.flags = kTcpSyn;
    h.window = 0xffff;
    h.mss = mss;
    h.window_shift = shift;
    const auto bytes = make_segment(kAddressB, kAddressA, h);
    tcp().receive(kAddressB, kAddressA, bytes.data(), bytes.size(), now_);
  }
  size_t sent() const { return out_.sent.size(); }
  TcpSegment segment(size_t i) const { return out_.sent.at(i).parse(); }
  TcpSegment last() const { return out_.sent.back().parse(); }
  void advance(uint64_t ms) {
    now_ += ms;
    out_.now = now_;
    tcp().tick(now_);
  }

  // A listener, a handshake from the peer (with the window it announces), the accepted socket.
  TcpSocket establish(uint16_t peer_window = 0xffff, uint16_t mss = 1460) {
    listener_ = tcp().listen(kAddressA, kServerPort, 4).value();
    send_syn(kPeerPort, mss);
    const TcpSegment syn_ack = last();
    EXPECT_EQ(syn_ack.flags, kTcpSyn | kTcpAck);
    EXPECT_EQ(syn_ack.ack, kPeerIss + 1);
    iss_ = syn_ack.seq;
    send(kTcpAck, kPeerIss + 1, iss_ + 1, peer_window);
    auto s = tcp().accept(listener_);
    EXPECT_TRUE(s.ok());
    return s.ok() ? s.value() : TcpSocket{};
  }
  size_t write(TcpSocket s, size_t size, uint8_t fill = 'x') {
    const std::vector<uint8_t> data(size, fill);
    auto w = tcp().write(s, data.data(), size, now_);
    return w.ok() ? w.value() : 0;
  }

  Recorder out_;
  test::Engine engine_;
  uint64_t now_ = 0;
  TcpSocket listener_;
  uint32_t iss_ = 0;
  uint16_t from_ = kPeerPort;  // the ports send() uses
  uint16_t to_ = kServerPort;
};

TEST_F(TcpEngine, SynToAClosedPortGetsRst) {
  send_syn();
  ASSERT_EQ(sent(), 1u);
  const TcpSegment rst = last();
  EXPECT_EQ(rst.flags, kTcpRst | kTcpAck);
  EXPECT_EQ(rst.ack, kPeerIss + 1);
  EXPECT_EQ(rst.seq, 0u);
  EXPECT_EQ(rst.destination_port, kPeerPort);
  // An ACK to nowhere gets an RST at the sequence number it acknowledged.
  send(kTcpAck, 5, 777);
  EXPECT_EQ(last().flags, kTcpRst);
  EXPECT_EQ(last().seq, 777u);
  // An RST is never answered.
  send(kTcpRst, 5, 0);
  EXPECT_EQ(sent(), 2u);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::NoConnection), 3u);
  EXPECT_EQ(tcp().counters().resets_out, 2u);
}

TEST_F(TcpEngine, RstInTheWindowButNotExactGetsAChallengeAck) {
  const TcpSocket s = establish();
  const size_t before = sent();
  send(kTcpRst, kPeerIss + 1 + 100, 0);  // in the window, not rcv_nxt
  ASSERT_EQ(sent(), before + 1);
  EXPECT_EQ(last().flags, kTcpAck);
  EXPECT_EQ(last().ack, kPeerIss + 1);
  EXPECT_EQ(tcp().info(s).value().state, TcpState::Established);
  EXPECT_EQ(tcp().counters().challenge_acks, 1u);
  send(kTcpRst, kPeerIss + 1 + 200000, 0);  // outside the window: dropped silently
  EXPECT_EQ(sent(), before + 1);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BadRst), 2u);
}

TEST_F(TcpEngine, RstKillsTheConnection) {
  const TcpSocket s = establish();
  send(kTcpRst, kPeerIss + 1, 0);
  EXPECT_EQ(tcp().info(s).value().state, TcpState::Closed);
  EXPECT_EQ(tcp().info(s).value().failure, TcpFailure::Reset);
  EXPECT_NE(tcp().poll(s) & kTcpFailed, 0u);
  EXPECT_NE(tcp().poll(s) & kTcpReadable, 0u);
  uint8_t byte;
  EXPECT_EQ(tcp().read(s, &byte, 1, now_).error(), lib::Error::PeerClosed);
  EXPECT_EQ(tcp().write(s, &byte, 1, now_).error(), lib::Error::PeerClosed);
  EXPECT_EQ(tcp().counters().resets_in, 1u);
  TcpSocket changed;
  bool seen = false;
  while (tcp().next_changed(changed)) seen |= changed == s;
  EXPECT_TRUE(seen);
  EXPECT_TRUE(tcp().close(s, now_).ok());
  EXPECT_EQ(tcp().slots_in_use(), 0u);
  EXPECT_EQ(tcp().poll(s), 0u);  // the socket names nothing now
}

TEST_F(TcpEngine, AbortSendsRst) {
  const TcpSocket s = establish();
  ASSERT_TRUE(tcp().abort(s, now_).ok());
  EXPECT_EQ(last().flags, kTcpRst | kTcpAck);
  EXPECT_EQ(last().seq, iss_ + 1);
  EXPECT_EQ(tcp().slots_in_use(), 0u);
}

TEST_F(TcpEngine, ASynOnAnOpenConnectionGetsAChallengeAck) {
  const TcpSocket s = establish();
  send_syn();
  EXPECT_EQ(last().flags, kTcpAck);
  EXPECT_EQ(tcp().info(s).value().state, TcpState::Established);
  EXPECT_EQ(
      tcp().counters().dropped(TcpDrop::BadSyn) + tcp().counters().dropped(TcpDrop::OutOfWindow),
      1u);
}

class TcpEngineNoCookies : public TcpEngine {
 protected:
  static TcpConfig config() {
    TcpConfig c = test::test_config(1);
    c.syn_cookies = false;
    return c;
  }
  TcpEngineNoCookies() : TcpEngine(config()) {}
};

TEST_F(TcpEngineNoCookies, AFullBacklogDropsSyns) {
  listener_ = tcp().listen(kAddressA, kServerPort, 2).value();
  send_syn(40001);
  send_syn(40002);
  EXPECT_EQ(sent(), 2u);  // two SYN-ACKs
  send_syn(40003);
  EXPECT_EQ(sent(), 2u);  // no answer: the peer will try again
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BacklogFull), 1u);
  EXPECT_EQ(tcp().accept(listener_).error(), lib::Error::WouldBlock);
  // The first completes its handshake and is accepted: room for the third.
  send(kTcpAck, kPeerIss + 1, segment(0).seq + 1, 0xffff, {}, 40001);
  EXPECT_NE(tcp().poll(listener_) & kTcpAcceptable, 0u);
  auto first = tcp().accept(listener_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(tcp().info(first.value()).value().remote_port, 40001);
  send_syn(40003);
  EXPECT_EQ(sent(), 3u);
  EXPECT_EQ(last().flags, kTcpSyn | kTcpAck);
}

TEST_F(TcpEngine, AFullBacklogAnswersSynsWithCookiesThatMakeConnections) {
  listener_ = tcp().listen(kAddressA, kServerPort, 2).value();
  send_syn(40001);
  send_syn(40002);  // two half-open connections fill the backlog
  send_syn(40003, 1460, 7);
  ASSERT_EQ(sent(), 3u);
  EXPECT_EQ(last().flags, kTcpSyn | kTcpAck);
  EXPECT_EQ(last().ack, kPeerIss + 1);
  EXPECT_EQ(last().window_shift, 1);  // scaling offered back
  EXPECT_EQ(tcp().counters().syn_cookies_sent, 1u);
  EXPECT_EQ(tcp().slots_in_use(), 2u);  // nothing held for the cookie
  const uint32_t cookie = last().seq;
  // The ACK that returns it, with data, makes an established connection ready for accept().
  const std::vector<uint8_t> hello = {'h', 'e', 'l', 'l', 'o'};
  send(kTcpAck, kPeerIss + 1, cookie + 1, 0x1000, hello, 40003);
  EXPECT_EQ(tcp().counters().syn_cookies_accepted, 1u);
  auto s = tcp().accept(listener_);
  ASSERT_TRUE(s.ok());
  const TcpInfo info = tcp().info(s.value()).value();
  EXPECT_EQ(info.remote_port, 40003);
  EXPECT_EQ(info.state, TcpState::Established);
  EXPECT_EQ(info.snd_mss, 1460);
  EXPECT_EQ(info.snd_wnd, 0x1000u << 7);  // the window scale the cookie kept
  uint8_t buffer[16];
  auto r = tcp().read(s.value(), buffer, sizeof(buffer), now_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), hello.size());
  ASSERT_EQ(write(s.value(), 10), 10u);
  EXPECT_EQ(last().seq, cookie + 1);
  EXPECT_EQ(last().payload_size, 10u);
}

TEST_F(TcpEngine, AForgedOrStaleCookieIsRefused) {
  listener_ = tcp().listen(kAddressA, kServerPort, 1).value();
  send_syn(40001);
  send_syn(40002);
  const uint32_t cookie = last().seq;
  send(kTcpAck, kPeerIss + 1, cookie + 2, 0xffff, {}, 40002);  // not the cookie
  EXPECT_EQ(last().flags, kTcpRst);
  send(kTcpAck, kPeerIss + 2, cookie + 1, 0xffff, {}, 40002);  // another peer ISN
  EXPECT_EQ(last().flags, kTcpRst);
  send(kTcpAck, kPeerIss + 1, cookie + 1, 0xffff, {}, 40009);  // another port
  EXPECT_EQ(last().flags, kTcpRst);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BadAck), 3u);
  advance(130000);  // two cookie clocks later
  send(kTcpAck, kPeerIss + 1, cookie + 1, 0xffff, {}, 40002);
  EXPECT_EQ(last().flags, kTcpRst);
  EXPECT_EQ(tcp().counters().syn_cookies_accepted, 0u);
  EXPECT_EQ(tcp().accept(listener_).error(), lib::Error::WouldBlock);
}

TEST_F(TcpEngine, ATableFullDropsSyns) {
  listener_ = tcp().listen(kAddressA, kServerPort, 16).value();
  for (uint16_t port = 40001; port <= 40005; ++port) send_syn(port);
  EXPECT_EQ(sent(), 4u);  // four slots
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::TableFull), 1u);
}

TEST_F(TcpEngine, ListenerTableAndPortsReportErrors) {
  EXPECT_TRUE(tcp().listen(kAddressA, 1, 1).ok());
  EXPECT_EQ(tcp().listen(kAddressA, 1, 1).error(), lib::Error::AlreadyExists);
  EXPECT_EQ(tcp().listen(Ipv4{}, 1, 1).error(), lib::Error::AlreadyExists);
  for (uint16_t port = 2; port <= kTcpMaxListeners; ++port) {
    EXPECT_TRUE(tcp().listen(kAddressA, port, 1).ok());
  }
  EXPECT_EQ(tcp().listen(kAddressA, 100, 1).error(), lib::Error::NoResources);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(tcp().connect(kAddressA, kAddressB, 80, now_).ok());
  }
  EXPECT_EQ(tcp().connect(kAddressA, kAddressB, 80, now_).error(), lib::Error::NoResources);
}

TEST_F(TcpEngine, ClosingAListenerResetsWhatWaitsOnIt) {
  listener_ = tcp().listen(kAddressA, kServerPort, 4).value();
  send_syn();
  send(kTcpAck, kPeerIss + 1, last().seq + 1);
  EXPECT_EQ(tcp().slots_in_use(), 1u);
  ASSERT_TRUE(tcp().close(listener_, now_).ok());
  EXPECT_EQ(last().flags, kTcpRst | kTcpAck);
  EXPECT_EQ(tcp().slots_in_use(), 0u);
  EXPECT_EQ(tcp().accept(listener_).error(), lib::Error::BadHandle);
}

// The peer never answers: the RTO doubles up to its bound, then the connection fails.
class TcpEngineTimeouts : public TcpEngine {
 protected:
  static TcpConfig config() {
    TcpConfig c = test::test_config(2);
    c.rto_initial_ms = 1000;
    c.rto_min_ms = 200;
    c.rto_max_ms = 1000;
    c.max_retries = 5;
    c.max_syn_retries = 3;
    return c;
  }
  TcpEngineTimeouts() : TcpEngine(config()) {}
};

TEST_F(TcpEngineTimeouts, RetransmissionsBackOffToTheBoundThenFail) {
  const TcpSocket s = establish();
  ASSERT_EQ(write(s, 100), 100u);
  ASSERT_EQ(last().payload_size, 100u);
  std::vector<uint64_t> times{now_};
  while (tcp().next_deadline() != kTcpNoDeadline && now_ < 100000) {
    const size_t before = sent();
    advance(tcp().next_deadline() - now_);
    if (sent() > before && last().payload_size == 100) times.push_back(now_);
  }
  // The handshake measured 0 ms, so the RTO starts at its lower bound.
  std::vector<uint64_t> gaps;
  for (size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
  EXPECT_EQ(gaps, (std::vector<uint64_t>{200, 400, 800, 1000, 1000}));
  EXPECT_EQ(tcp().info(s).value().state, TcpState::Closed);
  EXPECT_EQ(tcp().info(s).value().failure, TcpFailure::TimedOut);
  EXPECT_EQ(last().flags, kTcpRst | kTcpAck);
  uint8_t byte;
  EXPECT_EQ(tcp().read(s, &byte, 1, now_).error(), lib::Error::TimedOut);
  EXPECT_EQ(tcp().counters().timeouts, 6u);
  EXPECT_EQ(tcp().counters().retransmits, 5u);
}

TEST_F(TcpEngineTimeouts, AnUnansweredSynFails) {
  auto s = tcp().connect(kAddressA, kAddressB, 80, now_);
  ASSERT_TRUE(s.ok());
  std::vector<uint64_t> times{now_};
  while (tcp().next_deadline() != kTcpNoDeadline) {
    const size_t before = sent();
    advance(tcp().next_deadline() - now_);
    if (sent() > before) times.push_back(now_);
  }
  EXPECT_EQ(times, (std::vector<uint64_t>{0, 1000, 2000, 3000}));  // initial RTO 1 s, bound 1 s
  EXPECT_EQ(tcp().info(s.value()).value().failure, TcpFailure::TimedOut);
  EXPECT_EQ(last().flags, kTcpSyn);  // no RST for a connection that never was
}

TEST_F(TcpEngine, ConnectIsRefusedByRst) {
  auto s = tcp().connect(kAddressA, kAddressB, kServerPort, now_);
  ASSERT_TRUE(s.ok());
  const TcpSegment syn = last();
  from_ = syn.destination_port;
  to_ = syn.source_port;
  send(kTcpRst | kTcpAck, 0, syn.seq + 2, 0);  // acknowledges what was never sent: ignored
  EXPECT_EQ(tcp().info(s.value()).value().state, TcpState::SynSent);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BadAck), 1u);
  send(kTcpRst | kTcpAck, 0, syn.seq + 1, 0);
  EXPECT_EQ(tcp().info(s.value()).value().state, TcpState::Closed);
  EXPECT_EQ(tcp().info(s.value()).value().failure, TcpFailure::Refused);
  EXPECT_NE(tcp().poll(s.value()) & kTcpFailed, 0u);
  EXPECT_EQ(tcp().poll(s.value()) & kTcpConnected, 0u);
}

TEST_F(TcpEngine, ActiveOpenCompletesAndAcksTheSynAck) {
  auto s = tcp().connect(kAddressA, kAddressB, kServerPort, now_);
  ASSERT_TRUE(s.ok());
  const TcpSegment syn = last();
  EXPECT_EQ(syn.flags, kTcpSyn);
  EXPECT_TRUE(syn.has_mss);
  EXPECT_TRUE(syn.has_window_shift);
  from_ = syn.destination_port;
  to_ = syn.source_port;
  TcpHeader h;
  h.source_port = from_;
  h.destination_port = to_;
  h.seq = 5000;
  h.ack = syn.seq + 1;
  h.flags = kTcpSyn | kTcpAck;
  h.window = 1000;
  h.mss = 1000;
  const auto bytes = make_segment(kAddressB, kAddressA, h);
  now_ = 30;
  tcp().receive(kAddressB, kAddressA, bytes.data(), bytes.size(), now_);
  EXPECT_EQ(last().flags, kTcpAck);
  EXPECT_EQ(last().ack, 5001u);
  const TcpInfo i = tcp().info(s.value()).value();
  EXPECT_EQ(i.state, TcpState::Established);
  EXPECT_EQ(i.snd_mss, 1000);
  EXPECT_EQ(i.snd_shift, 0);  // the SYN-ACK did not agree to scaling
  EXPECT_EQ(i.srtt_ms, 30u);  // measured on the SYN
  EXPECT_EQ(i.cwnd, 4000u);   // four segments of 1000 bytes (RFC 5681)
  EXPECT_NE(tcp().poll(s.value()) & kTcpConnected, 0u);
}

TEST_F(TcpEngine, FastRetransmitAfterThreeDuplicateAcks) {
  const TcpSocket s = establish();
  ASSERT_TRUE(tcp().set_nodelay(s, true).ok());
  ASSERT_EQ(write(s, size_t{3} * 1460), 3u * 1460);  // the initial window: three segments
  const TcpSegment first = segment(sent() - 3);
  ASSERT_EQ(first.payload_size, 1460u);
  ASSERT_EQ(first.seq, iss_ + 1);
  const size_t before = sent();
  send(kTcpAck, kPeerIss + 1, iss_ + 1);  // three duplicates of the handshake's ACK
  send(kTcpAck, kPeerIss + 1, iss_ + 1);
  EXPECT_EQ(sent(), before);
  send(kTcpAck, kPeerIss + 1, iss_ + 1);
  ASSERT_EQ(sent(), before + 1);  // at once, no timer
  EXPECT_EQ(last().seq, first.seq);
  EXPECT_EQ(last().payload_size, 1460u);
  EXPECT_EQ(tcp().counters().fast_retransmits, 1u);
  EXPECT_EQ(tcp().counters().timeouts, 0u);
  // ssthresh is half the flight (but two segments at least); cwnd = ssthresh + 3 segments.
  EXPECT_EQ(tcp().info(s).value().ssthresh, 2u * 1460);
  EXPECT_EQ(tcp().info(s).value().cwnd, 5u * 1460);
  // The ACK for everything ends recovery.
  send(kTcpAck, kPeerIss + 1, iss_ + 1 + 3 * 1460);
  EXPECT_EQ(tcp().info(s).value().cwnd, 2u * 1460);
  EXPECT_EQ(tcp().info(s).value().send_queued, 0u);
}

TEST_F(TcpEngine, AfterATimeoutBareAcksCarryTheNextNewSequenceNumber) {
  const TcpSocket s = establish();
  ASSERT_TRUE(tcp().set_nodelay(s, true).ok());
  ASSERT_EQ(write(s, size_t{3} * 1460), 3u * 1460);
  advance(tcp().next_deadline() - now_);  // the RTO: go back and resend the first segment
  EXPECT_EQ(last().seq, iss_ + 1);
  EXPECT_EQ(tcp().counters().timeouts, 1u);
  // A duplicate from the peer asks for an ACK. Its sequence number must be one the peer
  // accepts (its rcv_nxt may be past what we resend), so not the rewound snd_nxt.
  send(kTcpAck, kPeerIss, iss_ + 1, 0xffff, {1});
  EXPECT_EQ(last().payload_size, 0u);
  EXPECT_EQ(last().seq, iss_ + 1 + 3 * 1460);
  EXPECT_EQ(last().ack, kPeerIss + 1);
}

TEST_F(TcpEngine, ADelayedAckFiresAtItsTimer) {
  establish();
  const size_t before = sent();
  send(kTcpAck | kTcpPsh, kPeerIss + 1, iss_ + 1, 0xffff, {1, 2, 3});
  EXPECT_EQ(sent(), before);
  EXPECT_EQ(tcp().next_deadline(), now_ + 200);
  advance(199);
  EXPECT_EQ(sent(), before);
  advance(1);
  ASSERT_EQ(sent(), before + 1);
  EXPECT_EQ(last().ack, kPeerIss + 1 + 3);
  EXPECT_EQ(last().payload_size, 0u);
}

TEST_F(TcpEngine, EverySecondFullSegmentIsAckedAtOnce) {
  establish();
  const size_t before = sent();
  const std::vector<uint8_t> full(1460, 7);
  send(kTcpAck, kPeerIss + 1, iss_ + 1, 0xffff, full);
  EXPECT_EQ(sent(), before);
  send(kTcpAck, kPeerIss + 1 + 1460, iss_ + 1, 0xffff, full);
  ASSERT_EQ(sent(), before + 1);
  EXPECT_EQ(last().ack, kPeerIss + 1 + 2 * 1460);
}

TEST_F(TcpEngine, AnOutOfOrderSegmentIsAckedAtOnceAndHeld) {
  const TcpSocket s = establish();
  const size_t before = sent();
  send(kTcpAck, kPeerIss + 1 + 3, iss_ + 1, 0xffff, {4, 5, 6});
  ASSERT_EQ(sent(), before + 1);  // a duplicate ACK
  EXPECT_EQ(last().ack, kPeerIss + 1);
  EXPECT_EQ(tcp().poll(s) & kTcpReadable, 0u);
  send(kTcpAck, kPeerIss + 1, iss_ + 1, 0xffff, {1, 2, 3});  // fills the hole
  ASSERT_EQ(sent(), before + 2);
  EXPECT_EQ(last().ack, kPeerIss + 1 + 6);
  uint8_t buffer[8];
  ASSERT_EQ(tcp().read(s, buffer, 8, now_).value(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(buffer[i], i + 1);
}

TEST_F(TcpEngine, NagleHoldsSmallSegmentsWhileDataIsInFlight) {
  const TcpSocket s = establish();
  const size_t before = sent();
  ASSERT_EQ(write(s, 1), 1u);  // nothing in flight: goes at once
  ASSERT_EQ(sent(), before + 1);
  ASSERT_EQ(write(s, 1), 1u);
  ASSERT_EQ(write(s, 1), 1u);
  ASSERT_EQ(write(s, 1), 1u);
  EXPECT_EQ(sent(), before + 1);          // held
  send(kTcpAck, kPeerIss + 1, iss_ + 2);  // the first byte is acknowledged
  ASSERT_EQ(sent(), before + 2);
  EXPECT_EQ(last().payload_size, 3u);  // the three held bytes, together
  // A full segment is never held.
  ASSERT_EQ(write(s, 1460), 1460u);
  EXPECT_EQ(sent(), before + 3);
  // With Nagle off, small writes go out while data is in flight.
  ASSERT_TRUE(tcp().set_nodelay(s, true).ok());
  ASSERT_EQ(write(s, 1), 1u);
  EXPECT_EQ(sent(), before + 4);
}

TEST_F(TcpEngine, AZeroWindowIsProbedUntilItOpens) {
  const TcpSocket s = establish(0);  // the peer's window is closed
  const size_t before = sent();
  ASSERT_EQ(write(s, 500), 500u);
  EXPECT_EQ(sent(), before);  // nothing may go
  std::vector<uint64_t> probes;
  for (int i = 0; i < 4; ++i) {
    advance(tcp().next_deadline() - now_);
    ASSERT_EQ(last().payload_size, 0u);
    EXPECT_EQ(last().seq, iss_);  // just below the window
    probes.push_back(now_);
    send(kTcpAck, kPeerIss + 1, iss_ + 1, 0);  // still closed
  }
  EXPECT_EQ(tcp().counters().probes, 4u);
  // The RTO (200 ms after the handshake's sample) doubles between probes.
  EXPECT_EQ(probes[1] - probes[0], 400u);
  EXPECT_EQ(probes[2] - probes[1], 800u);
  EXPECT_EQ(tcp().info(s).value().state, TcpState::Established);
  send(kTcpAck, kPeerIss + 1, iss_ + 1, 1000);  // open
  EXPECT_EQ(last().payload_size, 500u);
  EXPECT_EQ(last().seq, iss_ + 1);
}

class TcpEnginePersist : public TcpEngine {
 protected:
  static TcpConfig config() {
    TcpConfig c = test::test_config(1);
    c.persist_timeout_ms = 5000;
    return c;
  }
  TcpEnginePersist() : TcpEngine(config()) {}

  // The peer answers every probe with `window` more bytes of room than before (0: none).
  uint64_t probe_until_closed(TcpSocket s, uint16_t step) {
    const uint64_t start = now_;
    uint16_t window = 0;
    while (tcp().info(s).value().state != TcpState::Closed && now_ - start < 60000) {
      advance(tcp().next_deadline() - now_);
      const TcpSegment seg = last();
      if ((seg.flags & kTcpRst) != 0) break;
      window = static_cast<uint16_t>(window + step);
      send(kTcpAck, kPeerIss + 1, seg.seq + seg.payload_size + (seg.payload_size ? 0 : 1), window);
    }
    return now_ - start;
  }
};

TEST_F(TcpEnginePersist, AWindowThatNeverOpensEndsTheConnection) {
  const size_t base = tcp().memory().used();
  const TcpSocket s = establish(0);
  ASSERT_EQ(write(s, 5000), 5000u);
  const uint64_t took = probe_until_closed(s, 0);
  EXPECT_GE(took, 5000u);
  EXPECT_LE(took, 5000u + 1000u);
  EXPECT_EQ(tcp().info(s).value().failure, TcpFailure::TimedOut);
  EXPECT_EQ(last().flags, kTcpRst | kTcpAck);
  EXPECT_EQ(tcp().counters().persist_timeouts, 1u);
  EXPECT_GT(tcp().counters().probes, 2u);
  ASSERT_TRUE(tcp().close(s, now_).ok());
  EXPECT_EQ(tcp().slots_in_use(), 0u);
  EXPECT_LE(tcp().memory().used(), base + 1024);  // the table, not the connection or queue
}

TEST_F(TcpEnginePersist, AWindowOpenedAByteAtATimeEndsTheConnectionToo) {
  const TcpSocket s = establish(0);
  ASSERT_EQ(write(s, 5000), 5000u);
  const uint64_t took = probe_until_closed(s, 1);
  EXPECT_LE(took, 5000u + 1000u);
  EXPECT_EQ(tcp().info(s).value().failure, TcpFailure::TimedOut);
}

// What the owner could not pass on stays queued: peek copies without taking, and only consume
// drops it.
TEST_F(TcpEngine, PeekLeavesTheBytesQueuedUntilConsumed) {
  const TcpSocket s = establish();
  const std::vector<uint8_t> data = {'a', 'b', 'c', 'd'};
  send(kTcpAck, kPeerIss + 1, iss_ + 1, 0xffff, data);
  uint8_t out[8] = {};
  ASSERT_EQ(tcp().peek(s, out, sizeof(out)).value(), 4u);
  ASSERT_EQ(tcp().peek(s, out, 2).value(), 2u);
  EXPECT_EQ(out[0], 'a');
  EXPECT_EQ(tcp().info(s).value().recv_queued, 4u);
  tcp().consume(s, 3, now_);
  EXPECT_EQ(tcp().info(s).value().recv_queued, 1u);
  ASSERT_EQ(tcp().read(s, out, sizeof(out), now_).value(), 1u);
  EXPECT_EQ(out[0], 'd');
  EXPECT_EQ(tcp().peek(s, out, sizeof(out)).error(), lib::Error::WouldBlock);
}

TEST_F(TcpEngine, OurWindowClosesWhenTheOwnerDoesNotRead) {
  const TcpSocket s = establish();
  const std::vector<uint8_t> full(1460, 1);
  uint32_t seq = kPeerIss + 1;
  while (tcp().info(s).value().rcv_wnd >= 1460) {
    send(kTcpAck, seq, iss_ + 1, 0xffff, full);
    seq += 1460;
  }
  advance(200);
  const size_t filled = tcp().info(s).value().recv_queued;
  EXPECT_EQ(filled, size_t{seq - kPeerIss - 1});
  const uint32_t room = tcp().info(s).value().rcv_wnd;
  EXPECT_EQ(room, 1296u);
  // The SYN-ACK announced 65535 (no scaling): that edge stays, one byte short of the room,
  // since a window does not grow by less than a segment.
  EXPECT_EQ(last().window, room - 1);
  send(kTcpAck, seq, iss_ + 1, 0xffff, full);  // more than fits: only `room` bytes are taken
  EXPECT_EQ(tcp().info(s).value().rcv_wnd, 0u);
  EXPECT_EQ(last().window, 0);
  // A zero-window probe at rcv_nxt - 1 is answered with the window.
  const size_t before = sent();
  send(kTcpAck, seq + room - 1, iss_ + 1);
  EXPECT_EQ(sent(), before + 1);
  // Reading opens the window and announces it.
  std::vector<uint8_t> buffer(8192);
  ASSERT_EQ(tcp().read(s, buffer.data(), buffer.size(), now_).value(), 8192u);
  EXPECT_EQ(sent(), before + 2);
  EXPECT_EQ(last().window, 8192u);
}

TEST_F(TcpEngine, ASynWithoutOptionsMeansMss536AndNoScaling) {
  listener_ = tcp().listen(kAddressA, kServerPort, 4).value();
  send_syn(kPeerPort, 0, -1);
  const TcpSegment syn_ack = last();
  EXPECT_EQ(syn_ack.mss, 1460);            // ours, from the MTU
  EXPECT_FALSE(syn_ack.has_window_shift);  // not offered, so not answered
  send(kTcpAck, kPeerIss + 1, syn_ack.seq + 1, 0xffff);
  const TcpSocket s = tcp().accept(listener_).value();
  const TcpInfo i = tcp().info(s).value();
  EXPECT_EQ(i.snd_mss, 536);
  EXPECT_EQ(i.snd_shift, 0);
  EXPECT_EQ(i.rcv_shift, 0);
  EXPECT_EQ(i.snd_wnd, 0xffffu);
  ASSERT_EQ(write(s, 2000), 2000u);
  EXPECT_EQ(last().payload_size, 536u);
  EXPECT_EQ(last().window, 0xffff);  // 64 KiB of room, unscaled: capped
}

TEST_F(TcpEngine, AnOfferedWindowScaleIsAnswered) {
  listener_ = tcp().listen(kAddressA, kServerPort, 4).value();
  send_syn(kPeerPort, 1460, 3);
  EXPECT_TRUE(last().has_window_shift);
  EXPECT_EQ(last().window_shift, 1);
  send(kTcpAck, kPeerIss + 1, last().seq + 1, 100);
  const TcpSocket s = tcp().accept(listener_).value();
  EXPECT_EQ(tcp().info(s).value().snd_wnd, 800u);  // 100 << 3
}

TEST_F(TcpEngine, MalformedSegmentsAreCountedAndDropped) {
  listener_ = tcp().listen(kAddressA, kServerPort, 4).value();
  TcpHeader h;
  h.source_port = kPeerPort;
  h.destination_port = kServerPort;
  h.flags = kTcpSyn;
  auto bytes = make_segment(kAddressB, kAddressA, h);
  bytes[16] ^= 0x55;  // the checksum
  tcp().receive(kAddressB, kAddressA, bytes.data(), bytes.size(), now_);
  tcp().receive(kAddressB, kAddressA, bytes.data(), 7, now_);  // truncated
  std::vector<uint8_t> garbage(40, 0xff);                      // data offset 60 > 40 bytes
  tcp().receive(kAddressB, kAddressA, garbage.data(), garbage.size(), now_);
  EXPECT_EQ(sent(), 0u);
  EXPECT_EQ(tcp().slots_in_use(), 0u);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BadChecksum), 1u);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::TooShort), 1u);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::BadHeaderLength), 1u);
  EXPECT_EQ(tcp().counters().segments_in, 3u);
}

TEST_F(TcpEngine, DataAfterCloseIsAnsweredWithRst) {
  const TcpSocket s = establish();
  ASSERT_TRUE(tcp().close(s, now_).ok());
  EXPECT_EQ(last().flags, kTcpFin | kTcpAck);
  send(kTcpAck, kPeerIss + 1, iss_ + 2, 0xffff, {1, 2, 3});
  EXPECT_EQ(last().flags, kTcpRst | kTcpAck);
  EXPECT_EQ(tcp().counters().dropped(TcpDrop::AfterClose), 1u);
  EXPECT_EQ(tcp().slots_in_use(), 0u);
}

TEST_F(TcpEngine, ClosingWithUnreadDataResets) {
  const TcpSocket s = establish();
  send(kTcpAck | kTcpPsh, kPeerIss + 1, iss_ + 1, 0xffff, {1, 2, 3});
  ASSERT_TRUE(tcp().close(s, now_).ok());
  EXPECT_EQ(last().flags, kTcpRst | kTcpAck);
  EXPECT_EQ(tcp().slots_in_use(), 0u);
}

TEST_F(TcpEngine, AnOrphanInFinWait2GivesUp) {
  TcpConfig c = test::test_config(3);
  const TcpSocket s = establish();
  ASSERT_TRUE(tcp().close(s, now_).ok());
  send(kTcpAck, kPeerIss + 1, iss_ + 2);  // our FIN acknowledged; the peer never closes
  uint32_t states[kTcpStateCount];
  tcp().count_states(states);
  EXPECT_EQ(states[static_cast<size_t>(TcpState::FinWait2)], 1u);
  advance(c.orphan_fin_wait2_ms);
  EXPECT_EQ(tcp().slots_in_use(), 0u);
}

}  // namespace
}  // namespace tcpip
