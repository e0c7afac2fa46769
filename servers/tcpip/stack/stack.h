#pragma once
// One network interface's stack below TCP: Ethernet, ARP, IPv4, ICMP, UDP, DHCP and DNS, tied
// together and sharing one set of Counters. The owner (the tcpip component, or a test) gives it a
// Link to send frames through, hands it every received frame, and calls poll() for its timers; time
// is always a parameter, in milliseconds from any fixed origin. Nothing here allocates or
// blocks, and no packet, however malformed, can make it misbehave: it is dropped and
// counted.

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/arp.h"
#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/dhcp.h"
#include "servers/tcpip/stack/dns.h"
#include "servers/tcpip/stack/ethernet.h"
#include "servers/tcpip/stack/icmp.h"
#include "servers/tcpip/stack/ipv4.h"
#include "servers/tcpip/stack/net.h"
#include "servers/tcpip/stack/random.h"
#include "servers/tcpip/stack/udp.h"

namespace tcpip {

class Stack final : private DhcpListener {
 public:
  // seed: entropy for DHCP transaction ids and DNS query ids (the component passes the
  // clock, or better).
  Stack(Link& link, Mac mac, uint32_t seed = 0);
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // A static configuration (which stops DHCP), and a gratuitous ARP to announce it. The
  // DNS resolver asks config.dns.
  void configure(const Config& config);
  // Configures by DHCP from now on (the configuration is kept meanwhile; pass a static one
  // of {} first to start from nothing). Errors: those of DhcpClient::start.
  lib::Result<void> start_dhcp(uint64_t now_ms);
  const Config& config() const { return ipv4_.config(); }
  Mac mac() const { return arp_.mac(); }

  // A frame from the link (from its destination address, without the frame check sequence).
  void receive_frame(const uint8_t* frame, size_t size, uint64_t now_ms);
  // Runs the timers (ARP retries and expiry, DHCP, DNS); call at least every kPollMs.
  void poll(uint64_t now_ms);
  static constexpr uint64_t kPollMs = 250;

  Arp& arp() { return arp_; }
  Ipv4Layer& ipv4() { return ipv4_; }
  Icmp& icmp() { return icmp_; }
  Udp& udp() { return udp_; }
  DhcpClient& dhcp() { return dhcp_; }
  DnsResolver& dns() { return dns_; }
  const Counters& counters() const { return counters_; }

 private:
  void on_dhcp_config(const Config& config) override;
  void apply(const Config& config);

  Counters counters_;
  Random random_;
  Arp arp_;
  Ipv4Layer ipv4_;
  Icmp icmp_;
  Udp udp_;
  DhcpClient dhcp_;
  DnsResolver dns_;
};

}  // namespace tcpip
