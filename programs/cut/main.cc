// cut: selected bytes (-b, -c: the same in the C locale) or fields (-f, split at -d's
// character, tab by default) of each line.
#include "programs/cut/cut_list.h"
#include "programs/lib/cmd.h"
#include "programs/lib/text_lines.h"

namespace {

constexpr const char* kUsage =
    "usage: cut -b LIST [-n] [FILE...]\n"
    "       cut -c LIST [FILE...]\n"
    "       cut -f LIST [-d DELIM] [-s] [FILE...]\n"
    "  -b LIST  these bytes          -c LIST  these characters (bytes)\n"
    "  -f LIST  these fields         -d DELIM  fields end at DELIM (tab)\n"
    "  -s       with -f, drop lines without a delimiter\n"
    "LIST: N, N-M, N- or -M, separated by commas; numbered from 1.\n";

text::CutList list;

void cut_bytes(lib::StringView line, cmd::Output& out) {
  for (size_t r = 0; r < list.count(); ++r) {
    const uint64_t from = list.from(r) - 1;
    if (from >= line.size()) break;
    const uint64_t to = list.to(r) < line.size() ? list.to(r) : line.size();
    out.write(line.substr(static_cast<size_t>(from), static_cast<size_t>(to - from)));
  }
}

void cut_fields(lib::StringView line, char delim, bool only_delimited, cmd::Output& out) {
  if (line.find(delim) == lib::StringView::kNpos) {
    if (!only_delimited) out.write(line);
    if (only_delimited) return;
    out.put('\n');
    return;
  }
  bool first = true;
  uint64_t field = 1;
  for (size_t at = 0;; ++field) {
    size_t end = line.find(delim, at);
    if (end == lib::StringView::kNpos) end = line.size();
    if (list.has(field)) {
      if (!first) out.put(delim);
      out.write(line.substr(at, end - at));
      first = false;
    }
    if (end == line.size()) break;
    at = end + 1;
  }
  out.put('\n');
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "b:c:d:f:ns");
  char mode = 0;
  char delim = '\t';
  bool delim_given = false, only_delimited = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 'b':
      case 'c':
      case 'f': {
        if (mode) {
          c.error("only one type of list may be specified");
          return c.usage_error();
        }
        mode = static_cast<char>(opt);
        const char* why = nullptr;
        if (!list.parse(o.value(), &why)) {
          c.error("{}: '{}'", why, o.value());
          return c.usage_error();
        }
        break;
      }
      case 'd':
        if (o.value().size() != 1) {
          c.error("the delimiter must be a single character");
          return c.usage_error();
        }
        delim = o.value()[0];
        delim_given = true;
        break;
      case 'n': break;
      case 's': only_delimited = true; break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  if (!mode) {
    c.error("you must specify a list of bytes, characters, or fields");
    return c.usage_error();
  }
  if (mode != 'f' && (delim_given || only_delimited)) {
    c.error("an input delimiter may be specified only when operating on fields");
    return c.usage_error();
  }
  const size_t first = o.index();
  const size_t files = p.argc() > first ? p.argc() - first : 1;
  int64_t code = 0;
  for (size_t i = 0; i < files && !c.out().failed(); ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    cmd::Input in(p);
    stellina::Result<void> opened = in.open(path);
    if (!opened.ok()) {
      c.error_at(path, opened.error());
      code = 1;
      continue;
    }
    alignas(text::FullLines) static char storage[sizeof(text::FullLines)];
    text::FullLines& lines = *new (storage) text::FullLines(in);
    for (;;) {
      lib::StringView line;
      const stellina::Result<bool> got = lines.next(&line);
      if (!got.ok()) {
        c.error_at(path, got.error());
        code = 1;
        break;
      }
      if (!got.value() || c.out().failed()) break;
      if (mode == 'f') {
        cut_fields(line, delim, only_delimited, c.out());
      } else {
        cut_bytes(line, c.out());
        c.out().put('\n');
      }
    }
    lines.~FullLines();
  }
  return c.finish(code);
}
