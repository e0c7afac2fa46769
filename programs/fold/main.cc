// fold: the lines of the files (or stdin) broken to fit a width (fold_lines.h).
#include <new>

#include "programs/fold/fold_lines.h"
#include "programs/lib/cmd.h"

namespace {

constexpr const char* kUsage =
    "usage: fold [-bs] [-w WIDTH] [FILE...]\n"
    "  -w WIDTH  columns per line (80)   -b  count bytes, not columns\n"
    "  -s  break after the last blank before the width, when there is one\n";

constexpr size_t kChunk = 16384;
char chunk[kChunk];

struct Sink final : lib::Sink {
  explicit Sink(cmd::Output& out) : out(out) {}
  void write(const char* s, size_t n) override { out.write(lib::StringView(s, n)); }
  cmd::Output& out;
};

alignas(text::Folder) char folder_storage[sizeof(text::Folder)];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "bsw:");
  uint64_t width = 80;
  bool bytes = false, spaces = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 'b': bytes = true; break;
      case 's': spaces = true; break;
      case 'w':
        if (!cmd::parse_u64(o.value(), &width) || width == 0 || width > SIZE_MAX / 2)
          return c.fail("invalid number of columns: '{}'", o.value());
        break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  Sink sink(c.out());
  text::Folder& folder =
      *new (folder_storage) text::Folder(sink, static_cast<size_t>(width), bytes, spaces);
  const size_t first = o.index();
  const size_t files = p.argc() > first ? p.argc() - first : 1;
  int64_t code = 0;
  for (size_t i = 0; i < files && !c.out().failed(); ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    cmd::Input in(p);
    const stellina::Result<void> opened = in.open(path);
    if (!opened.ok()) {
      c.error_at(path, opened.error());
      code = 1;
      continue;
    }
    for (;;) {
      const stellina::Result<size_t> n = in.read(chunk, kChunk);
      if (!n.ok()) {
        c.error_at(path, n.error());
        code = 1;
        break;
      }
      if (n.value() == 0) break;
      folder.feed(chunk, n.value());
    }
  }
  folder.finish();
  return c.finish(code);
}
