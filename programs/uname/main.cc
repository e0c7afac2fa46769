// uname: what system this is, as POSIX and GNU uname: -s (the kernel's name, the default), -n
// (the node name: $HOSTNAME, or "stellina"), -r (the release), -v (the version), -m (the
// machine), -o (the operating system), -a (all of them, in that order).
#include "programs/lib/cmd.h"

namespace {

constexpr const char* kUsage =
    "usage: uname [-asnrvmo]\n"
    "  -a  all of the below, in this order\n"
    "  -s  the kernel's name (the default)\n"
    "  -n  the node name ($HOSTNAME, or stellina)\n"
    "  -r  the kernel's release\n"
    "  -v  the kernel's version\n"
    "  -m  the machine's hardware name\n"
    "  -o  the operating system\n";

constexpr lib::StringView kSystem = "Stellina";
constexpr lib::StringView kDefaultNode = "stellina";
// The release of this tree; the version names the build's configuration.
constexpr lib::StringView kRelease = "0.1";
#if defined(NDEBUG)
constexpr lib::StringView kVersion = "#1 release";
#else
constexpr lib::StringView kVersion = "#1 debug";
#endif
#if defined(__x86_64__)
constexpr lib::StringView kMachine = "x86_64";
#elif defined(__aarch64__)
constexpr lib::StringView kMachine = "aarch64";
#elif defined(__riscv)
constexpr lib::StringView kMachine = "riscv64";
#else
constexpr lib::StringView kMachine = "unknown";
#endif

enum Field : unsigned {
  kName = 1,
  kNode = 2,
  kReleaseField = 4,
  kVersionField = 8,
  kMachineField = 16,
  kOs = 32
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "asnrvmo");
  unsigned fields = 0;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'a') fields |= kName | kNode | kReleaseField | kVersionField | kMachineField | kOs;
    if (opt == 's') fields |= kName;
    if (opt == 'n') fields |= kNode;
    if (opt == 'r') fields |= kReleaseField;
    if (opt == 'v') fields |= kVersionField;
    if (opt == 'm') fields |= kMachineField;
    if (opt == 'o') fields |= kOs;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    c.usage_error();
    return 1;
  }
  if (fields == 0) fields = kName;
  const std::optional<lib::StringView> host = p.env("HOSTNAME");
  const lib::StringView node = host && !host->empty() ? *host : kDefaultNode;
  const lib::StringView values[] = {kSystem, node, kRelease, kVersion, kMachine, kSystem};
  bool first = true;
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); ++i) {
    if (!(fields & (1u << i))) continue;
    if (!first) c.out().put(' ');
    c.out().write(values[i]);
    first = false;
  }
  c.out().put('\n');
  return c.finish(0);
}
