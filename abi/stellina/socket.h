#pragma once
// Sockets over channels. The network stack (servers/tcpip) serves four schemes; a component
// that lists one in its spec's `requires` opens it by URI:
//
//   tcp:HOST:PORT[;nodelay]
//                          connects. HOST is A.B.C.D or a name for the DNS resolver. The
//                          OpenReply (a stream channel) comes once the connection is
//                          established. Abort: kErrConnectionRefused (reset), kErrTimedOut,
//                          kErrNotFound (the name does not resolve), kErrNoResources,
//                          kErrInvalidArgument (a malformed URI).
//   tcp-listen:A.B.C.D:PORT[/BACKLOG][;nodelay]
//                          listens (0.0.0.0: on any address of ours; BACKLOG 1..64, by
//                          default 16). The OpenReply is a listen channel. Abort:
//                          kErrAddressInUse, kErrNoResources, kErrInvalidArgument.
//                          `;nodelay` turns Nagle's algorithm off for the connection(s): for a
//                          client whose every message is a deliberate unit (a response's
//                          head and body), which Nagle would hold back for the peer's
//                          delayed ACK.
//   udp:A.B.C.D:PORT       binds (0.0.0.0; port 0 picks a free one). The OpenReply is a
//                          datagram channel. Abort: kErrAddressInUse, kErrNoResources.
//   ping:A.B.C.D           ICMP echo to that address (not 0.0.0.0 or broadcast). The OpenReply
//                          is a ping channel. Abort: kErrNoResources, kErrInvalidArgument,
//                          kErrNotFound (no network yet).
//
// A listen channel delivers Connect{SocketConnectInfo} for each accepted connection, with
// handles[0] its stream channel. Connections wait in the backlog until the stack can hand
// them over; closing the listen channel stops listening (connections not yet handed over are
// reset).
//
// A stream channel carries the connection's bytes as Data messages both ways, in order, each
// 1..kMaxMessageData bytes.
//   - End of stream: an empty Data message. From the stack it means the peer has finished
//     sending (it will send nothing more; the socket may still send). From the client it
//     shuts down its sending side (FIN); it may still receive.
//   - Error{status} from the stack: the connection failed (kErrConnectionReset,
//     kErrTimedOut); the stack closes its end after it.
//   - Closing the channel closes the socket: the bytes the stack has taken are still
//     delivered, then the connection closes gracefully.
//   - Back-pressure: the stack takes a Data message off the channel only when its send
//     buffer has room for it, so a fast writer sees channel_send fail with kErrWouldBlock
//     once kChannelQueueLimit messages wait, and waits for kSignalWritable. The stack sends
//     no more while the client's queue is full, so the receive window closes and the peer
//     waits. Neither side ever loses bytes.
//
// A datagram channel carries one datagram per Data message, both ways: a UdpDatagram header
// followed by the payload (at most kMaxUdpPayload bytes). A datagram that cannot be sent (no
// route, the neighbour does not answer) is dropped and counted, as on any network.
//
// A ping channel takes PingRequest messages (Data, one each) and answers each with a
// PingReply: when its echo reply arrives (status kOk, with the round trip the stack measured),
// or at once if the request was not sent: kErrWouldBlock when it came sooner than
// kPingMinIntervalMs after the channel's last one or past kPingMaxPerSecond requests of all
// channels in a second (no channel can flood the network), kErrInvalidArgument for a
// malformed request or a size past kPingMaxPayload, kErrNotFound without a route. The stack
// remembers the last kPingMaxOutstanding unanswered requests of a channel (a request whose
// reply never comes is the client's to time out); a reply to one it has forgotten, or from
// another address, is not passed on.
//
// Counters: the stack also exports the service `netstat` (and the scheme `netstat:`, whose
// Open gives a channel that is the same, for a namespace that forwards Opens by scheme, as a
// program's does). Any Data message on it is
// answered (same call id) with the current counters as text, one `name value` per line
// (`ipv4.in 1234`, `drop.ipv4_bad_checksum 2`, `tcp.state.established 3`, ...). A message
// whose text is one of these words asks for something else instead (servers/tcpip/netstat.h):
//   interfaces  the interface: `name value` lines (interface eth0, mac, mtu, link, address,
//               netmask, prefix, broadcast, gateway, dns, configured, rx.* and tx.* counts)
//   routes      the routing table, a route a line: `DESTINATION/PREFIX GATEWAY INTERFACE`
//   sockets     a socket a line: `PROTOCOL LOCAL:PORT REMOTE:PORT STATE RECV_Q SEND_Q`
//               (tcp with its state's name, LISTEN for a listener; udp with state -)

#include <stdint.h>

#include <stellina/messages.h>

namespace stellina::abi {

struct SocketAddress {
  uint8_t address[4];  // IPv4, in the order written (10.0.2.15 is {10, 0, 2, 15})
  uint16_t port;       // in host order
  uint16_t reserved;
};

// The data of a Connect on a listen channel.
struct SocketConnectInfo {
  SocketAddress local;
  SocketAddress remote;
};

// The head of each Data message on a datagram channel: where the datagram came from, or
// where it goes.
struct UdpDatagram {
  SocketAddress remote;
};
constexpr uint32_t kMaxUdpPayload = kMaxMessageData - sizeof(UdpDatagram);

// A ping channel's request: an echo request with this sequence number and size bytes of data.
struct PingRequest {
  uint16_t sequence;
  uint16_t size;  // 0..kPingMaxPayload
  uint32_t reserved;
};
// Its answer.
struct PingReply {
  uint16_t sequence;
  uint16_t size;    // the data the reply carried
  int32_t status;   // a Status: kOk, or why the request was not sent
  uint64_t rtt_ns;  // from sending the request to the reply's arrival, at the stack
  SocketAddress from;
};
constexpr uint32_t kPingMaxPayload = 1400;  // one unfragmented frame
constexpr uint32_t kPingMinIntervalMs = 100;
constexpr uint32_t kPingMaxPerSecond = 20;
constexpr uint32_t kPingMaxOutstanding = 16;

}  // namespace stellina::abi
