// The netstat service's other answers (servers/tcpip/netstat.h) and the ping: scheme's URI
// and pace (servers/tcpip/socket_uri.h, servers/tcpip/ping.h).
#include <gtest/gtest.h>

#include <string>

#include "servers/tcpip/netstat.h"
#include "servers/tcpip/ping.h"
#include "servers/tcpip/socket_uri.h"

namespace tcpip {
namespace {

using stellina::abi::kPingMaxOutstanding;
using stellina::abi::kPingMaxPerSecond;
using stellina::abi::kPingMinIntervalMs;

NetstatQuery query(const std::string& text) {
  return parse_netstat_query(text.data(), text.size());
}

TEST(NetstatQuery, WordsAskForTheirAnswerAnythingElseForTheCounters) {
  EXPECT_EQ(query("interfaces"), NetstatQuery::Interfaces);
  EXPECT_EQ(query("routes"), NetstatQuery::Routes);
  EXPECT_EQ(query("sockets"), NetstatQuery::Sockets);
  for (const char* other : {"", "netstat", "interfaces\n", "Routes", "socket", "x"})
    EXPECT_EQ(query(other), NetstatQuery::Counters) << other;
}

Config qemu_config() {
  Config c;
  c.address = Ipv4::of(10, 0, 2, 15);
  c.netmask = Ipv4::of(255, 255, 255, 0);
  c.gateway = Ipv4::of(10, 0, 2, 2);
  c.dns = Ipv4::of(10, 0, 2, 3);
  return c;
}

TEST(NetstatQuery, Interfaces) {
  InterfaceInfo info;
  info.mac = Mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
  info.mtu = 1500;
  info.link_up = true;
  info.dhcp = true;
  info.config = qemu_config();
  info.rx_packets = 7;
  info.rx_bytes = 900;
  info.tx_packets = UINT64_MAX;
  char out[1024];
  const std::string text(out, format_interfaces(info, out, sizeof(out)));
  EXPECT_EQ(text,
            "interface eth0\nmac 52:54:00:12:34:56\nmtu 1500\nlink up\naddress 10.0.2.15\n"
            "netmask 255.255.255.0\nprefix 24\nbroadcast 10.0.2.255\ngateway 10.0.2.2\n"
            "dns 10.0.2.3\nconfigured dhcp\nrx.packets 7\nrx.bytes 900\nrx.dropped 0\n"
            "rx.errors 0\ntx.packets 18446744073709551615\ntx.bytes 0\ntx.dropped 0\n");
  InterfaceInfo none;
  const std::string unconfigured(out, format_interfaces(none, out, sizeof(out)));
  EXPECT_NE(unconfigured.find("configured none\n"), std::string::npos);
  EXPECT_NE(unconfigured.find("broadcast 0.0.0.0\n"), std::string::npos);
  EXPECT_NE(unconfigured.find("prefix 0\n"), std::string::npos);
  // Only whole lines fit.
  char small[30];
  EXPECT_EQ(std::string(small, format_interfaces(info, small, sizeof(small))), "interface eth0\n");
}

TEST(NetstatQuery, RoutesOnTheLinkThenTheDefault) {
  char out[256];
  EXPECT_EQ(std::string(out, format_routes(qemu_config(), out, sizeof(out))),
            "10.0.2.0/24 0.0.0.0 eth0\n0.0.0.0/0 10.0.2.2 eth0\n");
  Config no_gateway = qemu_config();
  no_gateway.gateway = {};
  no_gateway.netmask = Ipv4::of(255, 255, 0, 0);
  EXPECT_EQ(std::string(out, format_routes(no_gateway, out, sizeof(out))),
            "10.0.0.0/16 0.0.0.0 eth0\n");
  EXPECT_EQ(format_routes(Config{}, out, sizeof(out)), 0u);
}

TEST(NetstatQuery, SocketsALineEach) {
  SocketRow rows[3];
  rows[0].local_port = 23;
  rows[0].state = "LISTEN";
  rows[1].local = Ipv4::of(10, 0, 2, 15);
  rows[1].local_port = 49152;
  rows[1].remote = Ipv4::of(10, 0, 2, 2);
  rows[1].remote_port = 80;
  rows[1].state = "ESTABLISHED";
  rows[1].recv_queued = 5;
  rows[1].send_queued = 65536;
  rows[2].protocol = "udp";
  rows[2].local_port = 53000;
  char out[512];
  EXPECT_EQ(std::string(out, format_sockets(rows, 3, out, sizeof(out))),
            "tcp 0.0.0.0:23 0.0.0.0:0 LISTEN 0 0\n"
            "tcp 10.0.2.15:49152 10.0.2.2:80 ESTABLISHED 5 65536\n"
            "udp 0.0.0.0:53000 0.0.0.0:0 - 0 0\n");
  EXPECT_EQ(format_sockets(rows, 0, out, sizeof(out)), 0u);
}

TEST(NetstatQuery, CountersIncludeBytes) {
  Counters stack;
  stack.bytes_in = 1234;
  TcpCounters tcp;
  uint32_t states[kTcpStateCount] = {};
  ComponentCounters component;
  char out[4096];
  const std::string text(out, format_netstat(stack, tcp, states, component, out, sizeof(out)));
  EXPECT_NE(text.find("frames.dropped_out 0\nbytes.in 1234\nbytes.out 0\n"), std::string::npos);
}

lib::Result<SocketUri> parse(const std::string& uri) {
  return parse_socket_uri(uri.data(), uri.size());
}

TEST(PingUri, AnAddressAndNothingElse) {
  auto r = parse("ping:10.0.2.2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().kind, SocketKind::Ping);
  EXPECT_EQ(r.value().address, Ipv4::of(10, 0, 2, 2));
  for (const char* bad : {"ping:", "ping:0.0.0.0", "ping:255.255.255.255", "ping:10.0.2.2:80",
                          "ping:example.org", "ping:10.0.2", "ping:10.0.2.256",
                          "ping:10.0.2.2;nodelay", "ping:10.0.2.2/4", "ping: 10.0.2.2"}) {
    auto b = parse(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.error(), lib::Error::InvalidArgument) << bad;
  }
}

TEST(PingPace, OneChannelAtMostEveryMinimumInterval) {
  PingLimiter limiter;
  PingPace a;
  EXPECT_TRUE(limiter.allow(a, 0));  // a clock that starts at 0 is fine
  EXPECT_FALSE(limiter.allow(a, kPingMinIntervalMs - 1));
  EXPECT_TRUE(limiter.allow(a, kPingMinIntervalMs));
  PingPace b;  // another channel is paced on its own
  EXPECT_TRUE(limiter.allow(b, kPingMinIntervalMs + 1));
}

TEST(PingPace, AllChannelsTogetherAtMostTheBudgetASecond) {
  PingLimiter limiter;
  PingPace channels[64];
  uint32_t allowed = 0;
  for (PingPace& c : channels) allowed += limiter.allow(c, 5000);
  EXPECT_EQ(allowed, kPingMaxPerSecond);
  // A flood over many seconds gets the budget in each.
  uint32_t total = 0;
  for (uint64_t ms = 6000; ms < 16000; ms += kPingMinIntervalMs)
    for (PingPace& c : channels) total += limiter.allow(c, ms);
  EXPECT_LE(total, 10 * kPingMaxPerSecond + kPingMaxPerSecond);
  EXPECT_GE(total, 9 * kPingMaxPerSecond);
}

TEST(PingOutstanding, RepliesMatchOnceAndTheOldestIsForgotten) {
  PingOutstanding o;
  uint64_t sent = 0;
  EXPECT_FALSE(o.take(1, &sent));
  o.add(1, 100);
  o.add(2, 200);
  EXPECT_TRUE(o.take(2, &sent));
  EXPECT_EQ(sent, 200u);
  EXPECT_FALSE(o.take(2, &sent));  // a duplicate reply is not passed on
  for (uint16_t s = 10; s < 10 + kPingMaxOutstanding; ++s) o.add(s, s);
  EXPECT_FALSE(o.take(1, &sent));  // forgotten
  EXPECT_TRUE(o.take(10, &sent));
  EXPECT_TRUE(o.take(static_cast<uint16_t>(9 + kPingMaxOutstanding), &sent));
  o.clear();
  EXPECT_FALSE(o.take(11, &sent));
}

}  // namespace
}  // namespace tcpip
