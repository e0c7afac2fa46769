#pragma once
// Initial sequence numbers that an off-path attacker cannot predict (RFC 6528): a clock that
// advances every 4 microseconds plus a keyed hash (SipHash-2-4) of the connection's addresses
// and ports under a secret the owner draws from a random source.

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/net.h"

namespace tcpip {

struct TcpSecret {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

uint64_t siphash24(const TcpSecret& key, const uint8_t* data, size_t size);

// The keyed hash of a connection's four-tuple.
uint64_t tcp_tuple_hash(const TcpSecret& key, Ipv4 local, uint16_t local_port, Ipv4 remote,
                        uint16_t remote_port);

uint32_t tcp_initial_sequence(const TcpSecret& key, uint64_t now_ms, Ipv4 local,
                              uint16_t local_port, Ipv4 remote, uint16_t remote_port);

}  // namespace tcpip
