// shutdown: asks the startup server to stop every component and turn the machine off (or
// reset it: -r), through the control channel. It happens now: a later TIME is not
// supported, nor is a message to users.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: shutdown [-r|-h|-P] [now]\n"
    "  -r      reboot: reset the machine once every component has stopped\n"
    "  -h, -P  power off (the default)\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "rhP");
  bool reboot = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    reboot = opt == 'r';
  }
  for (size_t i = o.index(); i < p.argc(); ++i) {
    if (i == o.index() && (p.arg(i) == "now" || p.arg(i) == "+0")) continue;
    return c.fail("'{}': only 'now' is supported", p.arg(i));
  }
  cmd::sys::TextService control;
  if (!control.open(c, "control")) return c.finish(1);
  lib::StringView answer;
  if (!control.ask(c, reboot ? "reboot" : "shutdown", &answer, true, cmd::sys::kPowerTimeoutNs))
    return c.finish(1);
  c.out().print("{}", answer);
  return c.finish(0);
}
