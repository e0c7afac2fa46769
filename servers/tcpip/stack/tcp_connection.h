#pragma once
// One TCP connection's state (its transmission control block, RFC 9293 section 3.3.1) with
// its send and receive queues. The engine allocates one for each connection from its memory
// budget and frees it when the connection is done; their fields are the engine's business.

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/net.h"
#include "servers/tcpip/stack/tcp_buffer.h"
#include "servers/tcpip/stack/tcp_rtt.h"
#include "servers/tcpip/stack/tcp_segment.h"

namespace tcpip {

// How many separate out-of-order ranges the receive side remembers.
inline constexpr size_t kTcpMaxRanges = 8;

enum class TcpState : uint8_t {
  Closed,
  Listen,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
  Count,
};
inline constexpr size_t kTcpStateCount = static_cast<size_t>(TcpState::Count);
const char* tcp_state_name(TcpState state);

// Why a connection ended other than by an orderly close.
enum class TcpFailure : uint8_t {
  None,
  Refused,   // the peer answered our SYN with RST
  Reset,     // the peer reset an open connection
  TimedOut,  // retransmissions went unanswered
  Aborted,   // the listener it was queued on went away
};
const char* tcp_failure_name(TcpFailure failure);

struct TcpRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct TcpConnection {
  // The slot: in use, its index in the engine's table (socket ids name an index and the
  // generation of the table entry), who holds it.
  bool in_use = false;
  uint16_t index = 0;
  int8_t listener = -1;    // the listener it waits on until accepted, or -1
  bool released = false;   // the owner closed it; the engine frees it when it is done
  bool changed = false;    // its readiness may have changed since the owner last looked
  bool connected = false;  // it reached ESTABLISHED
  // Links by index + 1 (0: none): the chain of its four-tuple's hash bucket, and the
  // listener's queue of connections ready for accept().
  uint16_t hash_next = 0;
  uint16_t accept_prev = 0;
  uint16_t accept_next = 0;
  bool queued = false;  // on its listener's accept queue

  TcpState state = TcpState::Closed;
  TcpFailure failure = TcpFailure::None;
  Ipv4 local_ip;
  Ipv4 remote_ip;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;

  // Send side. The send queue holds unacknowledged and unsent data; its first byte has
  // sequence number snd_base. snd_max is the highest sequence number sent so far, which
  // snd_nxt falls back from when a timeout resends from snd_una.
  uint32_t iss = 0;
  uint32_t snd_una = 0;
  uint32_t snd_nxt = 0;
  uint32_t snd_max = 0;
  uint32_t snd_base = 0;
  uint32_t snd_wnd = 0;
  uint32_t snd_wl1 = 0;
  uint32_t snd_wl2 = 0;
  uint32_t max_snd_wnd = 0;
  uint16_t snd_mss = kTcpDefaultMss;
  uint8_t snd_shift = 0;       // the peer's window scale
  uint8_t rcv_shift = 0;       // ours, when the peer agreed to scaling
  bool fin_queued = false;     // the owner shut down sending; a FIN follows the queued data
  bool nodelay = false;        // Nagle's algorithm off
  bool write_starved = false;  // a write found no memory for an empty queue: retry at tick()

  // Congestion control (RFC 5681, with NewReno's partial acknowledgments, RFC 6582).
  uint32_t cwnd = 0;
  uint32_t ssthresh = 0;
  uint32_t recover = 0;
  uint8_t dupacks = 0;
  bool in_recovery = false;

  // Round-trip timing of one segment at a time, and the retransmission count.
  TcpRtt rtt;
  bool rtt_timing = false;
  uint32_t rtt_seq = 0;
  uint64_t rtt_start = 0;
  uint8_t retries = 0;
  uint8_t persist_backoff = 0;
  // Since when the peer's window has stayed below a segment while data waits (0: it has not);
  // TcpConfig::persist_timeout_ms after that the connection fails.
  uint64_t stalled_since = 0;

  // Timers, as absolute deadlines in ms; 0 is off.
  uint64_t rtx_at = 0;
  uint64_t persist_at = 0;
  uint64_t delack_at = 0;
  uint64_t linger_at = 0;  // an orphaned FIN_WAIT_2's end

  // Receive side. rcv_adv is the right edge of the window last announced.
  uint32_t irs = 0;
  uint32_t rcv_nxt = 0;
  uint32_t rcv_adv = 0;
  uint32_t rcv_mss = 0;        // the largest segment seen from the peer
  uint32_t unacked_bytes = 0;  // received since our last ACK
  bool ack_now = false;
  bool fin_received = false;
  bool ooo_fin = false;
  uint32_t ooo_fin_seq = 0;
  uint8_t range_count = 0;
  TcpRange ranges[kTcpMaxRanges];

  TcpBuffer send;
  TcpBuffer recv;
};

// A connection in TIME_WAIT (RFC 9293 section 3.10.7.4), once it has left its slot: what it
// takes to answer a retransmitted FIN, tell an old segment from a new SYN, and expire. A
// connection has sent and had acknowledged everything by then, so snd_nxt is final; rcv_nxt is
// past the peer's FIN. Nothing else of the TCB matters any more.
struct TcpTimeWait {
  uint64_t expires_at = 0;  // 2 x MSL after the peer's last FIN; 0 is a free entry
  Ipv4 local_ip;
  Ipv4 remote_ip;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  uint32_t snd_nxt = 0;
  uint32_t rcv_nxt = 0;
  uint16_t window = 0;    // the window field of its ACKs, as last announced (already scaled)
  uint8_t rcv_shift = 0;  // our window scale, which window is shifted by
};
static_assert(sizeof(TcpTimeWait) == 32);

}  // namespace tcpip
