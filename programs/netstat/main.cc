// netstat: the stack's sockets, or its counters (-s), or its routing table (-r), from the
// stack's `netstat` service.
//   netstat [-t] [-u] [-l] [-a] [-n] [-s] [-r] [-i]
#include "programs/lib/cmd.h"
#include "programs/lib/net_io.h"

namespace {

constexpr const char* kUsage =
    "usage: netstat [-tulans] [-r] [-i]\n"
    "Show the network stack's sockets (by default those connected), or its counters.\n"
    "  -t  TCP sockets\n"
    "  -u  UDP sockets\n"
    "  -l  only listening sockets\n"
    "  -a  listening and connected sockets\n"
    "  -n  numeric addresses (always: the stack has no names for them)\n"
    "  -s  the counters, by protocol\n"
    "  -r  the routing table (as route -n)\n"
    "  -i  the interface table (as ifconfig -s)\n";

char text[stellina::abi::kMaxMessageData];

// "10.0.2.15:80" as GNU netstat writes it: a wildcard port as "*".
void address(cmd::Output& out, lib::StringView a, bool wildcard_port) {
  char buffer[32];
  size_t n = 0;
  const size_t colon = a.find(':');
  const lib::StringView host = a.substr(0, colon);
  const lib::StringView port = colon == lib::StringView::kNpos ? "" : a.substr(colon + 1);
  n = lib::format_to(buffer, sizeof(buffer), "{}:{}", host,
                     wildcard_port && port == "0" ? lib::StringView("*") : port);
  if (n > sizeof(buffer) - 1) n = sizeof(buffer) - 1;
  out.print("{:<23} ", lib::StringView(buffer, n));
}

int64_t sockets(cmd::Command& c, bool tcp, bool udp, bool listening, bool connected) {
  auto got = cmd::net::netstat_query(c.env(), "sockets", text);
  if (!got.ok()) return c.fail("netstat: {}", stellina::status_name(got.error()));
  cmd::Output& out = c.out();
  out.print("Active Internet connections ({})\n", listening && connected ? "servers and established"
                                                  : listening            ? "only servers"
                                                                         : "w/o servers");
  out.print("Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n");
  const lib::StringView all(text, got.value());
  size_t at = 0;
  lib::StringView line;
  while (cmd::net::next_line(all, &at, &line)) {
    lib::StringView f[6];
    if (cmd::net::split_fields(line, f, 6) != 6) continue;
    const bool is_tcp = f[0] == "tcp";
    if (is_tcp ? !tcp : !udp) continue;
    // A UDP socket is a server's unless it has a peer; GNU netstat lists unconnected ones
    // only with -l or -a (as "listening" in the sense of bound).
    const bool listen = is_tcp ? f[3] == "LISTEN" : f[2].ends_with(":0");
    if (listen ? !listening : !connected) continue;
    out.print("{:<5} {:>6} {:>6} ", f[0], f[4], f[5]);
    address(out, f[1], false);
    address(out, f[2], true);
    out.print("{}\n", is_tcp ? f[3] : lib::StringView(""));
  }
  return c.finish(0);
}

// The counters, grouped by their names' first part ("tcp.retransmits 3" under "Tcp:").
int64_t statistics(cmd::Command& c, bool tcp, bool udp) {
  auto got = cmd::net::netstat_query(c.env(), "netstat", text);
  if (!got.ok()) return c.fail("netstat: {}", stellina::status_name(got.error()));
  cmd::Output& out = c.out();
  const lib::StringView all(text, got.value());
  lib::StringView group;
  size_t at = 0;
  lib::StringView line;
  while (cmd::net::next_line(all, &at, &line)) {
    lib::StringView f[2];
    if (cmd::net::split_fields(line, f, 2) != 2) continue;
    const size_t dot = f[0].find('.');
    const lib::StringView prefix = f[0].substr(0, dot);
    const lib::StringView rest = dot == lib::StringView::kNpos ? f[0] : f[0].substr(dot + 1);
    if ((tcp || udp) && !(tcp && prefix == "tcp") && !(udp && prefix == "udp")) continue;
    if (!(prefix == group)) {
      group = prefix;
      const char first = prefix.empty() ? ' ' : prefix[0];
      const char upper =
          first >= 'a' && first <= 'z' ? static_cast<char>(first - 'a' + 'A') : first;
      out.print("{:c}{}:\n", upper, prefix.substr(1));
    }
    out.print("    {} {}\n", f[1], rest);
  }
  return c.finish(0);
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "tulansri");
  bool tcp = false, udp = false, listening = false, all = false, stats = false, routes = false,
       interfaces = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 't') tcp = true;
    if (opt == 'u') udp = true;
    if (opt == 'l') listening = true;
    if (opt == 'a') all = true;
    if (opt == 's') stats = true;
    if (opt == 'r') routes = true;
    if (opt == 'i') interfaces = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() < p.argc()) {
    c.error("unexpected argument {}", p.arg(o.index()));
    return c.usage_error();
  }
  if (stats) return statistics(c, tcp, udp);
  if (routes || interfaces) {
    // As GNU netstat -r and -i: the routing table or the interfaces.
    auto got = cmd::net::netstat_query(p, routes ? "routes" : "interfaces", text);
    if (!got.ok()) return c.fail("netstat: {}", stellina::status_name(got.error()));
    const lib::StringView t(text, got.value());
    cmd::Output& out = c.out();
    if (interfaces) {
      const auto v = [&](const char* name) { return cmd::net::find_value(t, name); };
      out.print("Kernel Interface table\n");
      out.print("Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n");
      out.print("{:<8} {:>5} {:>8} {:>6} {:>6} {:>6} {:>8} {:>6} {:>6} {:>6} {}\n", v("interface"),
                v("mtu"), v("rx.packets"), v("rx.errors"), v("rx.dropped"), 0, v("tx.packets"), 0,
                v("tx.dropped"), 0, v("link") == "up" ? "BRU" : "B");
      return c.finish(0);
    }
    out.print("Kernel IP routing table\n");
    out.print("Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n");
    size_t at = 0;
    lib::StringView line;
    while (cmd::net::next_line(t, &at, &line)) {
      lib::StringView f[3];
      if (cmd::net::split_fields(line, f, 3) != 3) continue;
      const size_t slash = f[0].find('/');
      uint64_t prefix = 0;
      if (slash == lib::StringView::kNpos || !cmd::parse_u64(f[0].substr(slash + 1), &prefix) ||
          prefix > 32)
        continue;
      const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
      char genmask[16];
      const size_t n = lib::format_to(genmask, sizeof(genmask), "{}.{}.{}.{}", mask >> 24,
                                      mask >> 16 & 0xff, mask >> 8 & 0xff, mask & 0xff);
      out.print("{:<15} {:<15} {:<15} {:<5} {:>5} {:>6} {:>5} {}\n", f[0].substr(0, slash), f[1],
                lib::StringView(genmask, n), f[1] == "0.0.0.0" ? "U" : "UG", 0, 0, 0, f[2]);
    }
    return c.finish(0);
  }
  if (!tcp && !udp) tcp = udp = true;
  return sockets(c, tcp, udp, listening || all, !listening || all);
}
