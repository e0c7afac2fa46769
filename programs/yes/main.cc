// yes: its arguments separated by spaces (or "y"), and a newline, over and over until no one
// reads stdout (then exit 1, as GNU's does on a write error).
#include "programs/lib/cmd.h"

namespace {

// Copies of the line fill this before each write, so each write is a whole message.
constexpr size_t kChunk = 16 * 1024;
char chunk[kChunk];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, "usage: yes [STRING...]\n  prints STRING (or y) and a newline forever\n");
  cmd::Options o(c, "");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  // One line, built in chunk; a line longer than it is written piece by piece each time.
  size_t line = 0;
  bool fits = true;
  auto add = [&](lib::StringView text) {
    for (const char ch : text) {
      if (line == kChunk) {
        fits = false;
        return;
      }
      chunk[line++] = ch;
    }
  };
  if (o.index() >= p.argc()) add("y");
  for (size_t i = o.index(); i < p.argc(); ++i) {
    if (i > o.index()) add(" ");
    add(p.arg(i));
  }
  add("\n");
  stellina::Stream& out = p.out();
  if (!fits) {
    for (;;) {
      for (size_t i = o.index(); i < p.argc(); ++i) {
        if (i > o.index() && !out.write(" ").ok()) return 1;
        if (!out.write(p.arg(i)).ok()) return 1;
      }
      if (!out.write("\n").ok()) return 1;
    }
  }
  size_t used = line;
  while (used + line <= kChunk) {
    __builtin_memcpy(chunk + used, chunk, line);
    used += line;
  }
  for (;;)
    if (!out.write(stellina::Bytes{chunk, used}).ok()) return 1;
}
