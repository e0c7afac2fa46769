#include "servers/tcpip/stack/ipv4.h"

#include <gtest/gtest.h>

#include "servers/tcpip/stack/stack.h"
#include "tests/unit/net/packets.h"

namespace {

using namespace nettest;
using tcpip::Drop;

constexpr uint8_t kTestProtocol = 253;  // RFC 3692's experimental protocol
const Mac kGatewayMac{{0x02, 0, 0, 0, 0, 0x01}};
const Ipv4 kGatewayIp = Ipv4::of(10, 0, 2, 1);

struct Delivery {
  Ipv4 source, destination;
  Bytes payload;
};

class RecordingTransport final : public tcpip::Transport {
 public:
  void receive(Ipv4 source, Ipv4 destination, const uint8_t* payload, size_t size,
               uint64_t) override {
    deliveries.push_back({source, destination, Bytes(payload, payload + size)});
  }
  std::vector<Delivery> deliveries;
};

class Ipv4Test : public ::testing::Test {
 protected:
  Ipv4Test() {
    stack.configure({kOurIp, Ipv4::of(255, 255, 255, 0), kGatewayIp, Ipv4{}});
    EXPECT_TRUE(stack.ipv4().attach(kTestProtocol, transport).ok());
    // Teach ARP the peer and the gateway.
    receive(ethernet(kOurMac, kPeerMac, 0x0806,
                     arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, kOurIp)));
    receive(ethernet(kOurMac, kGatewayMac, 0x0806,
                     arp_packet(tcpip::kArpRequest, kGatewayMac, kGatewayIp, Mac{}, kOurIp)));
    link.frames.clear();
  }

  void receive(const Bytes& frame) { stack.receive_frame(frame.data(), frame.size(), 0); }
  void receive_packet(const Bytes& packet) { receive(ipv4_frame(packet)); }
  Bytes packet(const Bytes& payload, Ipv4Options options = {}) {
    return ipv4(kPeerIp, kOurIp, kTestProtocol, payload, options);
  }
  lib::Result<void> send(Ipv4 destination, const Bytes& payload) {
    return stack.ipv4().send_ipv4(destination, kTestProtocol, payload.data(), payload.size(),
                                  nullptr, 0, 0);
  }

  RecordingLink link;
  tcpip::Stack stack{link, kOurMac};
  RecordingTransport transport;
};

TEST_F(Ipv4Test, DeliversAValidPacketWithoutTheFramesPadding) {
  Bytes frame = ipv4_frame(packet({1, 2, 3}));
  frame.resize(60);  // Ethernet's minimum, padded with zeros
  receive(frame);
  ASSERT_EQ(transport.deliveries.size(), 1u);
  EXPECT_EQ(transport.deliveries[0].source, kPeerIp);
  EXPECT_EQ(transport.deliveries[0].destination, kOurIp);
  EXPECT_EQ(transport.deliveries[0].payload, (Bytes{1, 2, 3}));
  EXPECT_EQ(stack.counters().ipv4_in, 1u);
  EXPECT_EQ(stack.counters().dropped_total(), 0u);
}

TEST_F(Ipv4Test, SkipsOptions) {
  Bytes p = packet({9});
  p.insert(p.begin() + 20, {1, 1, 1, 0});  // NOP, NOP, NOP, end of options
  p[0] = 0x46;
  tcpip::store16(&p[2], static_cast<uint16_t>(p.size()));
  tcpip::store16(&p[10], 0);
  tcpip::store16(&p[10], tcpip::checksum_fold(tcpip::checksum_add(0, p.data(), 24)));
  receive_packet(p);
  ASSERT_EQ(transport.deliveries.size(), 1u);
  EXPECT_EQ(transport.deliveries[0].payload, Bytes{9});
}

// Sets byte `at` of p to value and fixes the header checksum.
Bytes with(Bytes p, size_t at, uint8_t value) {
  p[at] = value;
  tcpip::store16(&p[10], 0);
  tcpip::store16(&p[10], tcpip::checksum_fold(tcpip::checksum_add(0, p.data(), 20)));
  return p;
}

TEST_F(Ipv4Test, CountsEachMalformationByReason) {
  const Bytes good = packet({1, 2, 3, 4});
  const auto expect_drop = [&](const Bytes& p, Drop reason) {
    const uint64_t before = stack.counters().dropped(reason);
    receive_packet(p);
    EXPECT_EQ(stack.counters().dropped(reason), before + 1) << tcpip::drop_name(reason);
  };
  expect_drop(with(good, 0, 0x65), Drop::Ipv4BadVersion);
  expect_drop(with(good, 0, 0x44), Drop::Ipv4BadHeaderLength);
  expect_drop(with(good, 0, 0x4f), Drop::Ipv4BadHeaderLength);
  expect_drop(with(good, 3, 19), Drop::Ipv4BadLength);  // total < header
  expect_drop(with(good, 3, 25), Drop::Ipv4BadLength);  // total > what arrived
  Bytes bad_sum = good;
  bad_sum[10] ^= 1;
  expect_drop(bad_sum, Drop::Ipv4BadChecksum);
  expect_drop(with(good, 8, 0), Drop::Ipv4BadTtl);
  expect_drop(with(good, 6, 0x20), Drop::Ipv4Fragment);  // more fragments
  expect_drop(with(good, 7, 0x01), Drop::Ipv4Fragment);  // an offset
  expect_drop(with(good, 6, 0x1f), Drop::Ipv4Fragment);  // the offset's high bits
  expect_drop(with(good, 9, 99), Drop::Ipv4UnknownProtocol);
  expect_drop(ipv4(Ipv4::of(255, 255, 255, 255), kOurIp, kTestProtocol, {}), Drop::Ipv4BadSource);
  expect_drop(ipv4(Ipv4::of(10, 0, 2, 255), kOurIp, kTestProtocol, {}), Drop::Ipv4BadSource);
  expect_drop(ipv4(Ipv4::of(224, 0, 0, 1), kOurIp, kTestProtocol, {}), Drop::Ipv4BadSource);
  expect_drop(ipv4(kPeerIp, Ipv4::of(10, 0, 2, 99), kTestProtocol, {}), Drop::Ipv4NotForUs);
  expect_drop(ipv4(kPeerIp, Ipv4::of(224, 0, 0, 1), kTestProtocol, {}), Drop::Ipv4NotForUs);
  EXPECT_TRUE(transport.deliveries.empty());
  // Don't-fragment is fine.
  receive_packet(with(good, 6, 0x40));
  EXPECT_EQ(transport.deliveries.size(), 1u);
}

TEST_F(Ipv4Test, DropsEveryTruncation) {
  const Bytes frame = ipv4_frame(packet({1, 2, 3, 4, 5, 6, 7, 8}));
  for (size_t size = 0; size < frame.size(); ++size) {
    Bytes cut(frame.begin(), frame.begin() + static_cast<ptrdiff_t>(size));
    receive(cut);
  }
  EXPECT_TRUE(transport.deliveries.empty());
  EXPECT_EQ(stack.counters().dropped_total(), frame.size());
  EXPECT_EQ(stack.counters().dropped(Drop::EthernetTruncated), tcpip::kEthernetHeader);
  EXPECT_EQ(stack.counters().dropped(Drop::Ipv4Truncated), 20u);
  EXPECT_EQ(stack.counters().dropped(Drop::Ipv4BadLength), 8u);
}

TEST_F(Ipv4Test, AcceptsBroadcastsAndAnythingWhileUnconfigured) {
  receive_packet(ipv4(kPeerIp, Ipv4::of(255, 255, 255, 255), kTestProtocol, {}));
  receive_packet(ipv4(kPeerIp, Ipv4::of(10, 0, 2, 255), kTestProtocol, {}));
  EXPECT_EQ(transport.deliveries.size(), 2u);
  stack.configure({});
  receive_packet(ipv4(Ipv4{}, Ipv4::of(10, 9, 8, 7), kTestProtocol, {}));
  EXPECT_EQ(transport.deliveries.size(), 3u);
}

TEST_F(Ipv4Test, FramesNotForUsAreDroppedBeforeIpv4) {
  receive(ipv4_frame(packet({}), kPeerMac));
  receive(ethernet(kOurMac, kPeerMac, 0x86dd, packet({})));  // IPv6
  EXPECT_EQ(stack.counters().dropped(Drop::EthernetNotForUs), 1u);
  EXPECT_EQ(stack.counters().dropped(Drop::EthernetUnknownType), 1u);
  EXPECT_TRUE(transport.deliveries.empty());
}

TEST_F(Ipv4Test, AttachRefusesASecondTransportAndAFullTable) {
  RecordingTransport other;
  EXPECT_EQ(stack.ipv4().attach(kTestProtocol, other).error(), lib::Error::AlreadyExists);
  // ICMP, UDP and the test protocol are attached; fill the rest.
  uint8_t protocol = 100;
  while (stack.ipv4().attach(protocol, other).ok()) ASSERT_LT(++protocol, 100 + tcpip::kTransports);
  EXPECT_EQ(stack.ipv4().attach(tcpip::kProtocolTcp, other).error(), lib::Error::NoResources);
}

// The IPv4 packet of a sent frame, checked: its Ethernet destination must be `to`.
Bytes sent_packet(const Bytes& frame, Mac to) {
  tcpip::EthernetHeader header;
  EXPECT_TRUE(tcpip::parse_ethernet(frame.data(), frame.size(), header));
  EXPECT_EQ(header.destination, to);
  EXPECT_EQ(header.source, kOurMac);
  EXPECT_EQ(header.type, tcpip::kEtherTypeIpv4);
  Bytes p(frame.begin() + tcpip::kEthernetHeader, frame.end());
  EXPECT_GE(p.size(), 20u);
  EXPECT_EQ(tcpip::checksum_fold(tcpip::checksum_add(0, p.data(), 20)), 0);
  return p;
}

TEST_F(Ipv4Test, SendsOnTheLinkAndThroughTheGateway) {
  ASSERT_TRUE(send(kPeerIp, {7, 7}).ok());
  ASSERT_TRUE(send(Ipv4::of(93, 184, 216, 34), {8}).ok());
  ASSERT_EQ(link.frames.size(), 2u);
  const Bytes first = sent_packet(link.frames[0], kPeerMac);
  EXPECT_EQ(first[0], 0x45);
  EXPECT_EQ(tcpip::load16(&first[2]), 22);
  EXPECT_EQ(first[8], tcpip::kIpv4Ttl);
  EXPECT_EQ(first[9], kTestProtocol);
  EXPECT_EQ(tcpip::load32(&first[12]), kOurIp.value);
  EXPECT_EQ(tcpip::load32(&first[16]), kPeerIp.value);
  EXPECT_EQ(first[20], 7);
  const Bytes second = sent_packet(link.frames[1], kGatewayMac);
  EXPECT_EQ(tcpip::load32(&second[16]), Ipv4::of(93, 184, 216, 34).value);
  EXPECT_EQ(tcpip::load16(&second[4]), tcpip::load16(&first[4]) + 1);  // identification
  EXPECT_EQ(stack.counters().ipv4_out, 2u);
}

TEST_F(Ipv4Test, GathersHeaderAndData) {
  const uint8_t header[] = {1, 2, 3};
  const uint8_t data[] = {4, 5};
  ASSERT_TRUE(stack.ipv4().send_ipv4(kPeerIp, kTestProtocol, header, 3, data, 2, 0).ok());
  const Bytes p = sent_packet(link.frames.at(0), kPeerMac);
  EXPECT_EQ(Bytes(p.begin() + 20, p.end()), (Bytes{1, 2, 3, 4, 5}));
}

TEST_F(Ipv4Test, RefusesWhatItCannotRoute) {
  EXPECT_EQ(send(Ipv4{}, {}).error(), lib::Error::InvalidArgument);
  EXPECT_EQ(send(kPeerIp, Bytes(tcpip::kIpv4MaxPayload + 1)).error(), lib::Error::TooLarge);
  EXPECT_TRUE(send(kPeerIp, Bytes(tcpip::kIpv4MaxPayload)).ok());
  EXPECT_EQ(link.frames.at(0).size(), tcpip::kEthernetMaxFrame);
  stack.configure({kOurIp, Ipv4::of(255, 255, 255, 0), Ipv4{}, Ipv4{}});
  EXPECT_EQ(send(Ipv4::of(1, 1, 1, 1), {}).error(), lib::Error::NotFound);
  EXPECT_EQ(stack.counters().dropped(Drop::Ipv4Unroutable), 1u);
}

TEST_F(Ipv4Test, UnconfiguredSendsOnlyBroadcastFromZero) {
  stack.configure({});
  link.frames.clear();
  EXPECT_EQ(send(kPeerIp, {}).error(), lib::Error::NotFound);
  ASSERT_TRUE(send(Ipv4::of(255, 255, 255, 255), {1}).ok());
  const Bytes p = sent_packet(link.frames.at(0), Mac::broadcast());
  EXPECT_EQ(tcpip::load32(&p[12]), 0u);
}

TEST_F(Ipv4Test, LoopsBackToThisHostWithoutTheLink) {
  const Ipv4 other_loopback = Ipv4::of(127, 1, 2, 3);
  ASSERT_TRUE(send(tcpip::kLoopbackAddress, {1}).ok());
  ASSERT_TRUE(send(other_loopback, {2}).ok());
  ASSERT_TRUE(send(kOurIp, {3}).ok());
  EXPECT_TRUE(link.frames.empty());
  EXPECT_TRUE(transport.deliveries.empty());  // not under the send: when the owner asks
  EXPECT_TRUE(stack.ipv4().loopback_pending());
  stack.ipv4().deliver_loopback(0);
  EXPECT_FALSE(stack.ipv4().loopback_pending());
  ASSERT_EQ(transport.deliveries.size(), 3u);
  const Delivery& first = transport.deliveries[0];
  EXPECT_EQ(first.source, tcpip::kLoopbackAddress);
  EXPECT_EQ(first.destination, tcpip::kLoopbackAddress);
  EXPECT_EQ(first.payload, Bytes{1});
  EXPECT_EQ(transport.deliveries[1].source, tcpip::kLoopbackAddress);
  EXPECT_EQ(transport.deliveries[1].destination, other_loopback);
  EXPECT_EQ(transport.deliveries[2].source, kOurIp);  // our address talks to itself as itself
  EXPECT_EQ(transport.deliveries[2].destination, kOurIp);
  EXPECT_EQ(stack.counters().loopback, 3u);
  EXPECT_EQ(stack.counters().dropped_total(), 0u);
}

TEST_F(Ipv4Test, AnswersComeFromTheLoopbackAddressAskedOnly) {
  const Ipv4 second = Ipv4::of(127, 0, 0, 2);
  const Bytes payload{1};
  auto from = [&](Ipv4 source, Ipv4 destination) {
    return stack.ipv4().send_ipv4_from(source, destination, kTestProtocol, payload.data(),
                                       payload.size(), nullptr, 0, 0);
  };
  ASSERT_TRUE(from(second, tcpip::kLoopbackAddress).ok());  // 127.0.0.2 answers
  EXPECT_EQ(from(second, kPeerIp).error(), lib::Error::InvalidArgument);
  EXPECT_EQ(from(kPeerIp, tcpip::kLoopbackAddress).error(), lib::Error::InvalidArgument);
  EXPECT_EQ(from(Ipv4::of(10, 0, 2, 99), kPeerIp).error(), lib::Error::InvalidArgument);
  stack.ipv4().deliver_loopback(0);
  ASSERT_EQ(transport.deliveries.size(), 1u);
  EXPECT_EQ(transport.deliveries[0].source, second);
  EXPECT_TRUE(link.frames.empty());
}

TEST_F(Ipv4Test, LoopbackWorksUnconfigured) {
  stack.configure({});
  link.frames.clear();
  ASSERT_TRUE(send(tcpip::kLoopbackAddress, {7}).ok());
  EXPECT_EQ(send(kOurIp, {}).error(), lib::Error::NotFound);  // not ours any more
  stack.ipv4().deliver_loopback(0);
  ASSERT_EQ(transport.deliveries.size(), 1u);
  EXPECT_EQ(transport.deliveries[0].source, tcpip::kLoopbackAddress);
}

TEST_F(Ipv4Test, AFullLoopbackQueueRefusesAndCounts) {
  for (size_t i = 0; i < tcpip::kLoopbackPackets; ++i)
    ASSERT_TRUE(send(tcpip::kLoopbackAddress, Bytes(tcpip::kIpv4MaxPayload, uint8_t(i))).ok());
  EXPECT_EQ(send(tcpip::kLoopbackAddress, {1}).error(), lib::Error::NoResources);
  EXPECT_EQ(stack.counters().dropped(Drop::LoopbackFull), 1u);
  stack.ipv4().deliver_loopback(0);
  ASSERT_EQ(transport.deliveries.size(), tcpip::kLoopbackPackets);
  for (size_t i = 0; i < tcpip::kLoopbackPackets; ++i)
    EXPECT_EQ(transport.deliveries[i].payload, Bytes(tcpip::kIpv4MaxPayload, uint8_t(i)));
  EXPECT_TRUE(send(tcpip::kLoopbackAddress, {1}).ok());  // room again
}

// What a transport sends while receiving a looped packet waits for the next delivery: the
// queue never runs a receive under a send, and a chain of answers cannot run away.
TEST_F(Ipv4Test, LoopbackAnswersWaitForTheNextDelivery) {
  struct Answerer final : tcpip::Transport {
    tcpip::Ipv4Layer* ip = nullptr;
    int received = 0;
    void receive(Ipv4, Ipv4 destination, const uint8_t* p, size_t size, uint64_t) override {
      ++received;
      EXPECT_TRUE(ip->send_ipv4(destination, kTestProtocol + 1, p, size, nullptr, 0, 0).ok());
    }
  } answerer;
  answerer.ip = &stack.ipv4();
  ASSERT_TRUE(stack.ipv4().attach(kTestProtocol + 1, answerer).ok());
  ASSERT_TRUE(stack.ipv4()
                  .send_ipv4(tcpip::kLoopbackAddress, kTestProtocol + 1, nullptr, 0, nullptr, 0, 0)
                  .ok());
  stack.ipv4().deliver_loopback(0);
  EXPECT_EQ(answerer.received, 1);
  EXPECT_TRUE(stack.ipv4().loopback_pending());
  stack.ipv4().deliver_loopback(0);
  EXPECT_EQ(answerer.received, 2);
}

TEST_F(Ipv4Test, RefusesLoopbackAddressesFromTheWire) {
  receive_packet(ipv4(tcpip::kLoopbackAddress, kOurIp, kTestProtocol, {1}));
  EXPECT_EQ(stack.counters().dropped(Drop::Ipv4BadSource), 1u);
  receive_packet(ipv4(kPeerIp, tcpip::kLoopbackAddress, kTestProtocol, {1}));
  EXPECT_EQ(stack.counters().dropped(Drop::Ipv4NotForUs), 1u);
  stack.configure({});  // unconfigured takes anything, but still not 127/8
  receive_packet(ipv4(kPeerIp, Ipv4::of(127, 0, 0, 9), kTestProtocol, {1}));
  EXPECT_EQ(stack.counters().dropped(Drop::Ipv4NotForUs), 2u);
  EXPECT_TRUE(transport.deliveries.empty());
}

TEST_F(Ipv4Test, RandomPacketsNeverCrash) {
  std::mt19937 rng(791);
  const Bytes good = packet({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  for (int i = 0; i < 20000; ++i) {
    Bytes p;
    if (i % 3 == 0) {
      p = random_bytes(rng, rng() % 80);
    } else {  // a valid packet with a few bytes changed, its checksum often fixed
      p = good;
      for (int k = 0; k < 3; ++k) p[rng() % p.size()] = static_cast<uint8_t>(rng());
      if (i % 3 == 1) p = with(p, 1, 0);
      p.resize(rng() % (p.size() + 8));
    }
    receive_packet(p);
  }
  EXPECT_GT(stack.counters().dropped_total(), 0u);
}

}  // namespace
