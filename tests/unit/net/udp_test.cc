#include "servers/tcpip/stack/udp.h"

#include <gtest/gtest.h>

#include "servers/tcpip/stack/stack.h"
#include "tests/unit/net/packets.h"

namespace {

using namespace nettest;
using tcpip::Drop;

struct Datagram {
  uint16_t local_port;
  Ipv4 source;
  uint16_t source_port;
  Ipv4 destination;
  Bytes data;
};

class RecordingReceiver final : public tcpip::UdpReceiver {
 public:
  void on_datagram(uint16_t local_port, Ipv4 source, uint16_t source_port, Ipv4 destination,
                   const uint8_t* data, size_t size, uint64_t) override {
    datagrams.push_back({local_port, source, source_port, destination, Bytes(data, data + size)});
  }
  std::vector<Datagram> datagrams;
};

class UdpTest : public ::testing::Test {
 protected:
  UdpTest() {
    stack.configure({kOurIp, Ipv4::of(255, 255, 255, 0), kPeerIp, Ipv4{}});
    receive(ethernet(kOurMac, kPeerMac, 0x0806,
                     arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, kOurIp)));
    link.frames.clear();
    EXPECT_EQ(stack.udp().bind(7000, receiver).value(), 7000);
  }
  void receive(const Bytes& frame) { stack.receive_frame(frame.data(), frame.size(), 0); }
  void receive_udp(const Bytes& datagram) {
    receive(ipv4_frame(ipv4(kPeerIp, kOurIp, tcpip::kProtocolUdp, datagram)));
  }

  RecordingLink link;
  tcpip::Stack stack{link, kOurMac};
  RecordingReceiver receiver;
};

TEST_F(UdpTest, DeliversToTheBoundPort) {
  receive_udp(udp(kPeerIp, 5353, kOurIp, 7000, {1, 2, 3}));
  receive_udp(udp(kPeerIp, 5353, kOurIp, 7000, {4, 5}, /*with_checksum=*/false));
  ASSERT_EQ(receiver.datagrams.size(), 2u);
  EXPECT_EQ(receiver.datagrams[0].local_port, 7000);
  EXPECT_EQ(receiver.datagrams[0].source, kPeerIp);
  EXPECT_EQ(receiver.datagrams[0].source_port, 5353);
  EXPECT_EQ(receiver.datagrams[0].destination, kOurIp);
  EXPECT_EQ(receiver.datagrams[0].data, (Bytes{1, 2, 3}));
  EXPECT_EQ(receiver.datagrams[1].data, (Bytes{4, 5}));
  EXPECT_EQ(stack.counters().udp_in, 2u);
}

TEST_F(UdpTest, CountsBadDatagrams) {
  const Bytes good = udp(kPeerIp, 5353, kOurIp, 7000, {1, 2, 3});
  for (size_t size = 0; size < good.size(); ++size)
    receive_udp(Bytes(good.begin(), good.begin() + static_cast<ptrdiff_t>(size)));
  EXPECT_EQ(stack.counters().dropped(Drop::UdpMalformed), good.size());
  Bytes short_length = good;
  tcpip::store16(&short_length[4], 7);
  receive_udp(short_length);
  EXPECT_EQ(stack.counters().dropped(Drop::UdpMalformed), good.size() + 1);
  Bytes flipped = good;
  flipped[9] ^= 1;
  receive_udp(flipped);
  EXPECT_EQ(stack.counters().dropped(Drop::UdpBadChecksum), 1u);
  receive_udp(udp(kPeerIp, 5353, kOurIp, 7001, {1}));
  EXPECT_EQ(stack.counters().dropped(Drop::UdpNoPort), 1u);
  EXPECT_TRUE(receiver.datagrams.empty());
}

TEST_F(UdpTest, ALengthShorterThanThePacketCutsTheData) {
  Bytes d = udp(kPeerIp, 5353, kOurIp, 7000, {1, 2}, false);
  d.push_back(3);  // after the datagram's length: not part of it
  receive_udp(d);
  ASSERT_EQ(receiver.datagrams.size(), 1u);
  EXPECT_EQ(receiver.datagrams[0].data, (Bytes{1, 2}));
}

TEST_F(UdpTest, SendsWithAChecksumThatVerifies) {
  const Bytes data = {'h', 'i', '!'};
  ASSERT_TRUE(stack.udp().send(7000, kPeerIp, 53, data.data(), data.size(), 0).ok());
  ASSERT_EQ(link.frames.size(), 1u);
  const Bytes expected =
      ethernet(kPeerMac, kOurMac, 0x0800,
               ipv4(kOurIp, kPeerIp, tcpip::kProtocolUdp, udp(kOurIp, 7000, kPeerIp, 53, data),
                    {.ttl = tcpip::kIpv4Ttl, .id = 0, .flags_fragment = 0x4000}));
  EXPECT_EQ(link.frames[0], expected);
  EXPECT_EQ(stack.counters().udp_out, 1u);
  const Bytes big(tcpip::kUdpMaxPayload + 1);
  EXPECT_EQ(stack.udp().send(7000, kPeerIp, 53, big.data(), big.size(), 0).error(),
            lib::Error::TooLarge);
}

TEST_F(UdpTest, BindsEphemeralPortsAndRefusesWhenFull) {
  EXPECT_EQ(stack.udp().bind(7000, receiver).error(), lib::Error::AlreadyExists);
  std::vector<uint16_t> ports;
  for (size_t i = 1; i < tcpip::kUdpSockets; ++i) {
    auto port = stack.udp().bind(0, receiver);
    ASSERT_TRUE(port.ok());
    EXPECT_GE(port.value(), tcpip::kUdpEphemeralFirst);
    for (uint16_t p : ports) EXPECT_NE(p, port.value());
    ports.push_back(port.value());
  }
  EXPECT_EQ(stack.udp().bind(0, receiver).error(), lib::Error::NoResources);
  stack.udp().unbind(ports[0]);
  EXPECT_FALSE(stack.udp().bound(ports[0]));
  EXPECT_TRUE(stack.udp().bind(9, receiver).ok());
}

TEST_F(UdpTest, LoopsBackWithAChecksumFor127001) {
  RecordingReceiver sender;
  ASSERT_EQ(stack.udp().bind(7001, sender).value(), 7001);
  const Bytes data{'h', 'i'};
  ASSERT_TRUE(
      stack.udp().send(7001, tcpip::kLoopbackAddress, 7000, data.data(), data.size(), 0).ok());
  ASSERT_TRUE(stack.udp().send(7000, kOurIp, 7001, data.data(), data.size(), 0).ok());
  EXPECT_TRUE(link.frames.empty());
  stack.ipv4().deliver_loopback(0);
  ASSERT_EQ(receiver.datagrams.size(), 1u);
  EXPECT_EQ(receiver.datagrams[0].source, tcpip::kLoopbackAddress);
  EXPECT_EQ(receiver.datagrams[0].source_port, 7001);
  EXPECT_EQ(receiver.datagrams[0].data, data);
  ASSERT_EQ(sender.datagrams.size(), 1u);
  EXPECT_EQ(sender.datagrams[0].source, kOurIp);
  EXPECT_EQ(stack.counters().dropped_total(), 0u);  // both checksums verified
}

TEST_F(UdpTest, RandomDatagramsNeverCrash) {
  std::mt19937 rng(768);
  for (int i = 0; i < 20000; ++i) {
    Bytes d = random_bytes(rng, rng() % 32);
    if (d.size() >= 8 && (i & 1)) {
      tcpip::store16(&d[2], 7000);
      if (i & 2) tcpip::store16(&d[6], 0);
    }
    receive_udp(d);
  }
  EXPECT_GT(stack.counters().dropped(Drop::UdpMalformed), 0u);
}

}  // namespace
