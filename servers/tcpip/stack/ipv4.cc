#include "servers/tcpip/stack/ipv4.h"

namespace tcpip {
namespace {

constexpr uint16_t kMoreFragments = 0x2000, kFragmentOffset = 0x1fff, kDontFragment = 0x4000;
constexpr bool is_multicast(Ipv4 ip) { return (ip.value >> 28) == 0xe; }

}  // namespace

void Ipv4Layer::configure(const Config& config) {
  config_ = config;
  arp_.set_address(config.address);
}

lib::Result<void> Ipv4Layer::attach(uint8_t protocol, Transport& transport) {
  for (const Attached& a : transports_) {
    if (a.transport && a.protocol == protocol) return lib::Error::AlreadyExists;
  }
  for (Attached& a : transports_) {
    if (a.transport) continue;
    a = {protocol, &transport};
    return {};
  }
  return lib::Error::NoResources;
}

void Ipv4Layer::receive(const uint8_t* packet, size_t size, uint64_t now_ms) {
  if (size < kIpv4Header) return counters_.count(Drop::Ipv4Truncated);
  if (packet[0] >> 4 != 4) return counters_.count(Drop::Ipv4BadVersion);
  const size_t header = (packet[0] & 0xf) * size_t{4};
  if (header < kIpv4Header || header > size) return counters_.count(Drop::Ipv4BadHeaderLength);
  const size_t total = load16(packet + 2);
  if (total < header || total > size) return counters_.count(Drop::Ipv4BadLength);
  if (checksum_fold(checksum_add(0, packet, header)) != 0)
    return counters_.count(Drop::Ipv4BadChecksum);
  if (packet[8] == 0) return counters_.count(Drop::Ipv4BadTtl);
  const uint16_t fragment = load16(packet + 6);
  if (fragment & (kMoreFragments | kFragmentOffset)) return counters_.count(Drop::Ipv4Fragment);
  const Ipv4 source{load32(packet + 12)};
  const Ipv4 destination{load32(packet + 16)};
  if (source.broadcast() || is_multicast(source) || is_broadcast(source))
    return counters_.count(Drop::Ipv4BadSource);
  if (!accepts(destination)) return counters_.count(Drop::Ipv4NotForUs);
  const uint8_t protocol = packet[9];
  for (const Attached& a : transports_) {
    if (!a.transport || a.protocol != protocol) continue;
    ++counters_.ipv4_in;
    a.transport->receive(source, destination, packet + header, total - header, now_ms);
    return;
  }
  counters_.count(Drop::Ipv4UnknownProtocol);
}

lib::Result<void> Ipv4Layer::send_ipv4(Ipv4 destination, uint8_t protocol, const uint8_t* header,
                                       size_t header_size, const uint8_t* data, size_t data_size,
                                       uint64_t now_ms) {
  if (header_size > kIpv4MaxPayload || data_size > kIpv4MaxPayload - header_size)
    return lib::Error::TooLarge;
  auto next_hop = route(destination);
  if (!next_hop.ok()) {
    if (next_hop.error() == lib::Error::NotFound) counters_.count(Drop::Ipv4Unroutable);
    return next_hop.error();
  }
  const size_t total = kIpv4Header + header_size + data_size;
  uint8_t* packet = frame_ + kEthernetHeader;
  packet[0] = 0x45;  // version 4, no options
  packet[1] = 0;
  store16(packet + 2, static_cast<uint16_t>(total));
  store16(packet + 4, next_id_++);
  store16(packet + 6, kDontFragment);
  packet[8] = kIpv4Ttl;
  packet[9] = protocol;
  store16(packet + 10, 0);
  store32(packet + 12, config_.address.value);
  store32(packet + 16, destination.value);
  store16(packet + 10, checksum_fold(checksum_add(0, packet, kIpv4Header)));
  if (header_size) __builtin_memcpy(packet + kIpv4Header, header, header_size);
  if (data_size) __builtin_memcpy(packet + kIpv4Header + header_size, data, data_size);
  TRY(arp_.send_ipv4(next_hop.value(), frame_, kEthernetHeader + total, now_ms));
  ++counters_.ipv4_out;
  return {};
}

lib::Result<Ipv4> Ipv4Layer::route(Ipv4 destination) const {
  if (destination.any()) return lib::Error::InvalidArgument;
  if (is_broadcast(destination)) return Ipv4::of(255, 255, 255, 255);
  const Ipv4 address = config_.address;
  if (address.any()) return lib::Error::NotFound;
  if (destination == address) return lib::Error::NotSupported;
  const uint32_t mask = config_.netmask.value;
  if ((destination.value & mask) == (address.value & mask)) return destination;
  if (config_.gateway.any()) return lib::Error::NotFound;
  return config_.gateway;
}

// The limited broadcast, or our subnet's directed broadcast.
bool Ipv4Layer::is_broadcast(Ipv4 destination) const {
  if (destination.broadcast()) return true;
  const uint32_t mask = config_.netmask.value;
  if (config_.address.any() || mask == 0 || mask == 0xffffffff) return false;
  return (destination.value & mask) == (config_.address.value & mask) &&
         (destination.value | mask) == 0xffffffff;
}

bool Ipv4Layer::accepts(Ipv4 destination) const {
  if (config_.address.any()) return true;
  return destination == config_.address || is_broadcast(destination);
}

}  // namespace tcpip
