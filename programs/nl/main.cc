// nl: the lines of the files (or stdin) with numbers before them (nl_number.h).
#include <new>

#include "programs/lib/cmd.h"
#include "programs/lib/text_sources.h"
#include "programs/nl/nl_number.h"

namespace {

constexpr const char* kUsage =
    "usage: nl [-b STYLE] [-h STYLE] [-f STYLE] [-n FORMAT] [-w WIDTH] [-s SEP] [-v START]\n"
    "          [-i INCREMENT] [FILE...]\n"
    "  STYLE: a (all lines), t (non-empty ones: the body's default), n (none: the header's\n"
    "         and footer's), pRE (those the BRE matches)\n"
    "  -n FORMAT  ln (left), rn (right: the default), rz (right, zeros)\n"
    "  -w WIDTH  of the number (6)   -s SEP  after it (a tab)\n"
    "  -v START  the first number (1)   -i INCREMENT  between numbers (1)\n";

// Made in place when needed (a program's globals get no constructor run).
alignas(text::Regex) char regex_storage[3][sizeof(text::Regex)];

struct Sink final : lib::Sink {
  explicit Sink(cmd::Output& out) : out(out) {}
  void write(const char* s, size_t n) override { out.write(lib::StringView(s, n)); }
  cmd::Output& out;
};

bool style(cmd::Command& c, lib::StringView v, text::NlStyle* s, void* regex_storage) {
  if (v == "a" || v == "t" || v == "n") {
    s->kind = v[0];
    return true;
  }
  if (v.size() && v[0] == 'p') {
    text::Regex& re = *new (regex_storage) text::Regex();
    const text::RegexError err = re.compile(v.substr(1), 0);
    if (err != text::RegexError::kNone) {
      c.error("{}", text::regex_error_text(err));
      return false;
    }
    s->kind = 'p';
    s->regex = &re;
    return true;
  }
  c.error("invalid numbering style: '{}'", v);
  return false;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  alignas(text::NlOptions) static char options_storage[sizeof(text::NlOptions)];
  text::NlOptions& options = *new (options_storage) text::NlOptions();
  cmd::Options o(c, "b:h:f:n:w:s:v:i:");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    const lib::StringView v = o.value();
    switch (opt) {
      case 'b':
        if (!style(c, v, &options.body, regex_storage[0])) return c.finish(1);
        break;
      case 'h':
        if (!style(c, v, &options.header, regex_storage[1])) return c.finish(1);
        break;
      case 'f':
        if (!style(c, v, &options.footer, regex_storage[2])) return c.finish(1);
        break;
      case 'n':
        if (v != "ln" && v != "rn" && v != "rz")
          return c.fail("invalid line numbering format: '{}'", v);
        options.format[0] = v[0];
        options.format[1] = v[1];
        break;
      case 'w':
        if (!cmd::parse_i64(v, &options.width) || options.width < 1 || options.width > 1000)
          return c.fail("invalid line number field width: '{}'", v);
        break;
      case 's': options.separator = v; break;
      case 'v':
        if (!cmd::parse_i64(v, &options.start))
          return c.fail("invalid starting line number: '{}'", v);
        break;
      case 'i':
        if (!cmd::parse_i64(v, &options.increment))
          return c.fail("invalid line number increment: '{}'", v);
        break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  Sink sink(c.out());
  text::Numberer numberer(sink, options);
  const size_t first = o.index();
  const size_t files = p.argc() > first ? p.argc() - first : 1;
  int64_t code = 0;
  for (size_t i = 0; i < files && !c.out().failed(); ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    text::FileLines lines(c);
    if (!lines.open(path)) {
      code = 1;
      continue;
    }
    lib::StringView line;
    while (lines.next(&line) && !c.out().failed()) numberer.line(line);
    if (lines.failed()) code = 1;
  }
  return c.finish(code);
}
