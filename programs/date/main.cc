// date: the wall clock (UTC: Stellina has no time zones), as GNU date: in its default format
// or +FORMAT (date_format.h), -u (UTC: always), -d DATE (@SECONDS, YYYY-MM-DD[ HH:MM[:SS]])
// instead of now. Setting the clock is not done.
#include <stellina/sys.h>

#include "programs/date/date_format.h"
#include "programs/lib/cmd.h"

namespace {

constexpr const char* kUsage =
    "usage: date [-u] [-d DATE] [+FORMAT]\n"
    "  -u       UTC (the only time zone)\n"
    "  -d DATE  show DATE, not now: @SECONDS, YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS]\n"
    "  +FORMAT  %Y %m %d %H %M %S %j %a %A %b %B %e %y %s %N %n %t %% %F %T %D %Z %z\n"
    "           %u %w %p %P %I %l %k %C %c %x %X %r %R %h %U %W %V %G %g;\n"
    "           flags after %: - (no padding) _ (spaces) 0 (zeros) ^ (upper case), a width\n";

struct OutputSink final : lib::Sink {
  explicit OutputSink(cmd::Output& out) : out(out) {}
  void write(const char* s, size_t n) override { out.write(stellina::Bytes{s, n}); }
  cmd::Output& out;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "ud:");
  const uint64_t now = stellina::sys::clock_wall();
  uint64_t seconds = now / 1'000'000'000;
  uint32_t nanoseconds = static_cast<uint32_t>(now % 1'000'000'000);
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'd') {
      if (!util::date_cmd::parse_date(o.value(), &seconds))
        return c.fail("invalid date '{}'", o.value());
      nanoseconds = 0;
    }
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  lib::StringView format = util::date_cmd::kDefaultFormat;
  for (size_t i = o.index(); i < p.argc(); ++i) {
    const lib::StringView arg = p.arg(i);
    if (i == o.index() && !arg.empty() && arg[0] == '+') {
      format = arg.substr(1);
      continue;
    }
    if (i == o.index()) return c.fail("cannot set the date: '{}' (not done)", arg);
    c.error("extra operand '{}'", arg);
    c.usage_error();
    return 1;
  }
  OutputSink sink(c.out());
  util::date_cmd::format_date(sink, format, seconds, nanoseconds);
  c.out().put('\n');
  return c.finish(0);
}
