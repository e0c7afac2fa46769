#pragma once
// What the stack counts: packets in and out, and every packet it drops, by reason. One
// Counters is shared by all the layers of a Stack; the component reports it.

#include <stddef.h>
#include <stdint.h>

namespace tcpip {

// Why a packet was dropped. A malformed or hostile packet is dropped and counted here, never
// acted upon.
enum class Drop : uint8_t {
  EthernetTruncated,    // shorter than an Ethernet header
  EthernetNotForUs,     // neither to our address nor broadcast
  EthernetUnknownType,  // an EtherType we do not speak
  ArpMalformed,         // short, not Ethernet/IPv4, an unknown operation, a bad sender
  ArpTableFull,         // no cache entry for a new address: its packet is dropped
  ArpQueueFull,         // no room to hold a packet while its address is resolved
  ArpUnresolved,        // a held packet whose address never answered
  Ipv4Truncated,        // shorter than an IPv4 header
  Ipv4BadVersion,       // not version 4
  Ipv4BadHeaderLength,  // IHL below 5 or beyond the packet
  Ipv4BadLength,        // total length shorter than the header or longer than the frame
  Ipv4BadChecksum,      // header checksum wrong
  Ipv4BadTtl,           // time to live 0
  Ipv4Fragment,         // a fragment: never reassembled
  Ipv4BadSource,        // from a broadcast or multicast address, or from 127/8 on the wire
  Ipv4NotForUs,         // to an address that is not ours, or to 127/8 on the wire
  Ipv4UnknownProtocol,  // no transport for its protocol number
  Ipv4Unroutable,       // an outgoing packet with no route (no address, no gateway)
  LoopbackFull,         // a packet to this host with kLoopbackPackets already waiting
  IcmpMalformed,        // shorter than its header
  IcmpBadChecksum,      // checksum wrong
  IcmpUnhandled,        // a message type we do not act on
  UdpMalformed,         // shorter than its header, or a length the packet does not hold
  UdpBadChecksum,       // checksum wrong
  UdpNoPort,            // no socket bound to its port
  DhcpMalformed,        // a DHCP reply that does not parse
  DhcpUnexpected,       // a reply for another transaction or client, or out of turn
  DnsMalformed,         // a DNS reply that does not parse
  DnsUnexpected,        // a reply to no query of ours (wrong id, server or question)
};
constexpr size_t kDropReasons = static_cast<size_t>(Drop::DnsUnexpected) + 1;

// A stable, human-readable name for a drop reason ("ipv4_bad_checksum").
const char* drop_name(Drop reason);

struct Counters {
  uint64_t frames_in = 0, frames_out = 0;  // Ethernet frames received and sent
  uint64_t bytes_in = 0, bytes_out = 0;    // their bytes (from the destination address)
  uint64_t ipv4_in = 0, ipv4_out = 0;      // IPv4 packets delivered to a transport, sent
  uint64_t loopback = 0;                   // of those sent, the ones to this host
  uint64_t arp_requests_answered = 0;
  uint64_t echo_requests_answered = 0;
  uint64_t udp_in = 0, udp_out = 0;  // datagrams delivered to a socket, sent
  uint64_t drops[kDropReasons] = {};

  void count(Drop reason) { ++drops[static_cast<size_t>(reason)]; }
  uint64_t dropped(Drop reason) const { return drops[static_cast<size_t>(reason)]; }
  uint64_t dropped_total() const {
    uint64_t total = 0;
    for (uint64_t d : drops) total += d;
    return total;
  }
};

}  // namespace tcpip
