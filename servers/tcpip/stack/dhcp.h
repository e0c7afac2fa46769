#pragma once
// A DHCP client (RFC 2131, options of RFC 2132): DISCOVER, OFFER, REQUEST, ACK, then renewal
// at T1 (unicast to the server), rebinding at T2 (broadcast) and a fresh start when the
// lease runs out or a NAK comes. Retransmissions double from 4 s up to 64 s. It takes the
// address, the netmask (option 1), the first router (3), the first DNS server (6) and the
// lease time (51), with T1 (58) and T2 (59) when the server gives them.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/ipv4.h"
#include "servers/tcpip/stack/net.h"
#include "servers/tcpip/stack/random.h"
#include "servers/tcpip/stack/udp.h"

namespace tcpip {

constexpr uint16_t kDhcpClientPort = 68, kDhcpServerPort = 67;
constexpr size_t kDhcpFixed = 240;  // the BOOTP fields and the magic cookie
constexpr uint64_t kDhcpFirstTimeoutMs = 4'000, kDhcpMaxTimeoutMs = 64'000;
constexpr uint8_t kDhcpRequestTries = 4;  // REQUESTs after an OFFER before starting again
constexpr uint64_t kDhcpMinRenewRetryMs = 60'000;
constexpr uint32_t kDhcpInfiniteLease = 0xffffffff;

enum class DhcpMessageType : uint8_t {
  Discover = 1,
  Offer = 2,
  Request = 3,
  Decline = 4,
  Ack = 5,
  Nak = 6,
  Release = 7,
};

// What a server's reply says, as parse_dhcp_reply reads it. Absent options are 0.
struct DhcpReply {
  DhcpMessageType type{};
  uint32_t xid = 0;
  Mac client;
  Ipv4 your_address;
  Ipv4 server;  // option 54
  Ipv4 netmask, router, dns;
  uint32_t lease_s = 0, t1_s = 0, t2_s = 0;
};

// Parses a BOOTREPLY for Ethernet with the DHCP cookie and a message type; every option is
// length-checked. False if it is not one.
bool parse_dhcp_reply(const uint8_t* message, size_t size, DhcpReply& out);

// Told when the client's configuration changes: a new lease (or a renewed one with other
// addresses), or the lease lost (config.address is 0).
class DhcpListener {
 public:
  virtual void on_dhcp_config(const Config& config) = 0;

 protected:
  ~DhcpListener() = default;
};

enum class DhcpState : uint8_t { Stopped, Selecting, Requesting, Bound, Renewing, Rebinding };

class DhcpClient final : public UdpReceiver {
 public:
  DhcpClient(Udp& udp, Counters& counters, DhcpListener& listener, Mac mac, Random& random)
      : udp_(udp), counters_(counters), listener_(listener), mac_(mac), random_(random) {}

  // Binds port 68 and sends a DISCOVER. Errors: those of Udp::bind.
  lib::Result<void> start(uint64_t now_ms);
  // Unbinds and stops; the configuration stays as it is.
  void stop();
  // Retransmits, renews and rebinds; call at least once a second.
  void poll(uint64_t now_ms);

  DhcpState state() const { return state_; }
  const Config& config() const { return config_; }
  Ipv4 server() const { return server_; }
  uint32_t lease_s() const { return lease_s_; }

  void on_datagram(uint16_t local_port, Ipv4 source, uint16_t source_port, Ipv4 destination,
                   const uint8_t* data, size_t size, uint64_t now_ms) override;

 private:
  void discover(uint64_t now_ms);
  void send(DhcpMessageType type, uint64_t now_ms);
  void bind(const DhcpReply& reply, uint64_t now_ms);
  void lose();
  uint64_t backoff() const;

  Udp& udp_;
  Counters& counters_;
  DhcpListener& listener_;
  Mac mac_;
  Random& random_;
  DhcpState state_ = DhcpState::Stopped;
  uint32_t xid_ = 0;
  uint8_t tries_ = 0;        // sends of the current message
  uint64_t deadline_ = 0;    // the next retransmission
  uint64_t started_ms_ = 0;  // when this exchange began (for the secs field)
  Ipv4 offered_;
  Ipv4 server_;
  Config config_;
  uint32_t lease_s_ = 0;
  uint64_t t1_ms_ = 0, t2_ms_ = 0, expiry_ms_ = 0;  // absolute; unused for infinite leases
};

}  // namespace tcpip
