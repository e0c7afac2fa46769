// The network commands' shared text and arithmetic (programs/lib/net_util.h).
#include "programs/lib/net_util.h"

#include <gtest/gtest.h>

#include <string>

namespace cmd::net {
namespace {

std::string sv(lib::StringView v) { return std::string(v.data(), v.size()); }

TEST(NetUtil, Ipv4) {
  uint8_t a[4] = {9, 9, 9, 9};
  ASSERT_TRUE(parse_ipv4("10.0.2.255", a));
  EXPECT_EQ(a[0], 10);
  EXPECT_EQ(a[3], 255);
  for (const char* bad : {"", "10.0.2", "10.0.2.256", "10.0.2.2.", "10..2.2", "1.2.3.4.5",
                          "a.b.c.d", "1.2.3.0004", " 1.2.3.4", "1.2.3.4 ", "99999999999.1.1.1"}) {
    EXPECT_FALSE(parse_ipv4(bad, a)) << bad;
  }
  EXPECT_EQ(a[0], 10);  // untouched
  char out[16];
  EXPECT_EQ(std::string(out, format_ipv4(a, out, sizeof(out))), "10.0.2.255");
}

TEST(NetUtil, Lines) {
  const lib::StringView text = "mtu 1500\naddress 10.0.2.15\nmac a:b\nmtux 3\n";
  EXPECT_EQ(sv(find_value(text, "address")), "10.0.2.15");
  EXPECT_EQ(sv(find_value(text, "mtu")), "1500");
  EXPECT_EQ(sv(find_value(text, "mt")), "");
  EXPECT_EQ(sv(find_value(text, "gateway")), "");
  lib::StringView fields[4];
  ASSERT_EQ(split_fields("  tcp 1.2.3.4:5   6.7.8.9:10 LISTEN 0 0 ", fields, 4), 4u);
  EXPECT_EQ(sv(fields[0]), "tcp");
  EXPECT_EQ(sv(fields[3]), "LISTEN");
  EXPECT_EQ(split_fields("", fields, 4), 0u);
  size_t at = 0;
  lib::StringView line;
  int lines = 0;
  while (next_line("a\nb\nc", &at, &line)) ++lines;
  EXPECT_EQ(lines, 3);
}

TEST(NetUtil, Seconds) {
  uint64_t ms = 0;
  ASSERT_TRUE(parse_seconds("2", 100000, &ms));
  EXPECT_EQ(ms, 2000u);
  ASSERT_TRUE(parse_seconds("0.2", 100000, &ms));
  EXPECT_EQ(ms, 200u);
  ASSERT_TRUE(parse_seconds(".25", 100000, &ms));
  EXPECT_EQ(ms, 250u);
  ASSERT_TRUE(parse_seconds("1.00019", 100000, &ms));
  EXPECT_EQ(ms, 1000u);
  for (const char* bad : {"", ".", "-1", "1e3", "1.2.3", "abc", " 1", "101", "18446744073709551616",
                          "99999999999999999999999999"}) {
    EXPECT_FALSE(parse_seconds(bad, 100000, &ms)) << bad;
  }
}

TEST(NetUtil, Milliseconds) {
  char out[32];
  EXPECT_EQ(std::string(out, format_ms(512345, out, sizeof(out))), "0.512");
  EXPECT_EQ(std::string(out, format_ms(1234000000, out, sizeof(out))), "1234.000");
  EXPECT_EQ(std::string(out, format_ms(0, out, sizeof(out))), "0.000");
}

TEST(NetUtil, SquareRoot) {
  EXPECT_EQ(isqrt(0), 0u);
  EXPECT_EQ(isqrt(15), 3u);
  EXPECT_EQ(isqrt(16), 4u);
  EXPECT_EQ(isqrt(UINT64_MAX), 4294967295u);
}

TEST(NetUtil, PingStatistics) {
  PingStats s;
  for (int i = 0; i < 4; ++i) s.sent();
  s.received(1'000'000);
  s.received(3'000'000);
  EXPECT_EQ(s.loss_percent(), 50u);
  EXPECT_EQ(s.min_ns(), 1'000'000u);
  EXPECT_EQ(s.max_ns(), 3'000'000u);
  EXPECT_EQ(s.avg_ns(), 2'000'000u);
  EXPECT_EQ(s.mdev_ns(), 1'000'000u);
  PingStats none;
  none.sent();
  EXPECT_EQ(none.loss_percent(), 100u);
  EXPECT_EQ(none.mdev_ns(), 0u);
  PingStats huge;
  huge.sent();
  huge.received(UINT64_MAX);
  huge.received(UINT64_MAX);
  EXPECT_EQ(huge.max_ns(), UINT64_MAX);  // saturates, no overflow
}

TEST(NetUtil, RandomDiffersBySeed) {
  Random a(1), b(2);
  EXPECT_NE(a.next(), b.next());
  Random c(1);
  Random d(1);
  EXPECT_EQ(c.next(), d.next());
}

}  // namespace
}  // namespace cmd::net
