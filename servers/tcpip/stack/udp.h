#pragma once
// UDP (RFC 768): a fixed table of bound ports, each with a receiver called for every
// datagram that arrives for it, checksums checked (0 means the sender computed none) and
// always computed on sending.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/ipv4.h"

namespace tcpip {

constexpr size_t kUdpHeader = 8;
constexpr size_t kUdpMaxPayload = kIpv4MaxPayload - kUdpHeader;
constexpr size_t kUdpSockets = 16;
constexpr uint16_t kUdpEphemeralFirst = 49152;  // RFC 6335's dynamic ports, to 65535

// Gets the datagrams of the ports it is bound to. The bytes are valid only during the call;
// the receiver may send (and bind or unbind) from it.
class UdpReceiver {
 public:
  virtual void on_datagram(uint16_t local_port, Ipv4 source, uint16_t source_port, Ipv4 destination,
                           const uint8_t* data, size_t size, uint64_t now_ms) = 0;

 protected:
  ~UdpReceiver() = default;
};

class Udp final : public Transport {
 public:
  Udp(Ipv4Sender& ip, Counters& counters) : ip_(ip), counters_(counters) {}

  // Binds `port`, or an unused ephemeral port if it is 0, to receiver, and returns the port.
  // Errors: AlreadyExists (the port is bound), NoResources (kUdpSockets are bound, or no
  // ephemeral port is free).
  lib::Result<uint16_t> bind(uint16_t port, UdpReceiver& receiver);
  // Unbinds a port (nothing if it is not bound).
  void unbind(uint16_t port);
  bool bound(uint16_t port) const;

  // Sends data[0..size) from source_port. Errors: TooLarge (more than kUdpMaxPayload), and
  // those of Ipv4Sender::send_ipv4.
  lib::Result<void> send(uint16_t source_port, Ipv4 destination, uint16_t destination_port,
                         const uint8_t* data, size_t size, uint64_t now_ms);

  void receive(Ipv4 source, Ipv4 destination, const uint8_t* datagram, size_t size,
               uint64_t now_ms) override;

 private:
  struct Socket {
    uint16_t port = 0;  // 0: free
    UdpReceiver* receiver = nullptr;
  };

  Ipv4Sender& ip_;
  Counters& counters_;
  uint16_t next_ephemeral_ = kUdpEphemeralFirst;
  Socket sockets_[kUdpSockets];
};

}  // namespace tcpip
