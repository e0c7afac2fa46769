// sort: the lines of files (or stdin), sorted; see sort_key.h for the comparison. Everything
// is read into memory first: past kMaxInput bytes or kMaxLines lines, sort says the input is
// too large rather than sort part of it.
#include "programs/lib/cmd.h"
#include "programs/sort/sort_key.h"

namespace {

constexpr const char* kUsage =
    "usage: sort [-bfnrsu] [-t SEP] [-k POS1[,POS2]]... [FILE...]\n"
    "  -b  ignore leading blanks    -f  fold lower case to upper case\n"
    "  -n  numeric                  -r  reverse\n"
    "  -u  only the first of lines with equal keys\n"
    "  -s  stable: no last-resort comparison of whole lines\n"
    "  -t SEP  fields end at SEP (else at blanks, which start the next field)\n"
    "  -k POS1[,POS2]  a key: F[.C][bfnr], from field F (character C) to POS2 (the line's end)\n";

constexpr size_t kMaxInput = size_t{64} << 20;
constexpr size_t kMaxLines = size_t{1} << 20;
constexpr size_t kChunk = 16384;
char chunk[kChunk];

text::SortOptions options;
bool key_has_options[text::SortOptions::kMaxKeys];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "bfk:nrst:u");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 'b': options.global.skip_start_blanks = options.global.skip_end_blanks = true; break;
      case 'f': options.global.fold = true; break;
      case 'n': options.global.numeric = true; break;
      case 'r': options.global.reverse = true; break;
      case 's': options.stable = true; break;
      case 'u': options.unique = true; break;
      case 't':
        if (o.value().size() != 1) {
          c.error("the separator must be a single character: '{}'", o.value());
          return c.finish(2);
        }
        options.separator = static_cast<uint8_t>(o.value()[0]);
        break;
      case 'k': {
        if (options.key_count == text::SortOptions::kMaxKeys) {
          c.error("more than {} keys", text::SortOptions::kMaxKeys);
          return c.finish(2);
        }
        const char* why = nullptr;
        const size_t i = options.key_count++;
        if (!text::parse_sort_key(o.value(), &options.keys[i], &key_has_options[i], &why)) {
          c.error("{}: '{}'", why, o.value());
          return c.finish(2);
        }
        break;
      }
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  text::finish_keys(&options, key_has_options);

  cmd::Buffer all;
  const size_t first = o.index();
  const size_t files = p.argc() > first ? p.argc() - first : 1;
  for (size_t i = 0; i < files; ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    cmd::Input in(p);
    stellina::Result<void> opened = in.open(path);
    if (!opened.ok()) {
      c.error_at(path, opened.error());
      return c.finish(2);
    }
    for (;;) {
      const stellina::Result<size_t> n = in.read(chunk, kChunk);
      if (!n.ok()) {
        c.error_at(path, n.error());
        return c.finish(2);
      }
      if (n.value() == 0) break;
      if (all.size() + n.value() > kMaxInput ||
          !all.append(stellina::Bytes{chunk, n.value()}).ok()) {
        c.error("{}: input too large (more than {} bytes, or no memory for it)", path, kMaxInput);
        return c.finish(2);
      }
    }
    // Each file's last line ends there, newline or not.
    if (all.size() && all.data()[all.size() - 1] != '\n' &&
        !all.append(lib::StringView("\n")).ok()) {
      c.error("{}: input too large", path);
      return c.finish(2);
    }
  }
  size_t count = 0;
  for (size_t i = 0; i < all.size(); ++i)
    if (all.data()[i] == '\n') ++count;
  if (count > kMaxLines) {
    c.error("input too large: more than {} lines", kMaxLines);
    return c.finish(2);
  }
  cmd::Buffer index;
  if (count && !index.reserve(2 * count * sizeof(text::SortLine)).ok()) {
    c.error("input too large: no memory for {} lines", count);
    return c.finish(2);
  }
  auto* lines = reinterpret_cast<text::SortLine*>(index.data());
  for (size_t at = 0, n = 0; at < all.size(); ++n) {
    size_t end = at;
    while (all.data()[end] != '\n') ++end;
    lines[n] = text::SortLine{all.data() + at, end - at};
    at = end + 1;
  }
  text::sort_lines(options, lines, lines + count, count);
  cmd::Output& out = c.out();
  for (size_t i = 0; i < count && !out.failed(); ++i) {
    const lib::StringView line(lines[i].data, lines[i].size);
    if (options.unique && i > 0 &&
        text::compare_keys(options, lib::StringView(lines[i - 1].data, lines[i - 1].size), line) ==
            0)
      continue;
    out.write(line);
    out.put('\n');
  }
  return c.finish(0);
}
