#include "servers/tcpip/stack/stack.h"
#include "servers/tcpip/stack/tcp_ipv4.h"

#include <gtest/gtest.h>

#include <deque>
#include <tuple>
#include <vector>

#include "tests/unit/net/packets.h"
#include "tests/unit/net/tcp_sim.h"

namespace {

using namespace nettest;
using tcpip::Drop;

// One end of a simulated Ethernet segment: what it sends arrives at the other end's inbox,
// delivered later by pump().
class Wire final : public tcpip::Link {
 public:
  void send_frame(const uint8_t* frame, size_t size) override {
    peer->inbox.emplace_back(frame, frame + size);
  }
  Wire* peer = nullptr;
  std::deque<Bytes> inbox;
};

struct Reply {
  Ipv4 from;
  uint16_t sequence;
  Bytes data;
};

class Pinger final : public tcpip::EchoListener {
 public:
  void on_echo_reply(Ipv4 from, uint16_t, uint16_t sequence, const uint8_t* data, size_t size,
                     uint64_t) override {
    replies.push_back({from, sequence, Bytes(data, data + size)});
  }
  std::vector<Reply> replies;
};

class UdpEcho final : public tcpip::UdpReceiver {
 public:
  explicit UdpEcho(tcpip::Udp& udp) : udp_(udp) {}
  void on_datagram(uint16_t port, Ipv4 source, uint16_t source_port, Ipv4, const uint8_t* data,
                   size_t size, uint64_t now_ms) override {
    received.emplace_back(data, data + size);
    if (echo) EXPECT_TRUE(udp_.send(port, source, source_port, data, size, now_ms).ok());
  }
  bool echo = false;
  std::vector<Bytes> received;

 private:
  tcpip::Udp& udp_;
};

const Mac kMacA{{0x02, 0, 0, 0, 0, 0x0a}};
const Mac kMacB{{0x02, 0, 0, 0, 0, 0x0b}};
const Ipv4 kIpA = Ipv4::of(192, 168, 7, 1);
const Ipv4 kIpB = Ipv4::of(192, 168, 7, 2);
const Ipv4 kMask = Ipv4::of(255, 255, 255, 0);

class TwoStacks : public ::testing::Test {
 protected:
  TwoStacks() {
    wire_a.peer = &wire_b;
    wire_b.peer = &wire_a;
    a.configure({kIpA, kMask, Ipv4{}, Ipv4{}});
    b.configure({kIpB, kMask, Ipv4{}, Ipv4{}});
    pump();
  }
  // Delivers frames until the wire is quiet; returns how many.
  size_t pump() {
    size_t delivered = 0;
    while (!wire_a.inbox.empty() || !wire_b.inbox.empty()) {
      for (auto [wire, stack] : {std::pair{&wire_a, &a}, std::pair{&wire_b, &b}}) {
        while (!wire->inbox.empty()) {
          const Bytes f = wire->inbox.front();
          wire->inbox.pop_front();
          stack->receive_frame(f.data(), f.size(), now);
          ++delivered;
        }
      }
    }
    return delivered;
  }

  Wire wire_a, wire_b;
  tcpip::Stack a{wire_a, kMacA, 1};
  tcpip::Stack b{wire_b, kMacB, 2};
  uint64_t now = 0;
};

TEST_F(TwoStacks, PingEachOther) {
  Pinger pinger_a, pinger_b;
  a.icmp().set_echo_listener(&pinger_a);
  b.icmp().set_echo_listener(&pinger_b);
  const Bytes data = {'p', 'i', 'n', 'g'};
  // The first echo waits for ARP; the second is held behind it.
  ASSERT_TRUE(a.icmp().send_echo_request(kIpB, 1, 1, data.data(), data.size(), now).ok());
  ASSERT_TRUE(a.icmp().send_echo_request(kIpB, 1, 2, data.data(), data.size(), now).ok());
  EXPECT_EQ(a.arp().held(), 2u);
  pump();
  ASSERT_EQ(pinger_a.replies.size(), 2u);
  EXPECT_EQ(pinger_a.replies[0].from, kIpB);
  EXPECT_EQ(pinger_a.replies[0].sequence, 1);
  EXPECT_EQ(pinger_a.replies[1].sequence, 2);
  EXPECT_EQ(pinger_a.replies[0].data, data);
  // And back: b learned a from a's ARP request, so nothing waits.
  ASSERT_TRUE(b.icmp().send_echo_request(kIpA, 9, 3, data.data(), data.size(), now).ok());
  EXPECT_EQ(b.arp().held(), 0u);
  pump();
  ASSERT_EQ(pinger_b.replies.size(), 1u);
  EXPECT_EQ(pinger_b.replies[0].from, kIpA);
  EXPECT_EQ(a.counters().echo_requests_answered, 1u);
  EXPECT_EQ(b.counters().echo_requests_answered, 2u);
  EXPECT_EQ(a.counters().dropped_total(), 0u);
  EXPECT_EQ(b.counters().dropped_total(), 0u);
  EXPECT_EQ(a.counters().frames_out, b.counters().frames_in);
  EXPECT_EQ(b.counters().frames_out, a.counters().frames_in);
}

TEST_F(TwoStacks, ExchangeUdp) {
  UdpEcho server(b.udp()), client(a.udp());
  server.echo = true;
  ASSERT_TRUE(b.udp().bind(7, server).ok());
  auto port = a.udp().bind(0, client);
  ASSERT_TRUE(port.ok());
  const Bytes data(1000, 0x5a);
  ASSERT_TRUE(a.udp().send(port.value(), kIpB, 7, data.data(), data.size(), now).ok());
  pump();
  ASSERT_EQ(server.received.size(), 1u);
  ASSERT_EQ(client.received.size(), 1u);
  EXPECT_EQ(client.received[0], data);
}

TEST_F(TwoStacks, AnUnansweredPingIsDroppedAfterArpGivesUp) {
  const Ipv4 absent = Ipv4::of(192, 168, 7, 99);
  ASSERT_TRUE(a.icmp().send_echo_request(absent, 1, 1, nullptr, 0, now).ok());
  for (now = 0; now <= tcpip::kArpTries * tcpip::kArpRetryMs; now += tcpip::Stack::kPollMs) {
    a.poll(now);
    pump();
  }
  EXPECT_EQ(a.arp().held(), 0u);
  EXPECT_EQ(a.counters().dropped(Drop::ArpUnresolved), 1u);
}

TEST_F(TwoStacks, OneConfiguredByTheOthersAbsentDhcpKeepsAsking) {
  // b runs DHCP on a segment with no server: it keeps its address meanwhile and keeps
  // answering pings, and its DISCOVERs are broadcast to a, which has nothing on port 67.
  ASSERT_TRUE(b.start_dhcp(now).ok());
  pump();
  EXPECT_EQ(a.counters().dropped(Drop::UdpNoPort), 1u);
  Pinger pinger;
  a.icmp().set_echo_listener(&pinger);
  ASSERT_TRUE(a.icmp().send_echo_request(kIpB, 1, 1, nullptr, 0, now).ok());
  pump();
  EXPECT_EQ(pinger.replies.size(), 1u);
}

// Whole frames of random bytes, and valid frames with a few bytes changed, into a stack
// with every service running: nothing crashes, everything bad is counted.
TEST_F(TwoStacks, RandomFramesNeverCrash) {
  UdpEcho sink(b.udp());
  ASSERT_TRUE(b.udp().bind(9, sink).ok());
  ASSERT_TRUE(b.start_dhcp(0).ok());
  Pinger pinger;
  b.icmp().set_echo_listener(&pinger);
  b.dns().set_server(kIpA);
  struct Ignore final : tcpip::DnsListener {
    void on_resolved(uint16_t, tcpip::DnsStatus, const tcpip::DnsAnswer&) override {}
  } ignore;
  ASSERT_TRUE(b.dns().resolve("example.com", ignore, 0).ok());
  wire_a.inbox.clear();
  const std::vector<Bytes> valid = {
      ethernet(kMacB, kMacA, 0x0806, arp_packet(1, kMacA, kIpA, Mac{}, kIpB)),
      ethernet(kMacB, kMacA, 0x0800, ipv4(kIpA, kIpB, 1, icmp_echo(8, 1, 1, {1, 2, 3}))),
      ethernet(kMacB, kMacA, 0x0800, ipv4(kIpA, kIpB, 17, udp(kIpA, 1, kIpB, 9, {1, 2, 3}))),
      ethernet(kMacB, kMacA, 0x0800, ipv4(kIpA, kIpB, 17, udp(kIpA, 67, kIpB, 68, Bytes(300, 0)))),
      ethernet(kMacB, kMacA, 0x0800, ipv4(kIpA, kIpB, 17, udp(kIpA, 53, kIpB, 49152, Bytes(40)))),
  };
  std::mt19937 rng(2024);
  for (int i = 0; i < 50000; ++i) {
    Bytes f;
    if (i % 4 == 0) {
      f = random_bytes(rng, rng() % 120);
    } else {
      f = valid[rng() % valid.size()];
      for (int k = 0; k < 1 + i % 5; ++k) f[rng() % f.size()] = static_cast<uint8_t>(rng());
      if (i % 4 == 1) f.resize(rng() % (f.size() + 1));
    }
    b.receive_frame(f.data(), f.size(), static_cast<uint64_t>(i));
    if (i % 100 == 0) b.poll(static_cast<uint64_t>(i));
    wire_a.inbox.clear();
  }
  EXPECT_EQ(b.counters().frames_in, 50000u + 1);  // and a's announcement
  EXPECT_GT(b.counters().dropped_total(), 40000u);
}

}  // namespace

// TCP over two whole stacks: ARP, IPv4 and the engine together, through TcpOverIpv4.
class TwoStacksWithTcp : public TwoStacks {
 protected:
  static constexpr size_t kSlots = 2;
  TwoStacksWithTcp() {
    for (auto [glue, tcp, stack] :
         {std::tuple{&glue_a, &tcp_a, &a}, std::tuple{&glue_b, &tcp_b, &b}}) {
      glue->bind(*tcp);
      EXPECT_TRUE(stack->ipv4().attach(tcpip::kProtocolTcp, *glue).ok());
    }
  }
  static tcpip::TcpConfig config(uint64_t key) {
    tcpip::TcpConfig c;
    c.secret = {key, ~key};
    c.msl_ms = 1000;
    c.max_connections = kSlots;
    return c;
  }
  tcpip::test::TestMemory memory_a, memory_b;
  tcpip::TcpOverIpv4 glue_a{a.ipv4()}, glue_b{b.ipv4()};
  tcpip::Tcp tcp_a{glue_a, memory_a, config(11)};
  tcpip::Tcp tcp_b{glue_b, memory_b, config(22)};
};

TEST_F(TwoStacksWithTcp, ConnectTransferAndClose) {
  auto listener = tcp_b.listen(Ipv4{}, 80, 4);
  ASSERT_TRUE(listener.ok());
  auto client = tcp_a.connect(kIpA, kIpB, 80, now);  // its SYN waits for ARP
  ASSERT_TRUE(client.ok());
  pump();
  auto server = tcp_b.accept(listener.value());
  ASSERT_TRUE(server.ok());
  EXPECT_TRUE(tcp_a.poll(client.value()) & tcpip::kTcpConnected);

  Bytes sent(size_t{100} * 1024), received;
  for (size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<uint8_t>(i * 7 + i / 251);
  size_t written = 0;
  uint8_t buffer[4096];
  for (int round = 0; round < 10000 && received.size() < sent.size(); ++round) {
    if (written < sent.size()) {
      auto n = tcp_a.write(client.value(), sent.data() + written, sent.size() - written, now);
      ASSERT_TRUE(n.ok());
      written += n.value();
    }
    pump();
    for (;;) {
      auto n = tcp_b.read(server.value(), buffer, sizeof(buffer), now);
      if (!n.ok() || n.value() == 0) break;
      received.insert(received.end(), buffer, buffer + n.value());
    }
    now += 10;
    glue_a.advance(now);
    glue_b.advance(now);
    tcp_a.tick(now);
    tcp_b.tick(now);
    pump();
  }
  EXPECT_EQ(received, sent);

  ASSERT_TRUE(tcp_a.close(client.value(), now).ok());
  pump();
  auto end = tcp_b.read(server.value(), buffer, sizeof(buffer), now);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end.value(), 0u);  // end of stream
  ASSERT_TRUE(tcp_b.close(server.value(), now).ok());
  pump();
  EXPECT_EQ(a.counters().dropped_total(), 0u);
  EXPECT_EQ(b.counters().dropped_total(), 0u);
  EXPECT_EQ(glue_a.dropped() + glue_b.dropped(), 0u);
  EXPECT_EQ(tcp_a.counters().dropped_total() + tcp_b.counters().dropped_total(), 0u);
}

// TCP over one stack's loopback: a connection to 127.0.0.1 and one to our own address, each
// end in the same engine, with no frame on the link.
class LoopbackTcp : public ::testing::Test {
 protected:
  LoopbackTcp() {
    stack.configure({kOurIp, Ipv4::of(255, 255, 255, 0), Ipv4{}, Ipv4{}});
    glue.bind(tcp);
    EXPECT_TRUE(stack.ipv4().attach(tcpip::kProtocolTcp, glue).ok());
    link.frames.clear();
  }
  static tcpip::TcpConfig config() {
    tcpip::TcpConfig c;
    c.secret = {33, 44};
    c.msl_ms = 1000;
    c.max_connections = 4;
    return c;
  }
  // Delivers what loops back, as the component does after each event, and the timers.
  void pump() {
    for (int i = 0; i < 1000 && stack.ipv4().loopback_pending(); ++i)
      stack.ipv4().deliver_loopback(now);
    now += 10;
    glue.advance(now);
    tcp.tick(now);
  }
  void connect_transfer_close(Ipv4 to) {
    auto listener = tcp.listen(Ipv4{}, 80, 4);
    ASSERT_TRUE(listener.ok());
    auto client = tcp.connect(stack.ipv4().source_for(to), to, 80, now);
    ASSERT_TRUE(client.ok());
    pump();
    auto server = tcp.accept(listener.value());
    ASSERT_TRUE(server.ok());
    EXPECT_TRUE(tcp.poll(client.value()) & tcpip::kTcpConnected);
    auto info = tcp.info(server.value());
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info.value().remote_ip, stack.ipv4().source_for(to));
    EXPECT_EQ(info.value().local_ip, to);

    Bytes sent(size_t{300} * 1024), received;
    for (size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<uint8_t>(i * 13 + i / 509);
    size_t written = 0;
    uint8_t buffer[4096];
    for (int round = 0; round < 10000 && received.size() < sent.size(); ++round) {
      if (written < sent.size()) {
        auto n = tcp.write(client.value(), sent.data() + written, sent.size() - written, now);
        if (n.ok()) written += n.value();
      }
      pump();
      for (;;) {
        auto n = tcp.read(server.value(), buffer, sizeof(buffer), now);
        if (!n.ok() || n.value() == 0) break;
        received.insert(received.end(), buffer, buffer + n.value());
      }
    }
    EXPECT_EQ(received, sent);
    ASSERT_TRUE(tcp.close(client.value(), now).ok());
    pump();
    auto end = tcp.read(server.value(), buffer, sizeof(buffer), now);
    ASSERT_TRUE(end.ok());
    EXPECT_EQ(end.value(), 0u);
    ASSERT_TRUE(tcp.close(server.value(), now).ok());
    ASSERT_TRUE(tcp.close(listener.value(), now).ok());
    pump();
    EXPECT_TRUE(link.frames.empty());
    EXPECT_EQ(stack.counters().dropped_total(), 0u);
    EXPECT_EQ(glue.dropped(), 0u);
    EXPECT_EQ(tcp.counters().dropped_total(), 0u);
    EXPECT_EQ(tcp.counters().retransmits, 0u);  // the queue holds a whole window
  }

  RecordingLink link;
  tcpip::Stack stack{link, kOurMac};
  tcpip::test::TestMemory memory;
  tcpip::TcpOverIpv4 glue{stack.ipv4()};
  tcpip::Tcp tcp{glue, memory, config()};
  uint64_t now = 1;
};

TEST_F(LoopbackTcp, ThroughLocalhost) { connect_transfer_close(tcpip::kLoopbackAddress); }
TEST_F(LoopbackTcp, ThroughOurOwnAddress) { connect_transfer_close(kOurIp); }
// 127.0.0.2 is this host too, and answers as itself: the RST comes from it.
TEST_F(LoopbackTcp, NothingListeningIsRefused) {
  auto client = tcp.connect(tcpip::kLoopbackAddress, Ipv4::of(127, 0, 0, 2), 81, now);
  ASSERT_TRUE(client.ok());
  pump();
  EXPECT_TRUE(tcp.poll(client.value()) & tcpip::kTcpFailed);
  EXPECT_EQ(tcp.info(client.value()).value().failure, tcpip::TcpFailure::Refused);
}
