// ping: ICMP echo requests to a host through the stack's `ping:` scheme, which sends them,
// paces them and measures each round trip (abi/stellina/socket.h).
//   ping [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s SIZE] [-q] HOST
#include "programs/lib/cmd.h"
#include "programs/lib/net_io.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: ping [-q] [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s SIZE] HOST\n"
    "Send ICMP echo requests to HOST and report the replies and their round trips.\n"
    "  -c COUNT     stop after COUNT requests (default: until interrupted)\n"
    "  -i INTERVAL  seconds between requests (default 1; at least 0.2)\n"
    "  -W TIMEOUT   seconds to wait for a reply after the last request (default 10)\n"
    "  -s SIZE      bytes of data in each request (default 56, at most 1400)\n"
    "  -q           only the summary\n";

constexpr uint64_t kMinIntervalMs = 200;         // as iputils allows a user
constexpr uint64_t kMaxSecondsMs = 3600 * 1000;  // -i and -W
constexpr uint64_t kDefaultSize = 56;

struct Run {
  cmd::Command& c;
  const stellina::Channel& ch;
  cmd::net::PingStats stats;
  char address[16];
  bool quiet = false;
  uint64_t size = kDefaultSize;
  uint64_t answered = 0;  // replies and refusals
};

void print_ms(cmd::Output& out, uint64_t ns) {
  char text[32];
  const size_t n = cmd::net::format_ms(ns, text, sizeof(text));
  out.write(lib::StringView(text, n));
}

// Handles the replies that come by deadline_ns; true once `wanted` requests are answered.
bool replies(Run& r, uint64_t deadline_ns, uint64_t wanted) {
  while (r.answered < wanted) {
    abi::PingReply reply{};
    uint32_t size = 0;
    auto got = cmd::net::receive(r.ch, &reply, sizeof(reply), deadline_ns, &size);
    if (!got.ok()) return false;  // the deadline, or the stack went away
    if (got.value() != abi::MessageKind::Data || size != sizeof(reply)) continue;
    ++r.answered;
    cmd::Output& out = r.c.out();
    if (reply.status != abi::kOk) {
      r.c.error("icmp_seq={}: {}", reply.sequence,
                reply.status == abi::kErrWouldBlock
                    ? "rate limited by the network stack"
                    : stellina::status_name(static_cast<stellina::Status>(reply.status)));
      continue;
    }
    r.stats.received(reply.rtt_ns);
    if (r.quiet) continue;
    out.print("{} bytes from {}: icmp_seq={} time=", reply.size + 8,
              static_cast<const char*>(r.address), reply.sequence);
    print_ms(out, reply.rtt_ns);
    out.print(" ms\n");
    out.flush();
  }
  return true;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "c:i:W:s:q");
  uint64_t count = 0;  // 0: no end
  uint64_t interval_ms = 1000, wait_ms = 10000, size = kDefaultSize;
  bool quiet = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'c' && (!cmd::parse_u64(o.value(), &count) || count == 0)) {
      c.error("invalid argument: '{}': out of range: 1 <= value <= 18446744073709551615",
              o.value());
      return c.finish(1);
    }
    if (opt == 'i' && !cmd::net::parse_seconds(o.value(), kMaxSecondsMs, &interval_ms)) {
      c.error("bad timing interval: {}", o.value());
      return c.finish(1);
    }
    if (opt == 'W' && !cmd::net::parse_seconds(o.value(), kMaxSecondsMs, &wait_ms)) {
      c.error("bad linger time: {}", o.value());
      return c.finish(1);
    }
    if (opt == 's' && (!cmd::parse_u64(o.value(), &size) || size > abi::kPingMaxPayload)) {
      c.error("invalid argument: '{}': out of range: 0 <= value <= {}", o.value(),
              abi::kPingMaxPayload);
      return c.finish(1);
    }
    if (opt == 'q') quiet = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (interval_ms < kMinIntervalMs) {
    c.error("cannot flood; minimal interval allowed for user is {}ms", kMinIntervalMs);
    return c.finish(2);
  }
  if (o.index() + 1 != p.argc()) {
    c.error(o.index() == p.argc() ? "usage error: Destination address required"
                                  : "too many arguments");
    return c.usage_error();
  }
  const lib::StringView host = p.arg(o.index());
  uint8_t address[4];
  if (cmd::net::resolve_host(p, host, address) != cmd::net::ResolveError::None) {
    c.error("{}: Name or service not known", host);
    return c.finish(2);
  }
  char uri[32];
  char dotted[16];
  cmd::net::format_ipv4(address, dotted, sizeof(dotted));
  lib::format_to(uri, sizeof(uri), "ping:{}", static_cast<const char*>(dotted));
  auto opened = p.open(uri);
  if (!opened.ok()) {
    c.error("{}: {}", host, stellina::status_name(opened.error()));
    return c.finish(2);
  }
  const stellina::Channel ch = opened.release_value();
  Run r{c, ch, {}, {}, quiet, size, 0};
  __builtin_memcpy(r.address, dotted, sizeof(dotted));
  c.out().print("PING {} ({}) {}({}) bytes of data.\n", host, static_cast<const char*>(dotted),
                size, size + 28);
  c.out().flush();

  const uint64_t start = cmd::net::now_ns();
  uint64_t last_sent = start;
  for (uint64_t sent = 0; count == 0 || sent < count;) {
    abi::PingRequest request{};
    request.sequence = static_cast<uint16_t>(sent + 1);
    request.size = static_cast<uint16_t>(size);
    last_sent = cmd::net::now_ns();
    if (!ch.send(stellina::Bytes{&request, sizeof(request)}).ok()) {
      c.error("{}: the network stack went away", host);
      break;
    }
    r.stats.sent();
    ++sent;
    if (count != 0 && sent == count) break;
    // The replies that come until the next request is due.
    (void)replies(r, last_sent + interval_ms * 1'000'000, UINT64_MAX);
  }
  (void)replies(r, cmd::net::now_ns() + wait_ms * 1'000'000, r.stats.transmitted());

  const cmd::net::PingStats& s = r.stats;
  cmd::Output& out = c.out();
  out.print("\n--- {} ping statistics ---\n", host);
  out.print("{} packets transmitted, {} received, {}% packet loss, time {}ms\n", s.transmitted(),
            s.replies(), s.loss_percent(), (last_sent - start) / 1'000'000);
  if (s.replies()) {
    out.print("rtt min/avg/max/mdev = ");
    print_ms(out, s.min_ns());
    out.put('/');
    print_ms(out, s.avg_ns());
    out.put('/');
    print_ms(out, s.max_ns());
    out.put('/');
    print_ms(out, s.mdev_ns());
    out.print(" ms\n");
  }
  return c.finish(s.replies() ? 0 : 1);
}
