// true: does nothing, successfully. Its arguments are ignored, but for a sole --help.
#include "programs/lib/cmd.h"

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, "usage: true [ignored...]\n  exits 0, doing nothing\n");
  if (p.argc() == 2 && p.arg(1) == "--help") return c.help();
  return 0;
}
