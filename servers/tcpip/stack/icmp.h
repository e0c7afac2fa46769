#pragma once
// ICMP (RFC 792) for a host: answers echo requests, sends echo requests and reports their
// replies (for ping). Other messages are counted and ignored.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/ipv4.h"

namespace tcpip {

constexpr size_t kIcmpHeader = 8;
constexpr uint8_t kIcmpEchoReply = 0, kIcmpEchoRequest = 8;

// Told of every echo reply that arrives (whoever asked for it: match id and sequence).
class EchoListener {
 public:
  virtual void on_echo_reply(Ipv4 from, uint16_t id, uint16_t sequence, const uint8_t* data,
                             size_t size, uint64_t now_ms) = 0;

 protected:
  ~EchoListener() = default;
};

class Icmp final : public Transport {
 public:
  Icmp(Ipv4Sender& ip, Counters& counters) : ip_(ip), counters_(counters) {}

  void set_echo_listener(EchoListener* listener) { listener_ = listener; }

  void receive(Ipv4 source, Ipv4 destination, const uint8_t* message, size_t size,
               uint64_t now_ms) override;

  // Sends an echo request carrying data[0..size). Errors: those of Ipv4Sender::send_ipv4.
  lib::Result<void> send_echo_request(Ipv4 destination, uint16_t id, uint16_t sequence,
                                      const uint8_t* data, size_t size, uint64_t now_ms);

 private:
  // From `source` (an answer: from the address the request came to).
  lib::Result<void> send_echo(uint8_t type, Ipv4 source, Ipv4 destination, uint16_t id,
                              uint16_t sequence, const uint8_t* data, size_t size, uint64_t now_ms);

  Ipv4Sender& ip_;
  Counters& counters_;
  EchoListener* listener_ = nullptr;
};

}  // namespace tcpip
