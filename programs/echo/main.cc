// echo: its arguments, separated by spaces, then a newline, as GNU echo: -n (no newline),
// -e (backslash escapes: \a \b \c \e \f \n \r \t \v \\ \0NNN \NNN \xHH), -E (none, the
// default). Options are only leading arguments made of those letters ("-nx" is text), and
// --help only when it is the sole argument.
#include "programs/lib/cmd.h"
#include "programs/lib/util_escape.h"

namespace {

constexpr const char* kUsage =
    "usage: echo [-neE] [STRING...]\n"
    "  -n  no newline after the output\n"
    "  -e  interpret backslash escapes (\\n \\t \\c \\0NNN \\xHH ...)\n"
    "  -E  do not interpret them (the default)\n";

// Whether arg is an option cluster of n, e and E only.
bool is_option(lib::StringView arg) {
  if (arg.size() < 2 || arg[0] != '-') return false;
  for (size_t i = 1; i < arg.size(); ++i)
    if (arg[i] != 'n' && arg[i] != 'e' && arg[i] != 'E') return false;
  return true;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  if (p.argc() == 2 && p.arg(1) == "--help") return c.help();
  bool newline = true;
  bool escapes = false;
  size_t i = 1;
  for (; i < p.argc() && is_option(p.arg(i)); ++i) {
    for (const char letter : p.arg(i).substr(1)) {
      if (letter == 'n') newline = false;
      if (letter == 'e') escapes = true;
      if (letter == 'E') escapes = false;
    }
  }
  cmd::Output& out = c.out();
  for (size_t first = i; i < p.argc(); ++i) {
    if (i > first) out.put(' ');
    const lib::StringView arg = p.arg(i);
    if (!escapes) {
      out.write(arg);
      continue;
    }
    for (size_t at = 0; at < arg.size();) {
      if (arg[at] != '\\') {
        out.put(arg[at++]);
        continue;
      }
      const util::Escape e = util::read_escape(arg.substr(at), util::EscapeStyle::kEcho);
      if (e.stop) return c.finish(0);
      out.write(stellina::Bytes{e.bytes, e.count});
      at += e.length;
    }
  }
  if (newline) out.put('\n');
  return c.finish(0);
}
