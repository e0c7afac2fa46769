#include "servers/tcpip/stack/tcp_isn.h"

namespace tcpip {

namespace {

uint64_t rotl(uint64_t v, int bits) { return v << bits | v >> (64 - bits); }

struct SipState {
  uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

uint64_t load64_le(const uint8_t* p, size_t size) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

uint64_t siphash24(const TcpSecret& key, const uint8_t* data, size_t size) {
  SipState s{key.k0 ^ 0x736f6d6570736575ull, key.k1 ^ 0x646f72616e646f6dull,
             key.k0 ^ 0x6c7967656e657261ull, key.k1 ^ 0x7465646279746573ull};
  size_t i = 0;
  for (; i + 8 <= size; i += 8) s.absorb(load64_le(data + i, 8));
  s.absorb(load64_le(data + i, size - i) | uint64_t{size & 0xff} << 56);
  s.v2 ^= 0xff;
  for (int r = 0; r < 4; ++r) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t tcp_tuple_hash(const TcpSecret& key, Ipv4 local, uint16_t local_port, Ipv4 remote,
                        uint16_t remote_port) {
  uint8_t tuple[12];
  store32(tuple, local.value);
  store32(tuple + 4, remote.value);
  store16(tuple + 8, local_port);
  store16(tuple + 10, remote_port);
  return siphash24(key, tuple, sizeof(tuple));
}

uint32_t tcp_initial_sequence(const TcpSecret& key, uint64_t now_ms, Ipv4 local,
                              uint16_t local_port, Ipv4 remote, uint16_t remote_port) {
  return static_cast<uint32_t>(now_ms * 250) +
         static_cast<uint32_t>(tcp_tuple_hash(key, local, local_port, remote, remote_port));
}

}  // namespace tcpip
