#pragma once
// ARP (RFC 826) for IPv4 over Ethernet: answers requests for our address, keeps a cache of
// neighbours with timeouts, and holds outgoing IPv4 packets while their next hop is being
// resolved. Fixed-size: kArpEntries neighbours, kArpHeld packets held at once.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/ethernet.h"
#include "servers/tcpip/stack/net.h"

namespace tcpip {

constexpr size_t kArpPacket = 28;  // for Ethernet and IPv4 addresses
constexpr uint16_t kArpRequest = 1, kArpReply = 2;
constexpr size_t kArpEntries = 16;
constexpr size_t kArpHeld = 8;
constexpr uint64_t kArpLifetimeMs = 60'000;  // a confirmed entry is asked again after this
constexpr uint64_t kArpRetryMs = 1'000;      // between requests for an unresolved address
constexpr uint8_t kArpTries = 3;             // requests before its held packets are dropped

class Arp {
 public:
  Arp(Link& link, Counters& counters, Mac mac) : link_(link), counters_(counters), mac_(mac) {}

  Mac mac() const { return mac_; }
  // Our IPv4 address; while it is 0 (not configured) requests are not answered.
  void set_address(Ipv4 address) { address_ = address; }

  // An ARP packet: the payload of a frame of type kEtherTypeArp.
  void receive(const uint8_t* packet, size_t size, uint64_t now_ms);

  // Sends frame[0..size), an IPv4 packet after kEthernetHeader bytes of room, to next_hop,
  // writing the Ethernet header. A broadcast next hop goes to the broadcast address. If
  // next_hop is not resolved, a copy is held (and sent when the reply comes, or dropped
  // and counted after kArpTries unanswered requests). Errors: OutOfRange (size is not a
  // frame's), NoResources (no cache entry or no room to hold it: the packet is dropped and
  // counted).
  lib::Result<void> send_ipv4(Ipv4 next_hop, uint8_t* frame, size_t size, uint64_t now_ms);

  // Retries requests and expires entries; call at least every kArpRetryMs.
  void poll(uint64_t now_ms);

  // Sends a gratuitous ARP request for our address, so neighbours update their caches.
  void announce();

  // The resolved address of ip, if the cache has one.
  bool lookup(Ipv4 ip, Mac& out) const;
  // Forgets every entry and drops (and counts) every held packet.
  void clear();
  // How many packets are held.
  size_t held() const;

 private:
  enum class State : uint8_t { Free, Resolving, Resolved };
  struct Entry {
    State state = State::Free;
    uint8_t tries = 0;
    Ipv4 ip;
    Mac mac;
    uint64_t deadline = 0;  // Resolved: expiry; Resolving: the next request
  };
  struct Held {
    bool used = false;
    Ipv4 next_hop;
    uint32_t order = 0;
    uint16_t size = 0;
    uint8_t frame[kEthernetMaxFrame];
  };

  Entry* find(Ipv4 ip);
  Entry* allocate();
  void confirm(Entry& entry, Mac mac, uint64_t now_ms);
  void send_arp(uint16_t op, Mac destination, Mac target_mac, Ipv4 target_ip);
  void transmit(Mac destination, uint8_t* frame, size_t size);
  void drop_held(Ipv4 next_hop);

  Link& link_;
  Counters& counters_;
  Mac mac_;
  Ipv4 address_;
  uint32_t next_order_ = 0;
  Entry entries_[kArpEntries];
  Held held_[kArpHeld];
};

}  // namespace tcpip
