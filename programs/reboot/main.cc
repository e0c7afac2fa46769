// reboot: asks the startup server to stop every component and reset the machine (the
// control command `reboot`); its answer comes just before the machine goes down.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, "usage: reboot\n  stops every component in order, then resets the machine\n");
  cmd::Options o(c, "");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    return c.usage_error();
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  cmd::sys::TextService control;
  if (!control.open(c, "control")) return c.finish(1);
  lib::StringView answer;
  if (!control.ask(c, "reboot", &answer, true, cmd::sys::kPowerTimeoutNs)) return c.finish(1);
  c.out().print("{}", answer);
  return c.finish(0);
}
