// The DHCP client (servers/tcpip/stack/dhcp.cc) on any server replies: the reply parser on
// the input as it is, then the client itself through a whole exchange, each message of the
// script given the transaction id and hardware address of the client's last request (which
// a fuzzer could not guess), so offers, acks and naks with hostile options, lengths and
// lease times reach the states past Selecting.
#include "servers/tcpip/stack/dhcp.h"

#include <cstring>

#include "tests/fuzz/net_harness.h"

namespace {

constexpr size_t kXid = 4, kClientHardware = 28;  // offsets in a BOOTP message
constexpr size_t kUdpPayload = 14 + 20 + 8;       // of a frame the client sends

// The xid of the client's last DHCP message, if the last frame sent was one.
bool last_xid(const std::vector<uint8_t>& frame, uint8_t xid[4]) {
  if (frame.size() < kUdpPayload + 240 || frame[14 + 20 + 1] != tcpip::kDhcpClientPort)
    return false;
  std::memcpy(xid, frame.data() + kUdpPayload + kXid, 4);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tcpip::DhcpReply reply;
  (void)tcpip::parse_dhcp_reply(data, size, reply);

  fuzz::FreshNet net;
  fuzz::check(net->stack().start_dhcp(net->now()).ok());
  fuzz::Script s(data, size);
  uint8_t message[600];
  while (!s.done()) {
    const uint8_t op = s.byte();
    if (op >= 0xf0) {
      net->advance(uint64_t{s.u16()} * (op - 0xef) * 10);
      continue;
    }
    size_t got = 0;
    const uint8_t* bytes = s.take(s.u16() % sizeof(message), &got);
    std::memcpy(message, bytes, got);
    uint8_t xid[4];
    if (got >= kClientHardware + 6 && last_xid(net->wire().last, xid)) {
      std::memcpy(message + kXid, xid, 4);
      std::memcpy(message + kClientHardware, fuzz::kOurMac.bytes, 6);
    }
    const tcpip::Ipv4 server = op % 2 ? fuzz::kPeerIp : tcpip::Ipv4::of(10, 0, 2, op);
    net->stack().dhcp().on_datagram(tcpip::kDhcpClientPort, server, tcpip::kDhcpServerPort,
                                    tcpip::Ipv4::of(255, 255, 255, 255), message, got, net->now());
  }
  net->advance(uint64_t{1} << 33);  // past any lease
  return 0;
}
