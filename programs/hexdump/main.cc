// hexdump: files (or stdin), one after the other, in hex: the default format or -C, with
// a run of lines equal to the one before shown as one "*" (unless -v).
#include "programs/hexdump/hexdump_format.h"
#include "programs/lib/cmd.h"
#include "programs/lib/text_util.h"

namespace {

constexpr const char* kUsage =
    "usage: hexdump [-Cv] [-n LENGTH] [-s OFFSET] [FILE...]\n"
    "  -C  canonical: offset, 16 bytes in hex, then as ASCII\n"
    "  -v  every line, even those equal to the one before\n"
    "  -n LENGTH  only LENGTH bytes    -s OFFSET  skip OFFSET bytes first\n";

constexpr size_t kChunk = 16384;
char chunk[kChunk];

class Dump {
 public:
  Dump(cmd::Output& out, bool canonical, bool all, uint64_t offset)
      : out_(out), canonical_(canonical), all_(all), offset_(offset) {}

  void feed(const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      line_[used_++] = static_cast<uint8_t>(data[i]);
      if (used_ == text::kHexdumpLineBytes) emit();
    }
  }

  void finish() {
    if (used_) emit();
    if (!emitted_) return;
    char text[text::kHexdumpMaxLine];
    out_.write(stellina::Bytes{text, text::hexdump_end(canonical_, offset_, text)});
  }

 private:
  void emit() {
    const bool full = used_ == text::kHexdumpLineBytes;
    const bool same = full && have_previous_ && !all_ &&
                      __builtin_memcmp(line_, previous_, text::kHexdumpLineBytes) == 0;
    if (same) {
      if (!starred_) out_.write(lib::StringView("*\n"));
      starred_ = true;
    } else {
      char text[text::kHexdumpMaxLine];
      out_.write(
          stellina::Bytes{text, text::hexdump_line(canonical_, offset_, line_, used_, text)});
      starred_ = false;
      __builtin_memcpy(previous_, line_, text::kHexdumpLineBytes);
      have_previous_ = full;
    }
    offset_ += used_;
    used_ = 0;
    emitted_ = true;
  }

  cmd::Output& out_;
  bool canonical_, all_;
  uint8_t line_[text::kHexdumpLineBytes];
  uint8_t previous_[text::kHexdumpLineBytes];
  uint64_t offset_;
  size_t used_ = 0;
  bool emitted_ = false;
  bool have_previous_ = false;
  bool starred_ = false;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "Cn:s:v");
  bool canonical = false, all = false;
  uint64_t length = UINT64_MAX, skip = 0;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    char sign = 0;
    switch (opt) {
      case 'C': canonical = true; break;
      case 'v': all = true; break;
      case 'n':
      case 's':
        if (!text::parse_count(o.value(), false, opt == 'n' ? &length : &skip, &sign)) {
          c.error("invalid {}: '{}'", opt == 'n' ? "length" : "offset", o.value());
          return c.finish(1);
        }
        break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  Dump dump(c.out(), canonical, all, skip);
  const size_t first = o.index();
  const size_t files = p.argc() > first ? p.argc() - first : 1;
  int64_t code = 0;
  for (size_t i = 0; i < files && length > 0 && !c.out().failed(); ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    cmd::Input in(p);
    const stellina::Result<void> opened = in.open(path);
    if (!opened.ok()) {
      c.error_at(path, opened.error());
      code = 1;
      continue;
    }
    while (length > 0 && !c.out().failed()) {
      const stellina::Result<size_t> n = in.read(chunk, kChunk);
      if (!n.ok()) {
        c.error_at(path, n.error());
        code = 1;
        break;
      }
      if (n.value() == 0) break;
      size_t from = 0, size = n.value();
      if (skip) {
        from = skip < size ? static_cast<size_t>(skip) : size;
        skip -= from;
      }
      size -= from;
      if (size > length) size = static_cast<size_t>(length);
      length -= size;
      dump.feed(chunk + from, size);
    }
  }
  dump.finish();
  return c.finish(code);
}
