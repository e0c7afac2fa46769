// clear: moves the cursor home and clears the screen (ESC [H ESC [2J), for the VT100-style
// terminals term and the browser's console emulate. -x is accepted: the scrollback is never
// cleared anyway.
#include "programs/lib/cmd.h"

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(
      p, "usage: clear [-x]\n  clears the terminal's screen\n  -x  keep the scrollback (always)\n");
  cmd::Options o(c, "x");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  c.out().write("\x1b[H\x1b[2J");
  return c.finish(0);
}
