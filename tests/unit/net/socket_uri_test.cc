// The socket schemes' URIs (servers/tcpip/socket_uri.h).
#include "servers/tcpip/socket_uri.h"

#include <gtest/gtest.h>

#include <string>

namespace tcpip {
namespace {

lib::Result<SocketUri> parse(const std::string& uri) {
  return parse_socket_uri(uri.data(), uri.size());
}

TEST(SocketUri, ListenWithDefaultAndGivenBacklog) {
  auto r = parse("tcp-listen:0.0.0.0:80");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().kind, SocketKind::TcpListen);
  EXPECT_TRUE(r.value().address.any());
  EXPECT_EQ(r.value().port, 80);
  EXPECT_EQ(r.value().backlog, kDefaultBacklog);
  auto given = parse("tcp-listen:10.0.2.15:8080/64");
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given.value().address, Ipv4::of(10, 0, 2, 15));
  EXPECT_EQ(given.value().port, 8080);
  EXPECT_EQ(given.value().backlog, 64);
}

TEST(SocketUri, ConnectToAnAddressOrAName) {
  auto r = parse("tcp:10.0.2.2:8000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().kind, SocketKind::Tcp);
  EXPECT_FALSE(r.value().named);
  EXPECT_EQ(r.value().address, Ipv4::of(10, 0, 2, 2));
  EXPECT_EQ(r.value().port, 8000);
  auto named = parse("tcp:example.org:443");
  ASSERT_TRUE(named.ok());
  EXPECT_TRUE(named.value().named);
  EXPECT_STREQ(named.value().name, "example.org");
  EXPECT_EQ(named.value().port, 443);
}

TEST(SocketUri, LocalhostIsTheLoopbackAddressForEveryScheme) {
  for (const char* uri : {"tcp:localhost:80", "tcp-listen:localhost:80", "udp:localhost:0"}) {
    auto r = parse(uri);
    ASSERT_TRUE(r.ok()) << uri;
    EXPECT_FALSE(r.value().named) << uri;
    EXPECT_EQ(r.value().address, kLoopbackAddress) << uri;
  }
}

TEST(SocketUri, NodelayForTcpOnly) {
  auto listen = parse("tcp-listen:0.0.0.0:80/64;nodelay");
  ASSERT_TRUE(listen.ok());
  EXPECT_TRUE(listen.value().nodelay);
  EXPECT_EQ(listen.value().backlog, 64);
  auto connect = parse("tcp:10.0.2.2:80;nodelay");
  ASSERT_TRUE(connect.ok());
  EXPECT_TRUE(connect.value().nodelay);
  EXPECT_FALSE(parse("tcp:10.0.2.2:80").value().nodelay);
  for (const char* bad : {"udp:0.0.0.0:53;nodelay", "tcp:10.0.2.2:80;nodelay;nodelay",
                          "tcp:10.0.2.2:80;fast", "tcp:10.0.2.2:80;"}) {
    EXPECT_FALSE(parse(bad).ok()) << bad;
  }
}

TEST(SocketUri, UdpMayBindAnEphemeralPort) {
  auto r = parse("udp:0.0.0.0:0");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().kind, SocketKind::Udp);
  EXPECT_EQ(r.value().port, 0);
}

// Ports at their boundaries: up to 65535, never wrapped.
TEST(SocketUri, PortBoundaries) {
  EXPECT_EQ(parse("tcp:1.2.3.4:65535").value().port, 65535);
  EXPECT_EQ(parse("tcp:1.2.3.4:0000000080").value().port, 80);
  for (const char* port : {"65536", "65616", "4294967376", "18446744073709551616",
                           "18446744073709551620", "-1", "+80", " 80", "80 ", "8x"}) {
    EXPECT_FALSE(parse(std::string("tcp:1.2.3.4:") + port).ok()) << port;
  }
}

TEST(SocketUri, OtherSchemesAreNotFound) {
  for (const char* uri : {"", "echo:", "tcp", "tcp-listen", "tcpx:1.2.3.4:5", "file:/a"}) {
    auto r = parse(uri);
    ASSERT_FALSE(r.ok()) << uri;
    EXPECT_EQ(r.error(), lib::Error::NotFound) << uri;
  }
}

TEST(SocketUri, MalformedOnesAreRefused) {
  for (const char* uri : {"tcp:",
                          "tcp:10.0.2.2",
                          "tcp:10.0.2.2:",
                          "tcp:10.0.2.2:0",
                          "tcp:10.0.2.2:65536",
                          "tcp:10.0.2.2:123456",
                          "tcp:10.0.2.2:8x",
                          "tcp::80",
                          "tcp:a b:80",
                          "tcp:a/b:80",
                          "tcp-listen:0.0.0.0:0",
                          "tcp-listen:0.0.0.0:80/0",
                          "tcp-listen:0.0.0.0:80/65",
                          "tcp-listen:0.0.0.0:80/",
                          "tcp-listen:example.org:80",
                          "tcp-listen:1.2.3.256:80",
                          "udp:host:53",
                          "udp:1.2.3.4:53/4",
                          "tcp:1.2.3.4:80/4",
                          "udp:1.2.3:53x"}) {
    auto r = parse(uri);
    ASSERT_FALSE(r.ok()) << uri;
    EXPECT_EQ(r.error(), lib::Error::InvalidArgument) << uri;
  }
  const std::string long_name = "tcp:" + std::string(254, 'a') + ":80";
  EXPECT_FALSE(parse(long_name).ok());
}

TEST(StaticConfig, AddressPrefixGatewayAndDns) {
  Config c;
  ASSERT_TRUE(parse_static_config("10.0.2.15/24", "10.0.2.2", "10.0.2.3", c));
  EXPECT_EQ(c.address, Ipv4::of(10, 0, 2, 15));
  EXPECT_EQ(c.netmask, Ipv4::of(255, 255, 255, 0));
  EXPECT_EQ(c.gateway, Ipv4::of(10, 0, 2, 2));
  EXPECT_EQ(c.dns, Ipv4::of(10, 0, 2, 3));
  ASSERT_TRUE(parse_static_config("192.168.1.1/32", "", "", c));
  EXPECT_TRUE(c.netmask.broadcast());
  EXPECT_TRUE(c.gateway.any());
  EXPECT_TRUE(c.dns.any());
  ASSERT_TRUE(parse_static_config("172.16.0.9/12", "", "", c));
  EXPECT_EQ(c.netmask, Ipv4::of(255, 240, 0, 0));
  for (const char* bad : {"dhcp", "10.0.2.15", "10.0.2.15/", "10.0.2.15/0", "10.0.2.15/33",
                          "10.0.2.15/24x", "10.0.2.15/99999999999", "10.0.2/24", ""}) {
    EXPECT_FALSE(parse_static_config(bad, "", "", c)) << bad;
  }
  EXPECT_FALSE(parse_static_config("10.0.2.15/24", "10.0.2", "", c));
  EXPECT_FALSE(parse_static_config("10.0.2.15/24", "", "dns.example", c));
}

TEST(SocketUri, DottedQuads) {
  Ipv4 ip;
  EXPECT_TRUE(parse_ipv4("255.255.255.255", 15, ip));
  EXPECT_TRUE(ip.broadcast());
  for (const char* bad : {"1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.", ".1.2.3", "1.2.3.4444",
                          "256.1.1.1", "a.b.c.d", ""}) {
    EXPECT_FALSE(parse_ipv4(bad, std::string(bad).size(), ip)) << bad;
  }
}

}  // namespace
}  // namespace tcpip
