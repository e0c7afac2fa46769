#include "servers/tcpip/stack/ethernet.h"

#include <gtest/gtest.h>

#include "tests/unit/net/packets.h"

namespace {

using namespace nettest;

TEST(Ethernet, WritesAndParsesAHeader) {
  const Bytes frame = ethernet(kOurMac, kPeerMac, 0x0806, Bytes{1, 2, 3});
  ASSERT_EQ(frame.size(), 17u);
  EXPECT_EQ(frame[12], 0x08);
  EXPECT_EQ(frame[13], 0x06);
  tcpip::EthernetHeader header;
  ASSERT_TRUE(tcpip::parse_ethernet(frame.data(), frame.size(), header));
  EXPECT_EQ(header.destination, kOurMac);
  EXPECT_EQ(header.source, kPeerMac);
  EXPECT_EQ(header.type, 0x0806);
}

TEST(Ethernet, RefusesEveryTruncatedHeader) {
  const Bytes frame = ethernet(kOurMac, kPeerMac, 0x0800, {});
  tcpip::EthernetHeader header;
  for (size_t size = 0; size < tcpip::kEthernetHeader; ++size)
    EXPECT_FALSE(tcpip::parse_ethernet(frame.data(), size, header)) << size;
  EXPECT_TRUE(tcpip::parse_ethernet(frame.data(), frame.size(), header));
}

TEST(Ethernet, AcceptsUnicastToUsAndBroadcastOnly) {
  EXPECT_TRUE(tcpip::ethernet_accepts(kOurMac, kOurMac));
  EXPECT_TRUE(tcpip::ethernet_accepts(Mac::broadcast(), kOurMac));
  EXPECT_FALSE(tcpip::ethernet_accepts(kPeerMac, kOurMac));
  EXPECT_FALSE(tcpip::ethernet_accepts(Mac{{0x01, 0x00, 0x5e, 0, 0, 1}}, kOurMac));  // multicast
}

}  // namespace
