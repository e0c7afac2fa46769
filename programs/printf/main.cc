// printf: FORMAT applied to the ARGUMENTs, as POSIX and GNU printf (printf_format.h): %s %b %c
// %d %i %u %o %x %X %f %F %e %E %g %G %%, flags - + space 0 # ', width and precision (or *),
// backslash escapes; the format is used again while arguments are left. Exit 1 after a bad
// number (printed as far as it reads), an invalid conversion or escape (output ends there).
#include "programs/lib/cmd.h"
#include "programs/printf/printf_format.h"

namespace {

constexpr const char* kUsage =
    "usage: printf FORMAT [ARGUMENT...]\n"
    "  conversions: %s %b %c %d %i %u %o %x %X %f %F %e %E %g %G %%\n"
    "  flags: - + space 0 # ', width and .precision (digits or *)\n"
    "  escapes: \\\\ \\a \\b \\c \\e \\f \\n \\r \\t \\v \\NNN \\xHH \\uHHHH \\UHHHHHHHH\n";

// The arguments past FORMAT, as views (at most kProgramMaxArgs of them).
lib::StringView args[stellina::abi::kProgramMaxArgs];

struct OutputSink final : lib::Sink {
  explicit OutputSink(cmd::Output& out) : out(out) {}
  void write(const char* s, size_t n) override { out.write(stellina::Bytes{s, n}); }
  cmd::Output& out;
};

struct Errors final : util::printf_cmd::Diagnostics {
  explicit Errors(cmd::Command& c) : c(c) {}
  void error(lib::StringView message) override { c.error("{}", message); }
  cmd::Command& c;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  if (p.argc() == 2 && p.arg(1) == "--help") return c.help();
  size_t first = 1;
  if (first < p.argc() && p.arg(first) == "--") ++first;
  if (first >= p.argc()) {
    c.error("missing operand");
    c.usage_error();
    return 1;
  }
  size_t count = 0;
  for (size_t i = first + 1; i < p.argc() && count < stellina::abi::kProgramMaxArgs; ++i)
    args[count++] = p.arg(i);
  OutputSink sink(c.out());
  Errors errors(c);
  return c.finish(util::printf_cmd::run(p.arg(first), args, count, sink, errors));
}
