#pragma once
// The stack's counters as text, one `name value` per line: what the `netstat` service answers
// (abi/stellina/socket.h). Names are stable; a reason or state is lower case
// (`drop.ipv4_bad_checksum`, `tcp.state.time_wait`).

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/tcp.h"

namespace tcpip {

// What the component counts itself, around the stack.
struct ComponentCounters {
  uint64_t frames_dropped_out = 0;  // frames that found the driver's queue full
  uint64_t batches_in_malformed = 0;
  uint64_t sockets_open = 0;
  uint64_t sockets_refused = 0;        // Opens refused for want of a slot, a port or a route
  uint64_t datagrams_dropped_in = 0;   // for a client whose queue was full
  uint64_t datagrams_dropped_out = 0;  // malformed, too large, or no route
  // The driver's own counts (abi::EthernetInfo), as of its last Info answer.
  uint64_t driver_rx_dropped = 0, driver_tx_dropped = 0, driver_malformed = 0;
};

// Writes every counter into out[0..capacity) and returns the length: the lines that fit, in
// order (the first that does not fit ends the text).
size_t format_netstat(const Counters& stack, const TcpCounters& tcp,
                      const uint32_t (&tcp_states)[kTcpStateCount],
                      const ComponentCounters& component, char* out, size_t capacity);

// The drops in one line for the log, every reason that has any: "ipv4_bad_checksum 3,
// tcp_bad_checksum 1" (cut short, with "...", where it does not fit). Returns the length.
size_t format_drops(const Counters& stack, const TcpCounters& tcp, char* out, size_t capacity);

}  // namespace tcpip
