#include "servers/tcpip/stack/net.h"

#include <gtest/gtest.h>

namespace {

TEST(Checksum, MatchesRfc1071Example) {
  // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (before complementing).
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(tcpip::checksum_fold(tcpip::checksum_add(0, data, sizeof(data))), 0xffff - 0xddf2);
}

TEST(Checksum, AnIpv4HeaderWithItsChecksumVerifiesToZero) {
  uint8_t header[20] = {0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01,
                        0,    0,    10,   0,    2,    15,   10,   0,    2,    2};
  tcpip::store16(header + 10, tcpip::checksum_fold(tcpip::checksum_add(0, header, 20)));
  EXPECT_EQ(tcpip::checksum_fold(tcpip::checksum_add(0, header, 20)), 0);
  header[8] = 0x3f;  // one bit changed
  EXPECT_NE(tcpip::checksum_fold(tcpip::checksum_add(0, header, 20)), 0);
}

TEST(Checksum, OddLengthsPadWithZero) {
  const uint8_t odd[] = {0xab, 0xcd, 0xef};
  const uint8_t even[] = {0xab, 0xcd, 0xef, 0x00};
  EXPECT_EQ(tcpip::checksum_add(0, odd, 3), tcpip::checksum_add(0, even, 4));
}

TEST(Addresses, Ipv4IsHostOrder) {
  EXPECT_EQ(tcpip::Ipv4::of(10, 0, 2, 15).value, 0x0a00020fu);
  EXPECT_TRUE(tcpip::Ipv4{}.any());
  EXPECT_TRUE(tcpip::Ipv4::of(255, 255, 255, 255).broadcast());
}

}  // namespace
