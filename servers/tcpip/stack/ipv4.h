#pragma once
// IPv4 (RFC 791, with the host rules of RFC 1122): checks and delivers received packets to
// the transport registered for their protocol, and sends transports' payloads, routed on
// the link or through the gateway. Fragments are refused, never reassembled; nothing sent
// is fragmented (a payload is at most kIpv4MaxPayload bytes). Packets to this host (127/8 or
// our own address) take no device: they wait in the loopback queue until the owner calls
// deliver_loopback, and arrive as from the wire. From the wire, 127/8 is refused either way.
//
// How a transport plugs in (TCP does it as ICMP and UDP do): it implements Transport and is
// attached for its protocol number; it sends through the Ipv4Sender it is given.
//
//   class Tcp final : public tcpip::Transport { ... };
//   Tcp tcp(stack.ipv4());                                  // an Ipv4Sender&
//   lib::Result<void> r = stack.ipv4().attach(tcpip::kProtocolTcp, tcp);
//   ... ip.send_ipv4(peer, tcpip::kProtocolTcp, header, header_size, data, data_size, now_ms);
//
// The transport computes its own checksum, with pseudo_header_sum(ip.source_for(peer), peer,
// ...).

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

#include "servers/tcpip/stack/arp.h"
#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/ethernet.h"
#include "servers/tcpip/stack/loopback.h"
#include "servers/tcpip/stack/net.h"

namespace tcpip {

constexpr size_t kIpv4Header = 20;  // without options; we send none
constexpr size_t kIpv4MaxPayload = kEthernetMtu - kIpv4Header;
constexpr uint8_t kProtocolIcmp = 1, kProtocolTcp = 6, kProtocolUdp = 17;
constexpr uint8_t kIpv4Ttl = 64;
constexpr size_t kTransports = 4;  // protocols that can be attached

// An interface's addresses: from DHCP or static. An address of 0 means not configured.
struct Config {
  Ipv4 address;
  Ipv4 netmask;
  Ipv4 gateway;  // 0: none, only the link is reachable
  Ipv4 dns;      // 0: none
  constexpr bool operator==(const Config&) const = default;
};

// A protocol carried by IPv4. receive gets the payload of a packet that passed every check,
// cut to the packet's total length: source and destination as in the header (destination
// may be a broadcast address, or any address while DHCP runs). The bytes are valid only
// during the call.
class Transport {
 public:
  virtual void receive(Ipv4 source, Ipv4 destination, const uint8_t* payload, size_t size,
                       uint64_t now_ms) = 0;

 protected:
  ~Transport() = default;
};

// How a transport sends: the IPv4 layer, or a test's fake of it.
class Ipv4Sender {
 public:
  // Our address (0 while not configured).
  virtual Ipv4 address() const = 0;
  // Whether destination is this host: 127/8, or our address once configured.
  virtual bool is_local(Ipv4 destination) const = 0;
  // The source of what we send to destination: 127.0.0.1 to 127/8, else our address.
  virtual Ipv4 source_for(Ipv4 destination) const = 0;
  // Sends header[0..header_size) then data[0..data_size) (either may be empty) as the
  // payload of one IPv4 packet to `destination`, from source_for(destination). Errors:
  // InvalidArgument (destination 0.0.0.0), TooLarge (more than kIpv4MaxPayload bytes),
  // NotFound (no route: not configured, or off the link with no gateway), NoResources (the
  // next hop is being resolved and there is no room to hold the packet, or the loopback
  // queue is full). A packet held while its next hop is resolved counts as sent; it may
  // still be dropped (and counted) if no reply comes.
  lib::Result<void> send_ipv4(Ipv4 destination, uint8_t protocol, const uint8_t* header,
                              size_t header_size, const uint8_t* data, size_t data_size,
                              uint64_t now_ms) {
    return send_ipv4_from(source_for(destination), destination, protocol, header, header_size, data,
                          data_size, now_ms);
  }
  // The same from `source`: source_for(destination), or between two addresses of 127/8 (an
  // answer from the one a looped packet came to, 127.0.0.2 say). Errors: those of
  // send_ipv4, InvalidArgument (another source).
  virtual lib::Result<void> send_ipv4_from(Ipv4 source, Ipv4 destination, uint8_t protocol,
                                           const uint8_t* header, size_t header_size,
                                           const uint8_t* data, size_t data_size,
                                           uint64_t now_ms) = 0;

 protected:
  ~Ipv4Sender() = default;
};

class Ipv4Layer final : public Ipv4Sender {
 public:
  Ipv4Layer(Arp& arp, Counters& counters) : arp_(arp), counters_(counters) {}

  // Sets the addresses (and ARP's). While the address is 0, every destination is accepted
  // (DHCP's offer comes to an address we do not have yet) and only broadcast is sent.
  void configure(const Config& config);
  const Config& config() const { return config_; }
  Ipv4 address() const override { return config_.address; }
  bool is_local(Ipv4 destination) const override;
  Ipv4 source_for(Ipv4 destination) const override;

  // Delivers packets of `protocol` to `transport`. Errors: AlreadyExists (the protocol has
  // one), NoResources (kTransports are attached).
  lib::Result<void> attach(uint8_t protocol, Transport& transport);

  // An IPv4 packet: the payload of a frame of type kEtherTypeIpv4 (padding allowed after it).
  void receive(const uint8_t* packet, size_t size, uint64_t now_ms) {
    receive(packet, size, now_ms, false);
  }

  // Delivers the packets this host sent itself, those queued when it is called (what their
  // transports send meanwhile waits for the next call). The owner calls it after each
  // event while loopback_pending(), so that a send never runs a receive under it.
  void deliver_loopback(uint64_t now_ms);
  bool loopback_pending() const { return loopback_.size() != 0; }

  lib::Result<void> send_ipv4_from(Ipv4 source, Ipv4 destination, uint8_t protocol,
                                   const uint8_t* header, size_t header_size, const uint8_t* data,
                                   size_t data_size, uint64_t now_ms) override;

  // The next hop toward destination, not this host: itself on the link, the gateway off
  // it, the broadcast address for a broadcast. Errors: InvalidArgument (0.0.0.0), NotFound
  // (no route).
  lib::Result<Ipv4> route(Ipv4 destination) const;

 private:
  void receive(const uint8_t* packet, size_t size, uint64_t now_ms, bool looped);
  void write_header(uint8_t* packet, size_t total, uint8_t protocol, Ipv4 source, Ipv4 destination);
  bool is_broadcast(Ipv4 destination) const;
  bool accepts(Ipv4 destination) const;

  struct Attached {
    uint8_t protocol = 0;
    Transport* transport = nullptr;
  };

  Arp& arp_;
  Counters& counters_;
  Config config_;
  uint16_t next_id_ = 0;
  Attached transports_[kTransports];
  uint8_t frame_[kEthernetMaxFrame];  // what send_ipv4 builds
  LoopbackQueue loopback_;
};

}  // namespace tcpip
