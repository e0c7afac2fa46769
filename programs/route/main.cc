// route: the kernel routing table as net-tools' route shows it (the stack's `netstat`
// service, query "routes"): the on-link prefix and the default route.
//   route [-n] [-e]
#include "programs/lib/cmd.h"
#include "programs/lib/net_io.h"

namespace {

constexpr const char* kUsage =
    "usage: route [-n] [-e]\n"
    "Show the IP routing table.\n"
    "  -n  numeric addresses (0.0.0.0, not default or *)\n"
    "  -e  the netstat -r layout\n";

char text[stellina::abi::kMaxMessageData];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "ne");
  bool numeric = false, extended = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'n') numeric = true;
    if (opt == 'e') extended = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() < p.argc()) {
    c.error("changing routes is not supported: {}", p.arg(o.index()));
    return c.usage_error();
  }
  auto got = cmd::net::netstat_query(p, "routes", text);
  if (!got.ok()) return c.fail("netstat: {}", stellina::status_name(got.error()));
  cmd::Output& out = c.out();
  out.print("Kernel IP routing table\n");
  if (extended) {
    out.print("Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n");
  } else {
    out.print("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n");
  }
  const lib::StringView routes(text, got.value());
  size_t at = 0;
  lib::StringView line;
  while (cmd::net::next_line(routes, &at, &line)) {
    lib::StringView f[3];
    if (cmd::net::split_fields(line, f, 3) != 3) continue;
    const size_t slash = f[0].find('/');
    uint64_t prefix = 0;
    uint8_t destination[4];
    if (slash == lib::StringView::kNpos || !cmd::parse_u64(f[0].substr(slash + 1), &prefix) ||
        prefix > 32 || !cmd::net::parse_ipv4(f[0].substr(0, slash), destination))
      continue;
    const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
    char genmask[16];
    const uint8_t m[4] = {static_cast<uint8_t>(mask >> 24), static_cast<uint8_t>(mask >> 16),
                          static_cast<uint8_t>(mask >> 8), static_cast<uint8_t>(mask)};
    cmd::net::format_ipv4(m, genmask, sizeof(genmask));
    const bool via = f[1] != "0.0.0.0";
    lib::StringView dest = f[0].substr(0, slash);
    lib::StringView gateway = f[1];
    if (!numeric && prefix == 0) dest = "default";
    if (!numeric && !via) gateway = "*";
    if (extended) {
      out.print("{:<15} {:<15} {:<15} {:<5} {:>5} {:>6} {:>5} {}\n", dest, gateway,
                static_cast<const char*>(genmask), via ? "UG" : "U", 0, 0, 0, f[2]);
    } else {
      out.print("{:<15} {:<15} {:<15} {:<5} {:<6} {:<6} {:>3} {}\n", dest, gateway,
                static_cast<const char*>(genmask), via ? "UG" : "U", 0, 0, 0, f[2]);
    }
  }
  return c.finish(0);
}
