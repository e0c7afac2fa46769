// paste: the files' lines side by side, or with -s one file per line (paste_lines.h).
#include <new>

#include <stellina/heap.h>

#include "programs/lib/cmd.h"
#include "programs/lib/text_sources.h"
#include "programs/paste/paste_lines.h"

namespace {

constexpr const char* kUsage =
    "usage: paste [-s] [-d LIST] [FILE...]\n"
    "  -d LIST  the delimiters, taken in turn (\\n \\t \\\\ \\0 for none; a tab by default)\n"
    "  -s  each file's lines on one line, not the files side by side\n";

struct Sink final : lib::Sink {
  explicit Sink(cmd::Output& out) : out(out) {}
  void write(const char* s, size_t n) override { out.write(lib::StringView(s, n)); }
  cmd::Output& out;
};

text::PasteDelimiters delimiters;  // filled by paste_delimiters
text::LineSource* sources[text::kPasteMaxSources];
text::FileLines* files[text::kPasteMaxSources];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "sd:");
  bool serial = false;
  lib::StringView list = "\t";
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 's': serial = true; break;
      case 'd': list = o.value(); break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  if (!text::paste_delimiters(list, &delimiters))
    return c.fail("delimiter list ends with an unescaped backslash: {}", list);
  const size_t first = o.index();
  size_t count = p.argc() > first ? p.argc() - first : 1;
  if (count > text::kPasteMaxSources) return c.fail("more than {} files", text::kPasteMaxSources);
  // Every FILE opened first, as GNU does: one that cannot be is an error before any output.
  text::FileLines* stdin_lines = nullptr;
  for (size_t i = 0; i < count; ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    if (path == "-" && stdin_lines) {
      sources[i] = stdin_lines;
      continue;
    }
    const stellina::Result<void*> memory = stellina::heap_allocate(sizeof(text::FileLines));
    if (!memory.ok()) return c.fail("{}: {}", path, stellina::status_name(memory.error()));
    files[i] = new (memory.value()) text::FileLines(c);
    if (!files[i]->open(path)) return c.finish(1);
    if (path == "-") stdin_lines = files[i];
    sources[i] = files[i];
  }
  Sink sink(c.out());
  if (serial) {
    text::paste_serial(sources, count, delimiters, sink);
  } else {
    text::paste_parallel(sources, count, delimiters, sink);
  }
  int64_t code = 0;
  for (size_t i = 0; i < count; ++i)
    if (files[i] && files[i]->failed()) code = 1;
  return c.finish(code);
}
