#pragma once
// The network commands' side of the stack (abi/stellina/socket.h), through the namespace
// channel their starter gave: the `netstat` service's answers, DNS over `udp:`, and a TCP
// stream's bytes with its end and its errors. Header-only, since it needs Stellina (the
// .cc files of programs/lib build on the host).

#include <stellina/program_main.h>
#include <stellina/socket.h>

#include "programs/lib/net_dns.h"
#include "programs/lib/net_util.h"

namespace cmd::net {

using stellina::Channel;
using stellina::ProgramEnv;
using stellina::Result;
namespace abi = stellina::abi;

constexpr uint64_t kNetstatTimeoutNs = 5'000'000'000;
constexpr uint64_t kDnsTryNs = 2'000'000'000;
constexpr int kDnsTries = 3;

inline uint64_t now_ns() { return stellina::sys::clock_now(); }

// Entropy for DNS ids and ports: /dev/urandom where the program's tree has it, mixed with
// both clocks and where the stack is.
inline Random make_random(const ProgramEnv& p) {
  int here = 0;
  uint64_t seed = stellina::sys::clock_now() * 0x9e3779b97f4a7c15ull ^ stellina::sys::clock_wall() ^
                  reinterpret_cast<uintptr_t>(&here);
  Result<stellina::File> urandom = p.files().open("/dev/urandom");
  uint64_t bytes = 0;
  if (urandom.ok() && urandom.value().read(0, &bytes, sizeof(bytes)).ok()) seed ^= bytes;
  return Random(seed);
}

// Receives the next message on ch by deadline_ns: its kind, data (into buffer) and call id.
// Handles it carried are closed. Errors: kErrTimedOut, kErrPeerClosed.
inline Result<abi::MessageKind> receive(const Channel& ch, void* buffer, size_t capacity,
                                        uint64_t deadline_ns, uint32_t* size,
                                        uint64_t* call_id = nullptr) {
  abi::Handle handles[abi::kMaxMessageHandles];
  for (;;) {
    abi::MessageBuffer m{};
    m.data = buffer;
    m.data_capacity = static_cast<uint32_t>(capacity);
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    const int64_t r = stellina::sys::channel_recv(ch.get(), &m);
    if (r == abi::kErrWouldBlock) {
      TRY(stellina::check_ok(stellina::sys::object_wait(
          ch.get(), abi::kSignalReadable | abi::kSignalPeerClosed, deadline_ns)));
      continue;
    }
    TRY(stellina::check_ok(r));
    for (uint32_t i = 0; i < m.handle_count; ++i) stellina::sys::handle_close(handles[i]);
    *size = m.data_size;
    if (call_id) *call_id = m.call_id;
    return m.kind;
  }
}

// The stack's `netstat` service: by name where the namespace has it, else by the stack's
// scheme for it (`netstat:`).
inline Result<Channel> open_netstat(const ProgramEnv& p) {
  Result<Channel> named = p.open("netstat");
  if (named.ok()) return named.release_value();
  return p.open("netstat:");
}

// One of the `netstat` service's answers ("interfaces", "routes", "sockets", or "netstat"
// for the counters) into out (kMaxMessageData bytes); returns its length.
inline Result<size_t> netstat_query(const ProgramEnv& p, lib::StringView what, char* out) {
  const Channel ch = TRY(open_netstat(p));
  constexpr uint64_t kCall = 1;
  TRY(ch.send(stellina::Bytes{what.data(), what.size()}, kCall));
  const uint64_t deadline = now_ns() + kNetstatTimeoutNs;
  for (;;) {
    uint32_t size = 0;
    uint64_t call = 0;
    const abi::MessageKind kind =
        TRY(receive(ch, out, abi::kMaxMessageData, deadline, &size, &call));
    if (kind == abi::MessageKind::Data && call == kCall) return size_t{size};
  }
}

// The DNS server the stack was given (by DHCP or its spec), into server. Errors: those of
// netstat_query, kErrNotFound (it has none).
inline Result<void> dns_server(const ProgramEnv& p, uint8_t (&server)[4]) {
  static char text[abi::kMaxMessageData];
  const size_t n = TRY(netstat_query(p, "interfaces", text));
  if (!parse_ipv4(find_value(lib::StringView(text, n), "dns"), server) ||
      (server[0] | server[1] | server[2] | server[3]) == 0)
    return abi::kErrNotFound;
  return {};
}

// Asks server for name's A records over udp: from a random port with a random id, 3 tries
// 2 s apart; datagrams from elsewhere, or that do not answer this query, are ignored.
// *status says what the server answered. Errors: kErrTimedOut (no answer), and those of
// opening the socket.
inline Result<void> dns_lookup(const ProgramEnv& p, lib::StringView name,
                               const uint8_t (&server)[4], DnsAnswer* answer, DnsStatus* status) {
  Random random = make_random(p);
  Channel udp;
  for (int attempt = 0; attempt < 8 && !udp.valid(); ++attempt) {
    const uint16_t port = static_cast<uint16_t>(49152 + random.next() % 16384);
    char uri[32];
    lib::format_to(uri, sizeof(uri), "udp:0.0.0.0:{}", port);
    Result<Channel> opened = p.open(uri);
    if (opened.ok()) {
      udp = opened.release_value();
    } else if (opened.error() != abi::kErrAddressInUse || attempt == 7) {
      return opened.error();
    }
  }
  static uint8_t message[sizeof(abi::UdpDatagram) + kDnsMaxMessage];
  static uint8_t reply[abi::kMaxMessageData];
  for (int t = 0; t < kDnsTries; ++t) {
    const uint16_t id = static_cast<uint16_t>(random.next());
    abi::UdpDatagram header{};
    for (int i = 0; i < 4; ++i) header.remote.address[i] = server[i];
    header.remote.port = kDnsPort;
    __builtin_memcpy(message, &header, sizeof(header));
    const size_t n = dns_build_query(name, id, kDnsTypeA, message + sizeof(header), kDnsMaxMessage);
    if (n == 0) return abi::kErrInvalidArgument;
    TRY(udp.send(stellina::Bytes{message, sizeof(header) + n}));
    const uint64_t deadline = now_ns() + kDnsTryNs;
    for (;;) {
      uint32_t size = 0;
      Result<abi::MessageKind> got = receive(udp, reply, sizeof(reply), deadline, &size);
      if (!got.ok() && got.error() == abi::kErrTimedOut) break;
      if (!got.ok()) return got.error();
      if (got.value() != abi::MessageKind::Data || size < sizeof(abi::UdpDatagram)) continue;
      abi::UdpDatagram from{};
      __builtin_memcpy(&from, reply, sizeof(from));
      bool same = from.remote.port == kDnsPort;
      for (int i = 0; i < 4; ++i) same = same && from.remote.address[i] == server[i];
      if (!same) continue;
      const DnsStatus s =
          dns_parse_answer(reply + sizeof(from), size - sizeof(from), id, name, kDnsTypeA, answer);
      if (s == DnsStatus::Malformed) continue;  // not ours, or garbage: keep waiting
      *status = s;
      return {};
    }
  }
  return abi::kErrTimedOut;
}

// How a host name failed to resolve, for the message.
enum class ResolveError : uint8_t { None, NoServer, TimedOut, NotFound, ServerError, Other };

// HOST as a dotted quad, `localhost` (127.0.0.1, the stack's loopback), or its first address
// from the stack's DNS server.
inline ResolveError resolve_host(const ProgramEnv& p, lib::StringView host, uint8_t (&address)[4]) {
  if (parse_ipv4(host, address)) return ResolveError::None;
  if (host == "localhost") {
    const uint8_t loopback[4] = {127, 0, 0, 1};
    __builtin_memcpy(address, loopback, sizeof(address));
    return ResolveError::None;
  }
  uint8_t server[4];
  if (!dns_server(p, server).ok()) return ResolveError::NoServer;
  static DnsAnswer answer;
  DnsStatus status = DnsStatus::Ok;
  const Result<void> r = dns_lookup(p, host, server, &answer, &status);
  if (!r.ok()) return r.error() == abi::kErrTimedOut ? ResolveError::TimedOut : ResolveError::Other;
  if (status == DnsStatus::NameError) return ResolveError::NotFound;
  if (status != DnsStatus::Ok) return ResolveError::ServerError;
  return dns_find_address(answer, host, address, nullptr) ? ResolveError::None
                                                          : ResolveError::NotFound;
}

// A TCP connection's bytes as they come (abi/stellina/socket.h: an empty Data message is the
// end of the stream, Error{status} a failure).
class SocketReader {
 public:
  explicit SocketReader(const Channel& ch) : ch_(ch) {}
  // Up to capacity bytes by deadline_ns; 0 at the end of the stream. Errors: the
  // connection's (kErrConnectionReset, kErrTimedOut), kErrTimedOut at the deadline.
  Result<size_t> read(void* out, size_t capacity, uint64_t deadline_ns) {
    if (at_ == size_) {
      if (ended_) return size_t{0};
      for (;;) {
        uint32_t size = 0;
        Result<abi::MessageKind> got = receive(ch_, buffer_, sizeof(buffer_), deadline_ns, &size);
        if (!got.ok() && got.error() == abi::kErrPeerClosed) {
          ended_ = true;  // closed after everything it sent: the end
          return size_t{0};
        }
        if (!got.ok()) return got.error();
        if (got.value() == abi::MessageKind::Error) {
          int64_t status = abi::kErrConnectionReset;
          if (size >= sizeof(status)) __builtin_memcpy(&status, buffer_, sizeof(status));
          return static_cast<stellina::Status>(status);
        }
        if (got.value() != abi::MessageKind::Data) continue;
        if (size == 0) {
          ended_ = true;
          return size_t{0};
        }
        at_ = 0;
        size_ = size;
        break;
      }
    }
    const size_t n = capacity < size_ - at_ ? capacity : size_ - at_;
    __builtin_memcpy(out, buffer_ + at_, n);
    at_ += static_cast<uint32_t>(n);
    return n;
  }

 private:
  const Channel& ch_;
  uint8_t buffer_[abi::kMaxMessageData];
  uint32_t at_ = 0, size_ = 0;
  bool ended_ = false;
};

}  // namespace cmd::net
