// wc: lines, words and bytes (or characters) of files, in GNU's columns: every count right
// aligned to the width of the largest possible (the regular files' total size), at least
// 7 when a stream is among the inputs, 1 for a single count of a single input.
#include "programs/lib/cmd.h"
#include "programs/lib/text_util.h"

namespace {

constexpr const char* kUsage =
    "usage: wc [-clmw] [FILE...]\n"
    "  -l  lines   -w  words   -m  characters (UTF-8)   -c  bytes\n"
    "Without an option: -l -w -c. Several files: a total line too.\n";

constexpr size_t kChunk = 16384;
char chunk[kChunk];

struct Counts {
  uint64_t lines = 0, words = 0, chars = 0, bytes = 0;
};

struct Show {
  bool lines = false, words = false, chars = false, bytes = false;
};

stellina::Result<void> count(cmd::Input& in, Counts* c) {
  bool in_word = false;
  for (;;) {
    const size_t n = TRY(in.read(chunk, kChunk));
    if (n == 0) return {};
    c->bytes += n;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t b = static_cast<uint8_t>(chunk[i]);
      if (b == '\n') ++c->lines;
      if ((b & 0xc0) != 0x80) ++c->chars;  // not a UTF-8 continuation byte
      if (text::is_space(b)) {
        in_word = false;
      } else if (!in_word) {
        in_word = true;
        ++c->words;
      }
    }
  }
}

void print(cmd::Output& out, const Counts& c, const Show& s, int width, lib::StringView name) {
  const char* sep = "";
  const auto column = [&](uint64_t v) {
    char digits[24];
    const size_t n = lib::format_to(digits, sizeof(digits), "{}", v);
    out.print("{}", sep);
    for (size_t i = n; i < static_cast<size_t>(width); ++i) out.put(' ');
    out.write(stellina::Bytes{digits, n});
    sep = " ";
  };
  if (s.lines) column(c.lines);
  if (s.words) column(c.words);
  if (s.chars) column(c.chars);
  if (s.bytes) column(c.bytes);
  if (!name.empty()) out.print(" {}", name);
  out.put('\n');
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "clmw");
  Show s;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 'c': s.bytes = true; break;
      case 'l': s.lines = true; break;
      case 'm': s.chars = true; break;
      case 'w': s.words = true; break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  if (!s.lines && !s.words && !s.chars && !s.bytes) s.lines = s.words = s.bytes = true;
  const size_t first = o.index();
  const size_t files = p.argc() > first ? p.argc() - first : 1;
  const auto path_at = [&](size_t i) {
    return first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
  };
  // The width, from what stat says before anything is read.
  const int shown = s.lines + s.words + s.chars + s.bytes;
  int width = 1;
  if (!(files == 1 && shown == 1)) {
    uint64_t total = 0;
    int minimum = 1;
    for (size_t i = 0; i < files; ++i) {
      if (path_at(i) == "-") {
        minimum = 7;
        continue;
      }
      const stellina::Result<stellina::abi::FileStat> st = p.files().stat(path_at(i));
      if (!st.ok()) continue;
      if ((st.value().mode & stellina::abi::kModeTypeMask) == stellina::abi::kModeRegular) {
        total += st.value().size;
      } else {
        minimum = 7;
      }
    }
    for (; total >= 10; total /= 10) ++width;
    if (width < minimum) width = minimum;
  }
  int64_t code = 0;
  Counts total;
  for (size_t i = 0; i < files; ++i) {
    const lib::StringView path = path_at(i);
    cmd::Input in(p);
    Counts counts;
    stellina::Result<void> done = in.open(path);
    if (done.ok()) done = count(in, &counts);
    if (!done.ok()) {
      c.error_at(path, done.error());
      code = 1;
      continue;
    }
    print(c.out(), counts, s, width, first + i < p.argc() ? path : lib::StringView());
    total.lines += counts.lines;
    total.words += counts.words;
    total.chars += counts.chars;
    total.bytes += counts.bytes;
  }
  if (files > 1) print(c.out(), total, s, width, "total");
  return c.finish(code);
}
