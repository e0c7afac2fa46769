// ifconfig: the network interface as net-tools' ifconfig shows it (the stack's `netstat`
// service, query "interfaces"). Stellina's stack has one interface, eth0, and no loopback.
//   ifconfig [-a] [-s] [INTERFACE]
#include "programs/lib/cmd.h"
#include "programs/lib/net_io.h"

namespace {

constexpr const char* kUsage =
    "usage: ifconfig [-a] [-s] [INTERFACE]\n"
    "Show the network interface: address, netmask, broadcast, MAC, MTU and counters.\n"
    "  -a  every interface, up or down\n"
    "  -s  a short table, as netstat -i\n";

char text[stellina::abi::kMaxMessageData];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "as");
  bool all = false, short_list = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'a') all = true;
    if (opt == 's') short_list = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (p.argc() > o.index() + 1) {
    c.error("too many arguments");
    return c.usage_error();
  }
  auto got = cmd::net::netstat_query(p, "interfaces", text);
  if (!got.ok()) return c.fail("netstat: {}", stellina::status_name(got.error()));
  const lib::StringView info(text, got.value());
  const auto v = [&](const char* name) { return cmd::net::find_value(info, name); };
  const lib::StringView name = v("interface");
  if (o.index() < p.argc() && p.arg(o.index()) != name) {
    c.error("{}: error fetching interface information: Device not found", p.arg(o.index()));
    return c.finish(1);
  }
  const bool up = v("link") == "up";
  if (!up && !all && o.index() == p.argc()) return c.finish(0);
  cmd::Output& out = c.out();
  if (short_list) {
    out.print("Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n");
    out.print("{:<8} {:>5} {:>8} {:>6} {:>6} {:>6} {:>8} {:>6} {:>6} {:>6} {}\n", name, v("mtu"),
              v("rx.packets"), v("rx.errors"), v("rx.dropped"), 0, v("tx.packets"), 0,
              v("tx.dropped"), 0, up ? "BRU" : "B");
    return c.finish(0);
  }
  out.print("{}: flags={}  mtu {}\n", name,
            up ? "4163<UP,BROADCAST,RUNNING,MULTICAST>" : "4098<BROADCAST,MULTICAST>", v("mtu"));
  if (v("configured") != "none") {
    out.print("        inet {}  netmask {}  broadcast {}\n", v("address"), v("netmask"),
              v("broadcast"));
  }
  out.print("        ether {}  txqueuelen 1000  (Ethernet)\n", v("mac"));
  out.print("        RX packets {}  bytes {}\n", v("rx.packets"), v("rx.bytes"));
  out.print("        RX errors {}  dropped {}  overruns 0  frame 0\n", v("rx.errors"),
            v("rx.dropped"));
  out.print("        TX packets {}  bytes {}\n", v("tx.packets"), v("tx.bytes"));
  out.print("        TX errors 0  dropped {} overruns 0  carrier 0  collisions 0\n\n",
            v("tx.dropped"));
  return c.finish(0);
}
