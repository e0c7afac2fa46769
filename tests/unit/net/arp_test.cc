#include "servers/tcpip/stack/arp.h"

#include <gtest/gtest.h>

#include "tests/unit/net/packets.h"

namespace {

using namespace nettest;
using tcpip::Drop;

class ArpTest : public ::testing::Test {
 protected:
  ArpTest() { arp.set_address(kOurIp); }

  void receive(const Bytes& packet, uint64_t now = 0) {
    arp.receive(packet.data(), packet.size(), now);
  }
  // An IPv4 frame whose packet is just its index, as a marker.
  lib::Result<void> send(Ipv4 next_hop, uint8_t marker, uint64_t now) {
    uint8_t frame[tcpip::kEthernetHeader + 20] = {};
    frame[tcpip::kEthernetHeader] = marker;
    return arp.send_ipv4(next_hop, frame, sizeof(frame), now);
  }
  // Checks that frame i is an ARP request from us for `target`.
  void expect_request(size_t i, Ipv4 target) {
    ASSERT_LT(i, link.frames.size());
    const Bytes& f = link.frames[i];
    ASSERT_EQ(f.size(), tcpip::kEthernetHeader + tcpip::kArpPacket);
    EXPECT_EQ(f, ethernet(Mac::broadcast(), kOurMac, 0x0806,
                          arp_packet(tcpip::kArpRequest, kOurMac, kOurIp, Mac{}, target)));
  }

  RecordingLink link;
  tcpip::Counters counters;
  tcpip::Arp arp{link, counters, kOurMac};
};

TEST_F(ArpTest, AnswersARequestForOurAddressAndLearnsTheAsker) {
  receive(arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, kOurIp));
  ASSERT_EQ(link.frames.size(), 1u);
  EXPECT_EQ(link.frames[0],
            ethernet(kPeerMac, kOurMac, 0x0806,
                     arp_packet(tcpip::kArpReply, kOurMac, kOurIp, kPeerMac, kPeerIp)));
  EXPECT_EQ(counters.arp_requests_answered, 1u);
  Mac learned;
  ASSERT_TRUE(arp.lookup(kPeerIp, learned));
  EXPECT_EQ(learned, kPeerMac);
}

TEST_F(ArpTest, IgnoresRequestsForOthersAndDoesNotLearnStrangers) {
  receive(arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, Ipv4::of(10, 0, 2, 99)));
  EXPECT_TRUE(link.frames.empty());
  Mac learned;
  EXPECT_FALSE(arp.lookup(kPeerIp, learned));
  EXPECT_EQ(counters.dropped_total(), 0u);
}

TEST_F(ArpTest, AnswersNothingWithoutAnAddress) {
  arp.set_address({});
  receive(arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, Ipv4{}));
  EXPECT_TRUE(link.frames.empty());
}

TEST_F(ArpTest, CountsMalformedPackets) {
  const Bytes good = arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, kOurIp);
  for (size_t size = 0; size < good.size(); ++size) arp.receive(good.data(), size, 0);
  EXPECT_EQ(counters.dropped(Drop::ArpMalformed), good.size());
  const auto broken = [&](size_t at, uint8_t value) {
    Bytes b = good;
    b[at] = value;
    return b;
  };
  receive(broken(1, 6));     // hardware type 6
  receive(broken(2, 0x86));  // protocol type 0x8600
  receive(broken(4, 8));     // hardware address length
  receive(broken(5, 16));    // protocol address length
  receive(broken(7, 3));     // operation 3
  receive(broken(8, 0x01));  // multicast sender
  receive(broken(14, 255));  // sender 255.0.2.2 is fine, but ...
  receive(arp_packet(tcpip::kArpRequest, kPeerMac, Ipv4::of(255, 255, 255, 255), Mac{}, kOurIp));
  receive(arp_packet(tcpip::kArpRequest, kPeerMac, Ipv4::of(224, 0, 0, 1), Mac{}, kOurIp));
  EXPECT_EQ(counters.dropped(Drop::ArpMalformed), good.size() + 8);
  EXPECT_EQ(link.frames.size(), 1u);  // only the request from 255.0.2.2 was answered
}

TEST_F(ArpTest, HoldsPacketsUntilTheReplyThenSendsThemInOrder) {
  ASSERT_TRUE(send(kPeerIp, 1, 0).ok());
  ASSERT_TRUE(send(kPeerIp, 2, 10).ok());
  ASSERT_EQ(link.frames.size(), 1u);  // one request, not two
  expect_request(0, kPeerIp);
  EXPECT_EQ(arp.held(), 2u);

  receive(arp_packet(tcpip::kArpReply, kPeerMac, kPeerIp, kOurMac, kOurIp), 20);
  ASSERT_EQ(link.frames.size(), 3u);
  for (size_t i = 1; i <= 2; ++i) {
    tcpip::EthernetHeader header;
    ASSERT_TRUE(tcpip::parse_ethernet(link.frames[i].data(), link.frames[i].size(), header));
    EXPECT_EQ(header.destination, kPeerMac);
    EXPECT_EQ(header.source, kOurMac);
    EXPECT_EQ(header.type, tcpip::kEtherTypeIpv4);
    EXPECT_EQ(link.frames[i][tcpip::kEthernetHeader], i);
  }
  EXPECT_EQ(arp.held(), 0u);
  // Now resolved: the next packet goes straight out.
  ASSERT_TRUE(send(kPeerIp, 3, 30).ok());
  ASSERT_EQ(link.frames.size(), 4u);
  EXPECT_EQ(link.frames[3][tcpip::kEthernetHeader], 3);
}

TEST_F(ArpTest, RetriesThenDropsHeldPacketsOnTimeout) {
  ASSERT_TRUE(send(kPeerIp, 1, 0).ok());
  ASSERT_TRUE(send(kPeerIp, 2, 0).ok());
  arp.poll(999);
  EXPECT_EQ(link.frames.size(), 1u);
  arp.poll(1000);
  arp.poll(2000);
  ASSERT_EQ(link.frames.size(), tcpip::kArpTries);
  for (size_t i = 0; i < tcpip::kArpTries; ++i) expect_request(i, kPeerIp);
  EXPECT_EQ(arp.held(), 2u);
  arp.poll(2999);
  EXPECT_EQ(arp.held(), 2u);
  arp.poll(3000);
  EXPECT_EQ(arp.held(), 0u);
  EXPECT_EQ(counters.dropped(Drop::ArpUnresolved), 2u);
  EXPECT_EQ(link.frames.size(), tcpip::kArpTries);
  // A late reply sends nothing now.
  receive(arp_packet(tcpip::kArpReply, kPeerMac, kPeerIp, kOurMac, kOurIp), 3500);
  EXPECT_EQ(link.frames.size(), tcpip::kArpTries);
}

TEST_F(ArpTest, CountsAFullHoldingQueue) {
  for (size_t i = 0; i < tcpip::kArpHeld; ++i)
    ASSERT_TRUE(send(kPeerIp, static_cast<uint8_t>(i), 0).ok());
  auto full = send(kPeerIp, 99, 0);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), lib::Error::NoResources);
  EXPECT_EQ(counters.dropped(Drop::ArpQueueFull), 1u);
}

TEST_F(ArpTest, CountsAFullTable) {
  // Every entry being resolved (none can be taken back), then one more address.
  for (uint32_t i = 0; i < tcpip::kArpEntries; ++i) {
    // The first few fill the holding queue and are refused; each still takes an entry.
    (void)send(Ipv4::of(10, 0, 2, static_cast<uint8_t>(100 + i)), 1, 0);
  }
  EXPECT_EQ(counters.dropped(Drop::ArpQueueFull), tcpip::kArpEntries - tcpip::kArpHeld);
  auto full = send(kPeerIp, 1, 0);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), lib::Error::NoResources);
  EXPECT_EQ(counters.dropped(Drop::ArpTableFull), 1u);
  // A resolved entry can be taken back for a new address; one being resolved cannot.
  EXPECT_EQ(link.frames.size(), tcpip::kArpEntries);
}

TEST_F(ArpTest, ResolvedEntriesExpire) {
  receive(arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, kOurIp), 0);
  link.frames.clear();
  ASSERT_TRUE(send(kPeerIp, 1, tcpip::kArpLifetimeMs - 1).ok());
  EXPECT_EQ(link.frames.size(), 1u);  // sent straight away
  arp.poll(tcpip::kArpLifetimeMs);
  Mac learned;
  EXPECT_FALSE(arp.lookup(kPeerIp, learned));
  ASSERT_TRUE(send(kPeerIp, 2, tcpip::kArpLifetimeMs).ok());
  expect_request(1, kPeerIp);
}

TEST_F(ArpTest, GratuitousArpUpdatesAKnownEntryOnly) {
  receive(arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, kOurIp));
  const Mac moved{{0x02, 0, 0, 0, 0, 0x22}};
  receive(arp_packet(tcpip::kArpRequest, moved, kPeerIp, Mac{}, kPeerIp));
  Mac learned;
  ASSERT_TRUE(arp.lookup(kPeerIp, learned));
  EXPECT_EQ(learned, moved);
  const Ipv4 stranger = Ipv4::of(10, 0, 2, 77);
  receive(arp_packet(tcpip::kArpRequest, moved, stranger, Mac{}, stranger));
  EXPECT_FALSE(arp.lookup(stranger, learned));
}

TEST_F(ArpTest, BroadcastNeedsNoResolution) {
  ASSERT_TRUE(send(Ipv4::of(255, 255, 255, 255), 7, 0).ok());
  ASSERT_EQ(link.frames.size(), 1u);
  tcpip::EthernetHeader header;
  ASSERT_TRUE(tcpip::parse_ethernet(link.frames[0].data(), link.frames[0].size(), header));
  EXPECT_EQ(header.destination, Mac::broadcast());
}

TEST_F(ArpTest, RandomBytesNeverCrash) {
  std::mt19937 rng(826);
  for (int i = 0; i < 20000; ++i) {
    Bytes b = random_bytes(rng, rng() % 64);
    if (b.size() >= 8 && (i & 1)) {  // often a plausible header, to get further in
      b[0] = 0, b[1] = 1, b[2] = 8, b[3] = 0, b[4] = 6, b[5] = 4, b[6] = 0, b[7] = 1 + (i & 2) / 2;
      if ((i & 4) && b.size() >= 28) tcpip::store32(&b[24], kOurIp.value);
    }
    receive(b, static_cast<uint64_t>(i));
    arp.poll(static_cast<uint64_t>(i));
  }
  EXPECT_GT(counters.dropped(Drop::ArpMalformed), 0u);
}

}  // namespace
