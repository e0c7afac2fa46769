#include "servers/tcpip/stack/counters.h"

namespace tcpip {

const char* drop_name(Drop reason) {
  switch (reason) {
    case Drop::EthernetTruncated: return "ethernet_truncated";
    case Drop::EthernetNotForUs: return "ethernet_not_for_us";
    case Drop::EthernetUnknownType: return "ethernet_unknown_type";
    case Drop::ArpMalformed: return "arp_malformed";
    case Drop::ArpTableFull: return "arp_table_full";
    case Drop::ArpQueueFull: return "arp_queue_full";
    case Drop::ArpUnresolved: return "arp_unresolved";
    case Drop::Ipv4Truncated: return "ipv4_truncated";
    case Drop::Ipv4BadVersion: return "ipv4_bad_version";
    case Drop::Ipv4BadHeaderLength: return "ipv4_bad_header_length";
    case Drop::Ipv4BadLength: return "ipv4_bad_length";
    case Drop::Ipv4BadChecksum: return "ipv4_bad_checksum";
    case Drop::Ipv4BadTtl: return "ipv4_bad_ttl";
    case Drop::Ipv4Fragment: return "ipv4_fragment";
    case Drop::Ipv4BadSource: return "ipv4_bad_source";
    case Drop::Ipv4NotForUs: return "ipv4_not_for_us";
    case Drop::Ipv4UnknownProtocol: return "ipv4_unknown_protocol";
    case Drop::Ipv4Unroutable: return "ipv4_unroutable";
    case Drop::LoopbackFull: return "loopback_full";
    case Drop::IcmpMalformed: return "icmp_malformed";
    case Drop::IcmpBadChecksum: return "icmp_bad_checksum";
    case Drop::IcmpUnhandled: return "icmp_unhandled";
    case Drop::UdpMalformed: return "udp_malformed";
    case Drop::UdpBadChecksum: return "udp_bad_checksum";
    case Drop::UdpNoPort: return "udp_no_port";
    case Drop::DhcpMalformed: return "dhcp_malformed";
    case Drop::DhcpUnexpected: return "dhcp_unexpected";
    case Drop::DnsMalformed: return "dns_malformed";
    case Drop::DnsUnexpected: return "dns_unexpected";
  }
  return "unknown";
}

}  // namespace tcpip
