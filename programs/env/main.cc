// env: runs COMMAND with a changed environment, or prints the environment, as POSIX and GNU
// env: -i (start from an empty one), -u NAME (remove NAME), NAME=VALUE (set), -0 (end each
// printed entry with NUL). COMMAND is found in the new environment's PATH (default /bin);
// exit 127 if it is not there, 126 if it cannot run, else its status.
#include "programs/lib/cmd.h"
#include "programs/lib/util_run.h"

namespace {

constexpr const char* kUsage =
    "usage: env [-i] [-0] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG...]]\n"
    "  -i       start with an empty environment (also: a lone -)\n"
    "  -u NAME  remove NAME from the environment\n"
    "  -0       end each printed entry with NUL, not newline\n";

constexpr lib::StringView kDefaultPath = "/bin";

lib::StringView entries[stellina::abi::kProgramMaxEnv];

lib::StringView key_of(lib::StringView entry) {
  const size_t eq = entry.find('=');
  return eq == lib::StringView::kNpos ? entry : entry.substr(0, eq);
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "iu:0");
  bool empty = false;
  char end = '\n';
  lib::StringView unset[stellina::abi::kProgramMaxArgs];
  size_t unset_count = 0;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'i') empty = true;
    if (opt == '0') end = '\0';
    if (opt == 'u') {
      if (o.value().empty() || o.value().find('=') != lib::StringView::kNpos) {
        c.error("cannot unset '{}': Invalid argument", o.value());
        return 125;
      }
      if (unset_count < stellina::abi::kProgramMaxArgs) unset[unset_count++] = o.value();
    }
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) {
      c.usage_error();
      return 125;  // env's own failures, as GNU's
    }
  }
  size_t i = o.index();
  if (i < p.argc() && p.arg(i) == "-") empty = true, ++i;
  size_t count = 0;
  for (size_t e = 0; !empty && e < p.env_count(); ++e) {
    bool removed = false;
    for (size_t u = 0; u < unset_count; ++u)
      removed = removed || key_of(p.env_entry(e)) == unset[u];
    if (!removed) entries[count++] = p.env_entry(e);
  }
  for (; i < p.argc() && p.arg(i).find('=') != lib::StringView::kNpos && p.arg(i)[0] != '='; ++i) {
    size_t at = 0;
    while (at < count && !(key_of(entries[at]) == key_of(p.arg(i)))) ++at;
    if (at == count) {
      if (count == stellina::abi::kProgramMaxEnv) {
        c.error("too many environment entries (at most {})", stellina::abi::kProgramMaxEnv);
        return 125;
      }
      ++count;
    }
    entries[at] = p.arg(i);
  }
  if (i >= p.argc()) {
    for (size_t e = 0; e < count; ++e) {
      c.out().write(entries[e]);
      c.out().put(end);
    }
    return c.finish(0);
  }
  if (end == '\0') {
    c.error("cannot use -0 with a command");
    c.usage_error();
    return 125;
  }
  lib::StringView search = kDefaultPath;
  for (size_t e = 0; e < count; ++e)
    if (key_of(entries[e]) == "PATH") search = entries[e].substr(5);
  static lib::StringView args[stellina::abi::kProgramMaxArgs];
  size_t arg_count = 0;
  for (size_t a = i + 1; a < p.argc() && arg_count < stellina::abi::kProgramMaxArgs; ++a)
    args[arg_count++] = p.arg(a);
  const int64_t status =
      util::run_command(c, p.arg(i), std::span<const lib::StringView>(args, arg_count),
                        std::span<const lib::StringView>(entries, count), search, true);
  return c.finish(status);
}
