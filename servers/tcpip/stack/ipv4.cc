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

void Ipv4Layer::receive(const uint8_t* packet, size_t size, uint64_t now_ms, bool looped) {
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
  if (source.broadcast() || is_multicast(source) || is_broadcast(source) ||
      (!looped && source.loopback()))
    return counters_.count(Drop::Ipv4BadSource);
  if (looped ? !is_local(destination) : destination.loopback() || !accepts(destination))
    return counters_.count(Drop::Ipv4NotForUs);
  const uint8_t protocol = packet[9];
  for (const Attached& a : transports_) {
    if (!a.transport || a.protocol != protocol) continue;
    ++counters_.ipv4_in;
    a.transport->receive(source, destination, packet + header, total - header, now_ms);
    return;
  }
  counters_.count(Drop::Ipv4UnknownProtocol);
}

lib::Result<void> Ipv4Layer::send_ipv4_from(Ipv4 source, Ipv4 destination, uint8_t protocol,
                                            const uint8_t* header, size_t header_size,
                                            const uint8_t* data, size_t data_size,
                                            uint64_t now_ms) {
  if (header_size > kIpv4MaxPayload || data_size > kIpv4MaxPayload - header_size)
    return lib::Error::TooLarge;
  if (source != source_for(destination) && !(source.loopback() && destination.loopback()))
    return lib::Error::InvalidArgument;
  const bool local = is_local(destination);
  Ipv4 next_hop;
  if (!local) {
    auto route_found = route(destination);
    if (!route_found.ok()) {
      if (route_found.error() == lib::Error::NotFound) counters_.count(Drop::Ipv4Unroutable);
      return route_found.error();
    }
    next_hop = route_found.value();
  }
  uint8_t* packet = local ? loopback_.reserve() : frame_ + kEthernetHeader;
  if (packet == nullptr) {
    counters_.count(Drop::LoopbackFull);
    return lib::Error::NoResources;
  }
  const size_t total = kIpv4Header + header_size + data_size;
  write_header(packet, total, protocol, source, destination);
  if (header_size) __builtin_memcpy(packet + kIpv4Header, header, header_size);
  if (data_size) __builtin_memcpy(packet + kIpv4Header + header_size, data, data_size);
  if (local) {
    loopback_.commit(total);
    ++counters_.loopback;
  } else {
    TRY(arp_.send_ipv4(next_hop, frame_, kEthernetHeader + total, now_ms));
  }
  ++counters_.ipv4_out;
  return {};
}

void Ipv4Layer::write_header(uint8_t* packet, size_t total, uint8_t protocol, Ipv4 source,
                             Ipv4 destination) {
  packet[0] = 0x45;  // version 4, no options
  packet[1] = 0;
  store16(packet + 2, static_cast<uint16_t>(total));
  store16(packet + 4, next_id_++);
  store16(packet + 6, kDontFragment);
  packet[8] = kIpv4Ttl;
  packet[9] = protocol;
  store16(packet + 10, 0);
  store32(packet + 12, source.value);
  store32(packet + 16, destination.value);
  store16(packet + 10, checksum_fold(checksum_add(0, packet, kIpv4Header)));
}

void Ipv4Layer::deliver_loopback(uint64_t now_ms) {
  for (size_t n = loopback_.size(); n > 0; --n) {
    receive(loopback_.front(), loopback_.front_size(), now_ms, true);
    loopback_.pop();
  }
}

bool Ipv4Layer::is_local(Ipv4 destination) const {
  return destination.loopback() || (!config_.address.any() && destination == config_.address);
}

Ipv4 Ipv4Layer::source_for(Ipv4 destination) const {
  return destination.loopback() ? kLoopbackAddress : config_.address;
}

lib::Result<Ipv4> Ipv4Layer::route(Ipv4 destination) const {
  if (destination.any()) return lib::Error::InvalidArgument;
  if (is_broadcast(destination)) return Ipv4::of(255, 255, 255, 255);
  const Ipv4 address = config_.address;
  if (address.any() || is_local(destination)) return lib::Error::NotFound;
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
