#include "servers/tcpip/socket_uri.h"

#include <lib/checked_number.h>

#include <lib/format.h>
#include <lib/string_view.h>

namespace tcpip {

namespace {

// A decimal number up to max, the whole of text[0..size).
bool parse_number(const char* text, size_t size, uint32_t max, uint32_t& out) {
  auto value = lib::parse_decimal(lib::StringView(text, size), max);
  if (!value.ok()) return false;
  out = static_cast<uint32_t>(value.value());
  return true;
}

bool name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

}  // namespace

bool parse_ipv4(const char* text, size_t size, Ipv4& out) {
  uint32_t value = 0;
  size_t begin = 0;
  for (int part = 0; part < 4; ++part) {
    size_t end = begin;
    while (end < size && text[end] != '.') ++end;
    uint32_t number = 0;
    if (end - begin > 3 || !parse_number(text + begin, end - begin, 255, number)) return false;
    value = value << 8 | number;
    if (part < 3 && end == size) return false;
    begin = end + 1;
  }
  if (begin != size + 1) return false;  // something after the fourth number
  out.value = value;
  return true;
}

bool parse_static_config(const char* address, const char* gateway, const char* dns, Config& out) {
  const size_t size = lib::StringView(address).size();
  const size_t slash = lib::StringView(address).find('/');
  uint32_t prefix = 0;
  if (slash == lib::StringView::kNpos || !parse_ipv4(address, slash, out.address) ||
      !parse_number(address + slash + 1, size - slash - 1, 32, prefix) || prefix == 0)
    return false;
  out.netmask.value = prefix == 32 ? ~0u : ~(~0u >> prefix);
  out.gateway = {};
  out.dns = {};
  const auto optional = [](const char* text, Ipv4& ip) {
    return !*text || parse_ipv4(text, lib::StringView(text).size(), ip);
  };
  return optional(gateway, out.gateway) && optional(dns, out.dns);
}

lib::Result<SocketUri> parse_socket_uri(const char* uri, size_t size) {
  SocketUri out;
  struct Scheme {
    lib::StringView prefix;
    SocketKind kind;
  };
  // tcp-listen: before tcp:, which is its prefix.
  constexpr Scheme kSchemes[] = {{"tcp-listen:", SocketKind::TcpListen},
                                 {"tcp:", SocketKind::Tcp},
                                 {"udp:", SocketKind::Udp},
                                 {"ping:", SocketKind::Ping}};
  const Scheme* scheme = nullptr;
  for (const Scheme& s : kSchemes) {
    if (!lib::StringView(uri, size).starts_with(s.prefix)) continue;
    scheme = &s;
    break;
  }
  if (!scheme) return lib::Error::NotFound;
  out.kind = scheme->kind;
  const char* rest = uri + scheme->prefix.size();
  size_t rest_size = size - scheme->prefix.size();

  // ping: an address, and nothing else (a name is the client's to resolve).
  if (out.kind == SocketKind::Ping) {
    if (!parse_ipv4(rest, rest_size, out.address) || out.address.any() || out.address.broadcast())
      return lib::Error::InvalidArgument;
    return out;
  }

  // Options after the address, for TCP only.
  constexpr lib::StringView kNodelay = ";nodelay";
  if (lib::StringView(rest, rest_size).ends_with(kNodelay)) {
    if (out.kind == SocketKind::Udp) return lib::Error::InvalidArgument;
    out.nodelay = true;
    rest_size -= kNodelay.size();
  }

  // A backlog after the port, for listening only.
  size_t end = rest_size;
  out.backlog = out.kind == SocketKind::TcpListen ? kDefaultBacklog : 0;
  for (size_t i = 0; i < rest_size; ++i) {
    if (rest[i] != '/') continue;
    uint32_t backlog = 0;
    if (out.kind != SocketKind::TcpListen ||
        !parse_number(rest + i + 1, rest_size - i - 1, kMaxBacklog, backlog) || backlog == 0)
      return lib::Error::InvalidArgument;
    out.backlog = static_cast<uint16_t>(backlog);
    end = i;
    break;
  }

  // The port after the last colon.
  size_t colon = end;
  while (colon > 0 && rest[colon - 1] != ':') --colon;
  if (colon == 0) return lib::Error::InvalidArgument;
  uint32_t port = 0;
  if (!parse_number(rest + colon, end - colon, 65535, port)) return lib::Error::InvalidArgument;
  if (port == 0 && out.kind != SocketKind::Udp) return lib::Error::InvalidArgument;
  out.port = static_cast<uint16_t>(port);

  const size_t host_size = colon - 1;
  if (parse_ipv4(rest, host_size, out.address)) return out;
  // This host's name needs no resolver (nor a network): it is 127.0.0.1 for every scheme.
  if (lib::StringView(rest, host_size) == "localhost") {
    out.address = kLoopbackAddress;
    return out;
  }
  // Names only to connect to; a name is 1..253 bytes of letters, digits, '-' and '.'.
  if (out.kind != SocketKind::Tcp || host_size == 0 || host_size > kDnsMaxName)
    return lib::Error::InvalidArgument;
  for (size_t i = 0; i < host_size; ++i) {
    if (!name_character(rest[i])) return lib::Error::InvalidArgument;
    out.name[i] = rest[i];
  }
  out.name[host_size] = '\0';
  out.named = true;
  return out;
}

}  // namespace tcpip
