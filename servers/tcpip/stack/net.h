#pragma once
// What every layer of the network stack shares: addresses, byte order, the Internet checksum.
// Freestanding and allocation-free; unit-tested on the host (tests/unit/net).

#include <stddef.h>
#include <stdint.h>

namespace tcpip {

// An IPv4 address in host byte order (10.0.2.15 is 0x0a00020f).
struct Ipv4 {
  uint32_t value = 0;
  static constexpr Ipv4 of(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return {uint32_t{a} << 24 | uint32_t{b} << 16 | uint32_t{c} << 8 | d};
  }
  constexpr bool operator==(const Ipv4&) const = default;
  constexpr bool any() const { return value == 0; }
  constexpr bool broadcast() const { return value == 0xffffffff; }
  // 127.0.0.0/8: this host (RFC 1122 3.2.1.3), never seen on a wire.
  constexpr bool loopback() const { return value >> 24 == 127; }
};
constexpr Ipv4 kLoopbackAddress = Ipv4::of(127, 0, 0, 1);

struct Mac {
  uint8_t bytes[6] = {};
  constexpr bool operator==(const Mac&) const = default;
  static constexpr Mac broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
};

// Big-endian loads and stores, for headers at any alignment.
inline uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t load32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
inline void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// The Internet checksum (RFC 1071): the one's complement sum of 16-bit big-endian words,
// an odd last byte padded with zero. checksum_add accumulates (start with 0, or a pseudo
// header's sum); checksum_fold finishes: the value to store, and 0 when verifying data that
// includes its checksum.
inline uint32_t checksum_add(uint32_t sum, const uint8_t* data, size_t size) {
  for (size_t i = 0; i + 1 < size; i += 2) sum += load16(data + i);
  if (size & 1) sum += uint32_t{data[size - 1]} << 8;
  return sum;
}
inline uint16_t checksum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}
// The sum of the pseudo header TCP and UDP checksums cover (RFC 793, RFC 768).
inline uint32_t pseudo_header_sum(Ipv4 source, Ipv4 destination, uint8_t protocol,
                                  uint16_t length) {
  return (source.value >> 16) + (source.value & 0xffff) + (destination.value >> 16) +
         (destination.value & 0xffff) + protocol + length;
}

}  // namespace tcpip
