// basename: NAME's last component, without SUFFIX if given (and not all of it), as POSIX and
// GNU basename: -a (every operand a NAME), -s SUFFIX (implies -a), -z (end lines with NUL).
#include "programs/lib/cmd.h"
#include "programs/lib/util_path.h"

namespace {

constexpr const char* kUsage =
    "usage: basename NAME [SUFFIX]\n"
    "       basename -a [-s SUFFIX] [-z] NAME...\n"
    "  -a         every operand is a NAME\n"
    "  -s SUFFIX  remove SUFFIX from each (implies -a)\n"
    "  -z         end each line with NUL, not newline\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "as:z");
  bool all = false;
  char end = '\n';
  lib::StringView suffix;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'a') all = true;
    if (opt == 's') all = true, suffix = o.value();
    if (opt == 'z') end = '\0';
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  const size_t first = o.index();
  const size_t count = p.argc() - first;
  if (count == 0) {
    c.error("missing operand");
    c.usage_error();
    return 1;  // as GNU's: an operand error is not a bad option
  }
  if (!all) {
    if (count > 2) {
      c.error("extra operand '{}'", p.arg(first + 2));
      c.usage_error();
      return 1;
    }
    if (count == 2) suffix = p.arg(first + 1);
  }
  const size_t last = all ? p.argc() : first + 1;
  for (size_t i = first; i < last; ++i) {
    c.out().write(util::strip_suffix(cmd::base_name(p.arg(i)), suffix));
    c.out().put(end);
  }
  return c.finish(0);
}
