// od: files (or stdin), one after the other, in octal, decimal, hex or as characters, as
// GNU's od shows them (od_dump.h). Options anywhere before "--", GNU's long names too.
#include "programs/lib/cmd.h"
#include "programs/od/od_dump.h"

namespace {

constexpr const char* kUsage =
    "usage: od [-abcdilosvx] [-A RADIX] [-j BYTES] [-N BYTES] [-t TYPE]... [-w[BYTES]] "
    "[FILE...]\n"
    "  -A RADIX  offsets in d, o, x or n (none)     -v  no '*' for repeated lines\n"
    "  -j BYTES  skip BYTES first                   -N BYTES  at most BYTES\n"
    "  -t TYPE   a (named characters), c (characters), d, o, u, x with a size 1 2 4 8\n"
    "            (or C S I L), z after one adds the printable bytes\n"
    "  -w BYTES  bytes per line (32 without a number; 16 without -w)\n"
    "  -a -t a   -b -t o1   -c -t c   -d -t u2   -i -t d4   -l -t d8   -o -t o2\n"
    "  -s -t d2  -x -t x2\n";

constexpr size_t kChunk = 16384;
uint8_t chunk[kChunk];
constinit text::OdLayout layout;

struct Sink final : lib::Sink {
  explicit Sink(cmd::Output& out) : out(out) {}
  void write(const char* s, size_t n) override { out.write(lib::StringView(s, n)); }
  cmd::Output& out;
};

const char* traditional(char c) {
  switch (c) {
    case 'a': return "a";
    case 'b': return "o1";
    case 'c': return "c";
    case 'd': return "u2";
    case 'i': return "dI";
    case 'l': return "dL";
    case 'o': return "o2";
    case 's': return "d2";
    case 'x': return "x2";
    default: return nullptr;
  }
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  static lib::StringView files[256];
  size_t file_count = 0;
  uint64_t skip = 0, limit = UINT64_MAX;
  char why[160];
  bool options = true;
  // An option's value: the rest of its argument, else the next argument.
  const auto value_of = [&](size_t& i, lib::StringView a, size_t& j, lib::StringView* out) {
    if (j + 1 < a.size()) {
      *out = a.substr(j + 1);
    } else if (i + 1 < p.argc()) {
      *out = p.arg(++i);
    } else {
      return false;
    }
    j = a.size();
    return true;
  };
  const auto option = [&](char letter, lib::StringView v) -> bool {
    switch (letter) {
      case 'A':
        if (v == "o")
          layout.radix = text::OdRadix::kOctal;
        else if (v == "d")
          layout.radix = text::OdRadix::kDecimal;
        else if (v == "x")
          layout.radix = text::OdRadix::kHex;
        else if (v == "n")
          layout.radix = text::OdRadix::kNone;
        else {
          c.error("invalid output address radix '{}'; it must be one character from [doxn]", v);
          return false;
        }
        return true;
      case 'j':
      case 'N':
        if (!text::od_parse_count(v, letter == 'j' ? &skip : &limit)) {
          c.error("invalid {} argument '{}'", letter == 'j' ? "skip" : "count", v);
          return false;
        }
        return true;
      case 't':
        if (!text::od_add_types(v, &layout, why, sizeof(why))) {
          c.error("{}", lib::StringView(why));
          return false;
        }
        return true;
      case 'w': {
        uint64_t w = 32;
        if (v.size() && (!text::od_parse_count(v, &w) || w > text::kOdMaxLineBytes)) {
          c.error("invalid -w argument '{}'", v);
          return false;
        }
        layout.bytes_per_line = static_cast<size_t>(w);
        return true;
      }
      default: return false;
    }
  };
  for (size_t i = 1; i < p.argc(); ++i) {
    const lib::StringView a = p.arg(i);
    if (!options || a.size() < 2 || a[0] != '-') {
      if (file_count < 256) files[file_count++] = a;
      continue;
    }
    if (a == "--") {
      options = false;
      continue;
    }
    if (a == "--help") return c.help();
    if (a[1] == '-') {
      lib::StringView name = a.substr(2), v;
      bool has_value = false;
      for (size_t k = 0; k < name.size(); ++k) {
        if (name[k] == '=') {
          v = name.substr(k + 1);
          name = name.substr(0, k);
          has_value = true;
          break;
        }
      }
      char letter = 0;
      if (name == "address-radix")
        letter = 'A';
      else if (name == "skip-bytes")
        letter = 'j';
      else if (name == "read-bytes")
        letter = 'N';
      else if (name == "format")
        letter = 't';
      else if (name == "width")
        letter = 'w';
      else if (name == "output-duplicates") {
        layout.all = true;
        continue;
      } else {
        c.error("unrecognized option '{}'", a);
        return c.usage_error();
      }
      if (!has_value && letter != 'w') {
        if (i + 1 >= p.argc()) {
          c.error("option '--{}' requires an argument", name);
          return c.usage_error();
        }
        v = p.arg(++i);
      }
      if (!option(letter, v)) return c.finish(1);
      continue;
    }
    for (size_t j = 1; j < a.size(); ++j) {
      const char letter = a[j];
      if (letter == 'v') {
        layout.all = true;
      } else if (letter == 'w') {
        if (!option('w', a.substr(j + 1))) return c.finish(1);
        j = a.size();
      } else if (letter == 'A' || letter == 'j' || letter == 'N' || letter == 't') {
        lib::StringView v;
        if (!value_of(i, a, j, &v)) {
          c.error("option requires an argument -- '{:c}'", letter);
          return c.usage_error();
        }
        if (!option(letter, v)) return c.finish(1);
      } else if (const char* t = traditional(letter)) {
        if (!option('t', lib::StringView(t))) return c.finish(1);
      } else {
        c.error("invalid option -- '{:c}'", letter);
        return c.usage_error();
      }
    }
  }
  if (!text::od_prepare(&layout, why, sizeof(why))) return c.fail("{}", lib::StringView(why));
  if (why[0]) c.error("{}", lib::StringView(why));

  Sink sink(c.out());
  text::OdDump dump(sink, layout, skip);
  if (file_count == 0) files[file_count++] = "-";
  int64_t code = 0;
  for (size_t i = 0; i < file_count && limit > 0 && !c.out().failed(); ++i) {
    cmd::Input in(p);
    const stellina::Result<void> opened = in.open(files[i]);
    if (!opened.ok()) {
      c.error_at(files[i], opened.error());
      code = 1;
      continue;
    }
    while (limit > 0 && !c.out().failed()) {
      const stellina::Result<size_t> n = in.read(chunk, kChunk);
      if (!n.ok()) {
        c.error_at(files[i], n.error());
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
      if (size > limit) size = static_cast<size_t>(limit);
      limit -= size;
      dump.feed(chunk + from, size);
    }
  }
  if (skip > 0) return c.fail("cannot skip past end of combined input");
  dump.finish();
  return c.finish(code);
}
