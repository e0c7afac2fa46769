#pragma once
// Helpers for the network stack's tests: a Link that records frames, and builders of valid
// frames and packets to feed the stack (or to break on purpose).

#include <stdint.h>

#include <algorithm>
#include <random>
#include <vector>

#include "servers/tcpip/stack/ethernet.h"
#include "servers/tcpip/stack/net.h"

namespace nettest {

using Bytes = std::vector<uint8_t>;
using tcpip::Ipv4;
using tcpip::Mac;

inline constexpr Mac kOurMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
inline constexpr Mac kPeerMac{{0x52, 0x55, 0x0a, 0x00, 0x02, 0x02}};
inline constexpr Ipv4 kOurIp = Ipv4::of(10, 0, 2, 15);
inline constexpr Ipv4 kPeerIp = Ipv4::of(10, 0, 2, 2);

// Records every frame sent.
class RecordingLink final : public tcpip::Link {
 public:
  void send_frame(const uint8_t* frame, size_t size) override {
    frames.emplace_back(frame, frame + size);
  }
  std::vector<Bytes> frames;
};

inline Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

inline Bytes ethernet(Mac destination, Mac source, uint16_t type, const Bytes& payload) {
  Bytes frame(tcpip::kEthernetHeader);
  tcpip::write_ethernet(frame.data(), {destination, source, type});
  return concat(frame, payload);
}

inline Bytes arp_packet(uint16_t op, Mac sender_mac, Ipv4 sender_ip, Mac target_mac,
                        Ipv4 target_ip) {
  Bytes p(28);
  tcpip::store16(&p[0], 1);
  tcpip::store16(&p[2], 0x0800);
  p[4] = 6;
  p[5] = 4;
  tcpip::store16(&p[6], op);
  std::copy(sender_mac.bytes, sender_mac.bytes + 6, &p[8]);
  tcpip::store32(&p[14], sender_ip.value);
  std::copy(target_mac.bytes, target_mac.bytes + 6, &p[18]);
  tcpip::store32(&p[24], target_ip.value);
  return p;
}

struct Ipv4Options {
  uint8_t ttl = 64;
  uint16_t id = 1;
  uint16_t flags_fragment = 0;
};

inline Bytes ipv4(Ipv4 source, Ipv4 destination, uint8_t protocol, const Bytes& payload,
                  Ipv4Options options = {}) {
  Bytes p(20);
  p[0] = 0x45;
  tcpip::store16(&p[2], static_cast<uint16_t>(20 + payload.size()));
  tcpip::store16(&p[4], options.id);
  tcpip::store16(&p[6], options.flags_fragment);
  p[8] = options.ttl;
  p[9] = protocol;
  tcpip::store32(&p[12], source.value);
  tcpip::store32(&p[16], destination.value);
  tcpip::store16(&p[10], tcpip::checksum_fold(tcpip::checksum_add(0, p.data(), 20)));
  return concat(p, payload);
}

inline Bytes udp(Ipv4 source, uint16_t source_port, Ipv4 destination, uint16_t destination_port,
                 const Bytes& payload, bool with_checksum = true) {
  Bytes d(8);
  const auto length = static_cast<uint16_t>(8 + payload.size());
  tcpip::store16(&d[0], source_port);
  tcpip::store16(&d[2], destination_port);
  tcpip::store16(&d[4], length);
  d = concat(d, payload);
  if (with_checksum) {
    uint32_t sum = tcpip::pseudo_header_sum(source, destination, 17, length);
    uint16_t c = tcpip::checksum_fold(tcpip::checksum_add(sum, d.data(), d.size()));
    tcpip::store16(&d[6], c == 0 ? 0xffff : c);
  }
  return d;
}

inline Bytes icmp_echo(uint8_t type, uint16_t id, uint16_t sequence, const Bytes& data) {
  Bytes m(8);
  m[0] = type;
  tcpip::store16(&m[4], id);
  tcpip::store16(&m[6], sequence);
  m = concat(m, data);
  tcpip::store16(&m[2], tcpip::checksum_fold(tcpip::checksum_add(0, m.data(), m.size())));
  return m;
}

// An IPv4 frame from the peer to us.
inline Bytes ipv4_frame(const Bytes& packet, Mac destination = kOurMac) {
  return ethernet(destination, kPeerMac, 0x0800, packet);
}

inline Bytes random_bytes(std::mt19937& rng, size_t size) {
  Bytes b(size);
  for (auto& byte : b) byte = static_cast<uint8_t>(rng());
  return b;
}

}  // namespace nettest
