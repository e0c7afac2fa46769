// ip: the interface, its address and the routes as iproute2's ip shows them (the stack's
// `netstat` service, queries "interfaces" and "routes"). Only showing: nothing is changed.
//   ip [-4] {addr|link|route} [show [dev eth0]]
#include "programs/lib/cmd.h"
#include "programs/lib/net_io.h"

namespace {

constexpr const char* kUsage =
    "usage: ip [-4] OBJECT [show [dev IFACE]]\n"
    "Show the network interface and routes. OBJECT is one of:\n"
    "  address (addr, a)  the interface and its IPv4 address\n"
    "  link (l)           the interface\n"
    "  route (r)          the routing table\n"
    "  -4                 IPv4 only (the stack has nothing else)\n";

char text[stellina::abi::kMaxMessageData];

// Whether word is a prefix of full of at least min letters (as ip abbreviates).
bool abbreviates(lib::StringView word, lib::StringView full, size_t min) {
  return word.size() >= min && word.size() <= full.size() && full.starts_with(word);
}

int64_t show_interface(cmd::Command& c, bool addresses, lib::StringView device) {
  auto got = cmd::net::netstat_query(c.env(), "interfaces", text);
  if (!got.ok()) return c.fail("netstat: {}", stellina::status_name(got.error()));
  const lib::StringView info(text, got.value());
  const auto v = [&](const char* name) { return cmd::net::find_value(info, name); };
  if (!device.empty() && !(device == v("interface"))) {
    c.error("Device \"{}\" does not exist.", device);
    return c.finish(1);
  }
  const bool up = v("link") == "up";
  cmd::Output& out = c.out();
  out.print("1: {}: <BROADCAST,MULTICAST{}> mtu {} state {} qlen 1000\n", v("interface"),
            up ? ",UP,LOWER_UP" : "", v("mtu"), up ? "UP" : "DOWN");
  out.print("    link/ether {} brd ff:ff:ff:ff:ff:ff\n", v("mac"));
  if (addresses && v("configured") != "none") {
    out.print("    inet {}/{} brd {} scope global {}{}\n", v("address"), v("prefix"),
              v("broadcast"), v("configured") == "dhcp" ? "dynamic " : "", v("interface"));
  }
  return c.finish(0);
}

int64_t show_routes(cmd::Command& c) {
  auto got = cmd::net::netstat_query(c.env(), "routes", text);
  if (!got.ok()) return c.fail("netstat: {}", stellina::status_name(got.error()));
  const lib::StringView routes(text, got.value());
  // The default route first, as ip lists it.
  for (int pass = 0; pass < 2; ++pass) {
    size_t at = 0;
    lib::StringView line;
    while (cmd::net::next_line(routes, &at, &line)) {
      lib::StringView f[3];
      if (cmd::net::split_fields(line, f, 3) != 3) continue;
      const bool default_route = f[0] == "0.0.0.0/0";
      if (default_route != (pass == 0)) continue;
      if (default_route) {
        c.out().print("default via {} dev {}\n", f[1], f[2]);
      } else {
        c.out().print("{} dev {} proto kernel scope link\n", f[0], f[2]);
      }
    }
  }
  return c.finish(0);
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "4");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  size_t at = o.index();
  if (at == p.argc()) return c.usage_error();
  const lib::StringView object = p.arg(at++);
  // "show" (or "list", "lst") may follow, then "dev IFACE" for addr and link.
  if (at < p.argc() && (abbreviates(p.arg(at), "show", 1) || abbreviates(p.arg(at), "list", 1) ||
                        p.arg(at) == "lst"))
    ++at;
  lib::StringView device;
  if (at + 1 < p.argc() && p.arg(at) == "dev") {
    device = p.arg(at + 1);
    at += 2;
  } else if (at < p.argc() && !(abbreviates(object, "route", 1))) {
    device = p.arg(at++);
  }
  if (at < p.argc()) {
    c.error("Command \"{}\" is unknown, try \"ip {} help\".", p.arg(at), object);
    return c.finish(255);
  }
  if (abbreviates(object, "address", 1)) return show_interface(c, true, device);
  if (abbreviates(object, "link", 1)) return show_interface(c, false, device);
  if (abbreviates(object, "route", 1)) return show_routes(c);
  c.error("Object \"{}\" is unknown, try \"ip help\".", object);
  return c.finish(255);
}
