#pragma once
// The URIs of the socket schemes (abi/stellina/socket.h): `tcp:HOST:PORT[;nodelay]`,
// `tcp-listen:A.B.C.D:PORT[/BACKLOG][;nodelay]`, `udp:A.B.C.D:PORT` and `ping:A.B.C.D`,
// parsed without trusting a byte of them.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

#include "servers/tcpip/stack/dns.h"
#include "servers/tcpip/stack/ipv4.h"
#include "servers/tcpip/stack/net.h"

namespace tcpip {

enum class SocketKind : uint8_t { Tcp, TcpListen, Udp, Ping };

constexpr uint16_t kDefaultBacklog = 16;
constexpr uint16_t kMaxBacklog = 64;

struct SocketUri {
  SocketKind kind = SocketKind::Tcp;
  // HOST: an address (`localhost` is 127.0.0.1), or (tcp: only) a name for the resolver,
  // NUL-terminated.
  bool named = false;
  Ipv4 address;
  char name[kDnsMaxName + 1] = {};
  uint16_t port = 0;
  uint16_t backlog = 0;  // tcp-listen: 1..kMaxBacklog
  bool nodelay = false;  // tcp, tcp-listen: Nagle's algorithm off for the connections
};

// Errors: NotFound (not a socket scheme), InvalidArgument (anything malformed: a missing or
// out-of-range port, a bad address or name, a backlog outside 1..kMaxBacklog, a port 0 to
// connect to or listen on).
lib::Result<SocketUri> parse_socket_uri(const char* uri, size_t size);

// A dotted quad, exactly four numbers 0..255. False if text[0..size) is not one.
bool parse_ipv4(const char* text, size_t size, Ipv4& out);

// A static configuration from the spec's text: address `A.B.C.D/PREFIX` (1..32), gateway and
// DNS server each a dotted quad or empty (none). False if any part is malformed.
bool parse_static_config(const char* address, const char* gateway, const char* dns, Config& out);

}  // namespace tcpip
