#pragma once
// The engine's socket ids (internal to tcp*.cc): bit 31 tells listeners from connections, bits
// 16-30 carry the table entry's generation (so a stale socket does not reach the entry's next
// connection), bits 0-15 the index + 1.

#include <stddef.h>
#include <stdint.h>

namespace tcpip {

inline constexpr uint32_t kTcpListenerBit = 0x80000000u;
inline constexpr uint16_t kTcpGenerationMask = 0x7fff;

inline uint32_t tcp_socket_value(uint16_t generation, size_t index) {
  return uint32_t{static_cast<uint16_t>(generation & kTcpGenerationMask)} << 16 |
         static_cast<uint32_t>(index + 1);
}

}  // namespace tcpip
