// false: does nothing, unsuccessfully (exit 1). Its arguments are ignored, but for a sole
// --help (which exits 0, as every command's does; GNU's false exits 1 even then).
#include "programs/lib/cmd.h"

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, "usage: false [ignored...]\n  exits 1, doing nothing\n");
  if (p.argc() == 2 && p.arg(1) == "--help") return c.help();
  return 1;
}
