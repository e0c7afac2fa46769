// lspci: the PCI functions the device manager found (its table, /proc/devices). On a machine
// without PCI (microvm: virtio-mmio only) it prints nothing.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: lspci [-n] [-v]\n"
    "  -n  numbers only: vendor and device ids, no names\n"
    "  -v  verbose: also the BARs and whether a driver took the function\n";

constexpr size_t kTableBytes = 8192;  // procfs's largest view
char text[kTableBytes];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "nv");
  bool numeric = false, verbose = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    numeric = numeric || opt == 'n';
    verbose = verbose || opt == 'v';
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  size_t size = 0;
  if (!cmd::sys::read_whole(c, "/proc/devices", text, sizeof(text), &size)) return c.finish(1);
  cmd::sys::Lines lines(lib::StringView(text, size));
  for (lib::StringView line; lines.next(&line);) {
    cmd::sys::DeviceLine d;
    if (!cmd::sys::parse_device_line(line, &d) || !d.pci) continue;
    if (numeric) {
      c.out().print("{} {:04x}:{:04x}\n", d.address, d.vendor, d.device);
    } else {
      c.out().print("{} {} [{:04x}:{:04x}]\n", d.address, d.name, d.vendor, d.device);
    }
    if (verbose) {
      if (!d.resources.empty()) c.out().print("\tBARs: {}\n", d.resources);
      c.out().print("\tdriver: {}\n\n", d.bound ? "bound" : "none");
    }
  }
  return c.finish(0);
}
