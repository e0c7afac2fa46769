#pragma once
// TCP segments on the wire: sequence-number arithmetic, the header and its options (RFC 9293
// section 3.1, RFC 7323 window scale), parsing with every length checked before it is read,
// and writing headers. The connection logic lives in tcp.h.

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/net.h"

namespace tcpip {

inline constexpr uint8_t kTcpProtocol = 6;
inline constexpr size_t kTcpHeaderSize = 20;     // without options
inline constexpr size_t kTcpMaxHeaderSize = 60;  // the data offset field's limit
inline constexpr uint16_t kTcpDefaultMss = 536;  // assumed when a SYN carries no MSS option
inline constexpr uint8_t kTcpMaxWindowShift = 14;

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;
inline constexpr uint8_t kTcpUrg = 0x20;

// Sequence numbers compare modulo 2^32 (RFC 9293 section 3.4).
inline bool seq_lt(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
inline bool seq_le(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) <= 0; }
inline bool seq_gt(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }
inline bool seq_ge(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) >= 0; }
inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }

// Why a segment was dropped. Every drop is counted under one of these.
enum class TcpDrop : uint8_t {
  None,             // not dropped
  TooShort,         // shorter than a TCP header
  TooLong,          // longer than the pseudo header's 16-bit length can say
  BadHeaderLength,  // the data offset is below 20 bytes or beyond the segment
  BadOptions,       // an option runs past the header or has a wrong length
  BadChecksum,      // the checksum over pseudo header and segment does not verify
  BadPort,          // source or destination port 0
  BadAddress,       // a source or destination that cannot be a TCP peer (any, broadcast, multicast)
  BadFlags,      // a flag combination no TCP sends (SYN+FIN, SYN+RST, no ACK where one is needed)
  NoConnection,  // no connection or listener (answered with RST)
  BacklogFull,   // a SYN for a listener whose backlog is full
  TableFull,     // a SYN when no connection can be had (the engine's memory or its count)
  OutOfWindow,   // sequence number outside the receive window (answered with ACK)
  BadAck,        // acknowledges what was never sent, or far too old
  BadRst,        // an RST that is not exactly at the expected sequence number
  BadSyn,        // a SYN on a synchronized connection (answered with a challenge ACK)
  AfterClose,    // data for a connection its owner has closed (answered with RST)
  NoMemory,      // data no memory could be found for (not acknowledged: the peer resends it)
  Count,
};
inline constexpr size_t kTcpDropCount = static_cast<size_t>(TcpDrop::Count);
const char* tcp_drop_name(TcpDrop drop);

// A parsed, verified segment. payload points into the buffer that was parsed.
struct TcpSegment {
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  const uint8_t* payload = nullptr;
  size_t payload_size = 0;
  bool has_mss = false;
  uint16_t mss = 0;
  bool has_window_shift = false;
  uint8_t window_shift = 0;  // capped at kTcpMaxWindowShift

  bool has(uint8_t flag) const { return (flags & flag) != 0; }
  // The sequence space the segment occupies: its data plus one for SYN and one for FIN.
  uint32_t length() const {
    return static_cast<uint32_t>(payload_size) + (has(kTcpSyn) ? 1 : 0) + (has(kTcpFin) ? 1 : 0);
  }
};

// Parses and verifies the segment (checksum over the pseudo header included). Returns
// TcpDrop::None and fills out, or the reason the segment must be dropped.
TcpDrop tcp_parse(Ipv4 source, Ipv4 destination, const uint8_t* data, size_t size, TcpSegment& out);

// The header of a segment to send.
struct TcpHeader {
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t mss = 0;          // 0: no MSS option
  int8_t window_shift = -1;  // -1: no window scale option
};

// Writes the header (with its options) to out, which must hold kTcpMaxHeaderSize bytes, and
// returns its size. The checksum field is left zero for tcp_finish.
size_t tcp_write_header(uint8_t* out, const TcpHeader& header);
// Fills in the checksum of a complete segment (header and payload, size bytes).
void tcp_finish(uint8_t* segment, size_t size, Ipv4 source, Ipv4 destination);

}  // namespace tcpip
