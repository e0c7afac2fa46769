#include "servers/tcpip/stack/stack.h"

namespace tcpip {

namespace {

uint32_t mix(Mac mac, uint32_t seed) {
  uint32_t h = seed ^ 0x811c9dc5;
  for (uint8_t b : mac.bytes) h = (h ^ b) * 0x01000193;
  return h;
}

}  // namespace

Stack::Stack(Link& link, Mac mac, uint32_t seed)
    : random_(mix(mac, seed)),
      arp_(link, counters_, mac),
      ipv4_(arp_, counters_),
      icmp_(ipv4_, counters_),
      udp_(ipv4_, counters_),
      dhcp_(udp_, counters_, *this, mac, random_),
      dns_(udp_, counters_, random_) {
  // The table is empty: these cannot fail.
  (void)ipv4_.attach(kProtocolIcmp, icmp_);
  (void)ipv4_.attach(kProtocolUdp, udp_);
}

void Stack::configure(const Config& config) {
  dhcp_.stop();
  apply(config);
}

lib::Result<void> Stack::start_dhcp(uint64_t now_ms) { return dhcp_.start(now_ms); }

void Stack::on_dhcp_config(const Config& config) { apply(config); }

void Stack::apply(const Config& config) {
  ipv4_.configure(config);
  dns_.set_server(config.dns);
  arp_.announce();
}

void Stack::receive_frame(const uint8_t* frame, size_t size, uint64_t now_ms) {
  ++counters_.frames_in;
  counters_.bytes_in += size;
  EthernetHeader header;
  if (!parse_ethernet(frame, size, header)) return counters_.count(Drop::EthernetTruncated);
  if (!ethernet_accepts(header.destination, arp_.mac()))
    return counters_.count(Drop::EthernetNotForUs);
  const uint8_t* payload = frame + kEthernetHeader;
  const size_t payload_size = size - kEthernetHeader;
  switch (header.type) {
    case kEtherTypeArp: return arp_.receive(payload, payload_size, now_ms);
    case kEtherTypeIpv4: return ipv4_.receive(payload, payload_size, now_ms);
    default: return counters_.count(Drop::EthernetUnknownType);
  }
}

void Stack::poll(uint64_t now_ms) {
  arp_.poll(now_ms);
  dhcp_.poll(now_ms);
  dns_.poll(now_ms);
}

}  // namespace tcpip
