// dirname: each NAME without its last component, as POSIX and GNU dirname ("." if it has no
// slash): -z ends each line with NUL.
#include "programs/lib/cmd.h"
#include "programs/lib/util_path.h"

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p,
                 "usage: dirname [-z] NAME...\n"
                 "  -z  end each line with NUL, not newline\n");
  cmd::Options o(c, "z");
  char end = '\n';
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'z') end = '\0';
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() >= p.argc()) {
    c.error("missing operand");
    c.usage_error();
    return 1;  // as GNU's: an operand error is not a bad option
  }
  for (size_t i = o.index(); i < p.argc(); ++i) {
    c.out().write(util::dir_name(p.arg(i)));
    c.out().put(end);
  }
  return c.finish(0);
}
