// The netstat text (servers/tcpip/netstat.h).
#include "servers/tcpip/netstat.h"

#include <gtest/gtest.h>

#include <string>

namespace tcpip {
namespace {

TEST(Netstat, EveryCounterIsALineOfNameAndValue) {
  Counters stack;
  stack.frames_in = 12;
  stack.count(Drop::Ipv4BadChecksum);
  stack.count(Drop::Ipv4BadChecksum);
  TcpCounters tcp;
  tcp.retransmits = 3;
  tcp.drops[static_cast<size_t>(TcpDrop::TooShort)] = 1;
  uint32_t states[kTcpStateCount] = {};
  states[static_cast<size_t>(TcpState::Established)] = 5;
  ComponentCounters component;
  component.sockets_open = 7;
  component.datagrams_dropped_out = 2;
  char out[4096];
  const std::string text(out, format_netstat(stack, tcp, states, component, out, sizeof(out)));
  for (const char* line :
       {"frames.in 12\n", "drop.ipv4_bad_checksum 2\n", "tcp.retransmits 3\n",
        "drop.tcp_too_short 1\n", "tcp.state.established 5\n", "tcp.state.time_wait 0\n",
        "sockets.open 7\n", "drop.total 3\n", "udp.dropped_out 2\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_GT(lines, 60u);
  EXPECT_EQ(text.back(), '\n');
}

TEST(Netstat, TheTextEndsBeforeTheFirstLineThatDoesNotFit) {
  Counters stack;
  TcpCounters tcp;
  uint32_t states[kTcpStateCount] = {};
  ComponentCounters component;
  char out[40];
  const size_t n = format_netstat(stack, tcp, states, component, out, sizeof(out));
  ASSERT_GT(n, 0u);
  ASSERT_LE(n, sizeof(out));
  EXPECT_EQ(std::string(out, n), "frames.in 0\nframes.out 0\n");
}

TEST(Netstat, DropsInOneLineCutShortWhenLong) {
  Counters stack;
  TcpCounters tcp;
  char out[200];
  EXPECT_EQ(format_drops(stack, tcp, out, sizeof(out)), 0u);
  stack.count(Drop::Ipv4BadChecksum);
  stack.count(Drop::Ipv4BadChecksum);
  tcp.drops[static_cast<size_t>(TcpDrop::TooShort)] = 1;
  std::string text(out, format_drops(stack, tcp, out, sizeof(out)));
  EXPECT_EQ(text, "ipv4_bad_checksum 2, tcp_too_short 1");
  for (size_t d = 0; d < kDropReasons; ++d) stack.drops[d] = 1000;
  char small[64];
  text.assign(small, format_drops(stack, tcp, small, sizeof(small)));
  EXPECT_LT(text.size(), sizeof(small));
  EXPECT_EQ(text.substr(text.size() - 3), "...");
  EXPECT_EQ(text.rfind("ethernet_truncated 1000, ", 0), 0u);
}

}  // namespace
}  // namespace tcpip
