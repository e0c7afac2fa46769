// nslookup: a name's addresses (A records) from a DNS server, over udp: from a random port
// with a random id (programs/lib/net_io.h); by default the server the stack got by DHCP.
//   nslookup NAME [SERVER]
#include "programs/lib/cmd.h"
#include "programs/lib/net_io.h"

namespace {

constexpr const char* kUsage =
    "usage: nslookup NAME [SERVER]\n"
    "Look up NAME's IPv4 addresses (A records) on SERVER (an address; by default the DNS\n"
    "server of the network configuration).\n";

cmd::net::DnsAnswer answer;

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  const size_t operands = p.argc() - o.index();
  if (operands < 1 || operands > 2) return c.usage_error();
  const lib::StringView name = p.arg(o.index());
  uint8_t server[4];
  if (operands == 2) {
    if (!cmd::net::parse_ipv4(p.arg(o.index() + 1), server)) {
      c.error("{}: not an IPv4 address", p.arg(o.index() + 1));
      return c.finish(1);
    }
  } else {
    auto found = cmd::net::dns_server(p, server);
    if (!found.ok()) {
      c.error("no DNS server: {}", found.error() == stellina::abi::kErrNotFound
                                       ? "the network has none configured"
                                       : stellina::status_name(found.error()));
      return c.finish(1);
    }
  }
  uint8_t unused[4];
  if (cmd::net::parse_ipv4(name, unused)) {
    c.error("{}: reverse lookups (PTR) are not supported", name);
    return c.finish(1);
  }
  uint8_t probe[cmd::net::kDnsMaxMessage];
  if (cmd::net::dns_build_query(name, 0, cmd::net::kDnsTypeA, probe, sizeof(probe)) == 0) {
    c.error("'{}' is not a legal name", name);
    return c.finish(1);
  }
  char dotted[16];
  cmd::net::format_ipv4(server, dotted, sizeof(dotted));
  cmd::Output& out = c.out();
  out.print("Server:\t\t{}\nAddress:\t{}#53\n\n", static_cast<const char*>(dotted),
            static_cast<const char*>(dotted));
  cmd::net::DnsStatus status = cmd::net::DnsStatus::Ok;
  auto looked = cmd::net::dns_lookup(p, name, server, &answer, &status);
  if (!looked.ok()) {
    if (looked.error() == stellina::abi::kErrTimedOut) {
      out.print(";; connection timed out; no servers could be reached\n\n");
      return c.finish(1);
    }
    return c.fail("{}: {}", name, stellina::status_name(looked.error()));
  }
  if (status != cmd::net::DnsStatus::Ok) {
    out.print("** server can't find {}: {}\n\n", name, cmd::net::dns_status_name(status));
    return c.finish(1);
  }
  if (!answer.authoritative) out.print("Non-authoritative answer:\n");
  size_t addresses = 0;
  for (size_t i = 0; i < answer.count; ++i) {
    const cmd::net::DnsRecord& r = answer.records[i];
    if (r.type == cmd::net::kDnsTypeCname) {
      out.print("{}\tcanonical name = {}.\n", static_cast<const char*>(r.name),
                static_cast<const char*>(r.target));
      continue;
    }
    char a[16];
    cmd::net::format_ipv4(r.address, a, sizeof(a));
    out.print("Name:\t{}\nAddress: {}\n", static_cast<const char*>(r.name),
              static_cast<const char*>(a));
    ++addresses;
  }
  if (addresses == 0) out.print("*** Can't find {}: No answer\n", name);
  out.print("\n");
  return c.finish(addresses ? 0 : 1);
}
