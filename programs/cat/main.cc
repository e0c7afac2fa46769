// cat: the files named (or stdin, without any; "-" is stdin too) on stdout, one after the
// other. -n numbers the output lines, counting on across files, as GNU cat.
#include "programs/lib/cmd.h"

namespace {

constexpr const char* kUsage =
    "usage: cat [-n] [FILE...]\n"
    "  -n  number all output lines\n";

uint8_t buffer[16384];

struct Numbering {
  bool on = false;
  bool at_start = true;
  uint64_t line = 0;
};

// Copies one input to stdout; false (reported) if it could not be read.
bool copy(cmd::Command& c, lib::StringView path, Numbering* n) {
  cmd::Input in(c.env());
  const cmd::Result<void> opened = in.open(path);
  if (!opened.ok()) {
    c.error_at(path, opened.error());
    return false;
  }
  for (;;) {
    const cmd::Result<size_t> got = in.read(buffer, sizeof(buffer));
    if (!got.ok()) {
      c.error_at(path, got.error());
      return false;
    }
    if (got.value() == 0) return true;
    if (!n->on) {
      c.out().write(stellina::Bytes{buffer, got.value()});
      continue;
    }
    for (size_t i = 0; i < got.value(); ++i) {
      if (n->at_start) {
        c.out().print("{:>6}\t", ++n->line);
        n->at_start = false;
      }
      c.out().put(static_cast<char>(buffer[i]));
      if (buffer[i] == '\n') n->at_start = true;
    }
    if (c.out().failed()) return true;  // no one reads: finish says so
  }
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "n");
  Numbering numbering;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'n') numbering.on = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() >= p.argc()) return c.finish(copy(c, "-", &numbering) ? 0 : 1);
  bool ok = true;
  for (size_t i = o.index(); i < p.argc() && !c.out().failed(); ++i)
    if (!copy(c, p.arg(i), &numbering)) ok = false;
  return c.finish(ok ? 0 : 1);
}
