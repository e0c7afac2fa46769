#pragma once
// TCP over IPv4: the Transport the IPv4 layer hands protocol 6 to, and the TcpOutput the TCP
// engine sends through. Each segment becomes the payload of one IPv4 packet from our address
// (127.0.0.1 to 127/8: Ipv4Sender::source_for).
//
//   TcpOverIpv4 glue(stack.ipv4());
//   Tcp tcp(glue, slots, count, config);
//   glue.bind(tcp);
//   stack.ipv4().attach(kProtocolTcp, glue);
//
// The engine's sends carry no time, but a packet held while ARP resolves its next hop is
// timed: the owner calls advance(now_ms) before it drives the engine (receive does it too).

#include "servers/tcpip/stack/ipv4.h"
#include "servers/tcpip/stack/tcp.h"

namespace tcpip {

class TcpOverIpv4 final : public Transport, public TcpOutput {
 public:
  explicit TcpOverIpv4(Ipv4Sender& ip) : ip_(ip) {}
  void bind(Tcp& tcp) { tcp_ = &tcp; }
  void advance(uint64_t now_ms) { now_ms_ = now_ms; }

  // Segments to an address not ours (a broadcast), or before the engine is bound, are dropped
  // and counted.
  void receive(Ipv4 source, Ipv4 destination, const uint8_t* payload, size_t size,
               uint64_t now_ms) override {
    now_ms_ = now_ms;
    if (!tcp_ || !ip_.is_local(destination)) {
      ++dropped_;
      return;
    }
    tcp_->receive(source, destination, payload, size, now_ms);
  }

  // The engine computed the checksum for source, which must be ours toward destination
  // (Ipv4Sender::send_ipv4_from).
  lib::Result<void> send(Ipv4 source, Ipv4 destination, const uint8_t* segment,
                         size_t size) override {
    return ip_.send_ipv4_from(source, destination, kProtocolTcp, segment, size, nullptr, 0,
                              now_ms_);
  }

  uint64_t dropped() const { return dropped_; }

 private:
  Ipv4Sender& ip_;
  Tcp* tcp_ = nullptr;
  uint64_t now_ms_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace tcpip
