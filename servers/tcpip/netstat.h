#pragma once
// The stack's counters as text, one `name value` per line: what the `netstat` service answers
// (abi/stellina/socket.h). Names are stable; a reason or state is lower case
// (`drop.ipv4_bad_checksum`, `tcp.state.time_wait`).

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/ipv4.h"
#include "servers/tcpip/stack/net.h"
#include "servers/tcpip/stack/tcp.h"

namespace tcpip {

// What the component counts itself, around the stack.
struct ComponentCounters {
  uint64_t frames_dropped_out = 0;  // frames that found the driver's queue full
  uint64_t batches_in_malformed = 0;
  uint64_t sockets_open = 0;
  uint64_t sockets_refused = 0;        // Opens refused for want of a slot, a port or a route
  uint64_t loopback_sockets = 0;       // open, on connections within this host (both ends)
  uint64_t loopback_refused = 0;       // connections within this host past kLoopbackSockets
  uint64_t datagrams_dropped_in = 0;   // for a client whose queue was full
  uint64_t datagrams_dropped_out = 0;  // malformed, too large, or no route
  // Received bytes left in TCP (their window closed) while a client's queue or quota was full.
  uint64_t stream_in_waits = 0;
  // Streams reset for want of memory to keep what a client sent (never a gap in the stream).
  uint64_t streams_reset_no_memory = 0;
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

// What a Data message on `netstat` asks for (abi/stellina/socket.h): its text is one of the
// words below; anything else (the word "netstat", or nothing) asks for the counters.
enum class NetstatQuery : uint8_t { Counters, Interfaces, Routes, Sockets };
NetstatQuery parse_netstat_query(const char* text, size_t size);

// The interface, as `interfaces` answers it.
struct InterfaceInfo {
  Mac mac;
  uint32_t mtu = 0;
  bool link_up = false;
  bool dhcp = false;  // configured by DHCP (else statically, or not yet)
  Config config;
  uint64_t rx_packets = 0, rx_bytes = 0, rx_dropped = 0, rx_errors = 0;
  uint64_t tx_packets = 0, tx_bytes = 0, tx_dropped = 0;
};
// `name value` lines: interface, mac, mtu, link, address, netmask, prefix, broadcast,
// gateway, dns, configured (dhcp, static or none), rx.packets, rx.bytes, rx.dropped,
// rx.errors, tx.packets, tx.bytes, tx.dropped. Returns the length (the lines that fit).
size_t format_interfaces(const InterfaceInfo& info, char* out, size_t capacity);

// The routing table, one route a line: `DESTINATION/PREFIX GATEWAY INTERFACE` (gateway
// 0.0.0.0: on the link). The link's prefix, then the default route if there is a gateway;
// nothing while unconfigured.
size_t format_routes(const Config& config, char* out, size_t capacity);

// One socket of the `sockets` answer.
struct SocketRow {
  const char* protocol = "tcp";  // tcp or udp
  Ipv4 local;
  uint16_t local_port = 0;
  Ipv4 remote;  // 0.0.0.0:0 for a listener or a UDP port
  uint16_t remote_port = 0;
  const char* state = "-";  // a TCP state's name (ESTABLISHED), "-" for UDP
  uint64_t recv_queued = 0, send_queued = 0;
};
// One line a socket: `PROTOCOL LOCAL:PORT REMOTE:PORT STATE RECV_QUEUED SEND_QUEUED`.
size_t format_sockets(const SocketRow* rows, size_t count, char* out, size_t capacity);

}  // namespace tcpip
