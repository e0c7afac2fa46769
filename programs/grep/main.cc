// grep: the lines of files (or stdin) that match a pattern (POSIX, GNU's options). The
// matching is text::Regex's (programs/lib/text_regex.h): an NFA simulation, linear in the
// line whatever the pattern.
#include "programs/lib/cmd.h"
#include "programs/lib/text_lines.h"
#include "programs/lib/text_regex.h"

namespace {

constexpr const char* kUsage =
    "usage: grep [-EFGHchilnqrsvwx] [-e PATTERN]... [PATTERN] [FILE...]\n"
    "  -E  extended regular expressions     -F  fixed strings\n"
    "  -G  basic regular expressions (the default)\n"
    "  -e PATTERN  a pattern (may be repeated)\n"
    "  -i  ignore case     -v  select lines that do not match\n"
    "  -w  whole words     -x  whole lines\n"
    "  -c  count the selected lines     -l  list the files with one\n"
    "  -n  line numbers    -q  quiet: exit 0 on the first selected line\n"
    "  -s  no messages about unreadable files\n"
    "  -H  file names on each line      -h  never\n"
    "  -r  search directories recursively ('.' without a FILE)\n";

constexpr size_t kMaxPatterns = 256;
constexpr size_t kMaxDepth = 64;  // directories below a FILE with -r
constexpr size_t kMaxPath = stellina::abi::kFileMaxPath;

text::Regex regex;

struct Settings {
  bool invert = false, count = false, list = false, numbers = false, quiet = false;
  bool silent = false, recursive = false;
  int names = -1;  // -1: when several files; 0: -h; 1: -H
};

class Grep {
 public:
  Grep(cmd::Command& c, const Settings& s) : c_(c), s_(s) {}

  bool selected() const { return selected_; }
  bool trouble() const { return trouble_; }
  bool done() const { return (s_.quiet && selected_) || c_.out().failed(); }

  // names: on every line; in_walks: only for files found inside a directory (-r with one
  // operand, as GNU).
  void set_names(bool names, bool in_walks) {
    names_ = names;
    names_in_walks_ = in_walks;
  }

  // One operand: a file, stdin ("-"), or with -r a directory to walk.
  void operand(lib::StringView path) {
    if (path.size() > kMaxPath) {
      complain(path, stellina::abi::kErrNameTooLong);
      return;
    }
    __builtin_memcpy(path_, path.data(), path.size());
    path_size_ = path.size();
    if (s_.recursive && path != "-") {
      const stellina::Result<stellina::abi::FileStat> st = c_.env().files().stat(path);
      if (st.ok() && is_directory(st.value().mode)) {
        walk(0);
        return;
      }
    }
    search_path();
  }

  // With -r and no FILE: '.' with names relative to it, as GNU prints them.
  void current_directory() {
    path_size_ = 0;
    walk(0);
  }

 private:
  static bool is_directory(uint32_t mode) {
    return (mode & stellina::abi::kModeTypeMask) == stellina::abi::kModeDirectory;
  }

  lib::StringView path() const {
    return path_size_ ? lib::StringView(path_, path_size_) : lib::StringView(".");
  }

  void complain(lib::StringView path, stellina::Status why) {
    trouble_ = true;
    if (!s_.silent) c_.error_at(path, why);
  }

  // The directory at path_: every entry, files searched and directories walked (symbolic
  // links found inside are not followed, as GNU's -r).
  void walk(size_t depth) {
    if (depth > kMaxDepth) {
      complain(path(), stellina::abi::kErrLoop);
      return;
    }
    const stellina::Result<stellina::File> dir =
        c_.env().files().open(path(), stellina::abi::kOpenRead | stellina::abi::kOpenDirectory);
    if (!dir.ok()) {
      complain(path(), dir.error());
      return;
    }
    // The names first (NUL-separated, with a type byte before each), then the recursion, so
    // that no directory stays open below this one.
    cmd::Buffer names;
    bool full = false;
    const stellina::Result<void> listed =
        dir.value().list([&](const stellina::abi::FileDirEntry& e, lib::StringView name) {
          const char type =
              (e.mode & stellina::abi::kModeTypeMask) == stellina::abi::kModeDirectory ? 'd'
              : (e.mode & stellina::abi::kModeTypeMask) == stellina::abi::kModeSymlink ? 'l'
              : e.mode == 0                                                            ? '?'
                                                                                       : 'f';
          if (!names.append(lib::StringView(&type, 1)).ok() || !names.append(name).ok() ||
              !names.append(lib::StringView("", 1)).ok())
            full = true;
        });
    if (!listed.ok() || full) {
      complain(path(), listed.ok() ? stellina::abi::kErrNoMemory : listed.error());
      if (!listed.ok()) return;
    }
    const size_t base = path_size_;
    for (size_t at = 0; at < names.size() && !done();) {
      char type = names.data()[at++];
      const lib::StringView name(names.data() + at);
      at += name.size() + 1;
      const size_t sep = base ? 1 : 0;
      if (base + sep + name.size() > kMaxPath) {
        complain(lib::StringView(path_, base), stellina::abi::kErrNameTooLong);
        continue;
      }
      if (sep) path_[base] = '/';
      __builtin_memcpy(path_ + base + sep, name.data(), name.size());
      path_size_ = base + sep + name.size();
      if (type == '?') {
        const stellina::Result<stellina::abi::FileStat> st = c_.env().files().stat(path(), false);
        if (!st.ok()) {
          complain(path(), st.error());
          path_size_ = base;
          continue;
        }
        const uint32_t kind = st.value().mode & stellina::abi::kModeTypeMask;
        type = kind == stellina::abi::kModeDirectory ? 'd'
               : kind == stellina::abi::kModeSymlink ? 'l'
                                                     : 'f';
      }
      if (type == 'd') {
        walk(depth + 1);
      } else if (type == 'f') {
        ++walking_;
        search_path();
        --walking_;
      }
      path_size_ = base;
    }
  }

  void search_path() {
    const lib::StringView name = path();
    cmd::Input in(c_.env());
    const stellina::Result<void> opened = in.open(name);
    if (!opened.ok()) {
      complain(name, opened.error());
      return;
    }
    search(in, name == "-" ? lib::StringView("(standard input)") : name);
  }

  void search(cmd::Input& in, lib::StringView name) {
    text::FullLines& lines = *new_reader(in);
    cmd::Output& out = c_.out();
    uint64_t number = 0, count = 0;
    bool binary = false;
    const bool names = names_ || (walking_ && names_in_walks_);
    for (;;) {
      lib::StringView line;
      const stellina::Result<bool> got = lines.next(&line);
      if (!got.ok()) {
        complain(name, got.error());
        break;
      }
      if (!got.value()) break;
      ++number;
      if (!binary && line.find('\0') != lib::StringView::kNpos) binary = true;
      if (regex.matches(line) == s_.invert) continue;
      ++count;
      selected_ = true;
      if (s_.quiet || s_.list) break;
      if (s_.count) continue;
      if (binary) {
        out.flush();
        c_.error("{}: binary file matches", name);
        break;
      }
      if (names) out.print("{}:", name);
      if (s_.numbers) out.print("{}:", number);
      out.write(line);
      out.put('\n');
      if (out.failed()) break;
    }
    if (s_.count) {
      if (names) out.print("{}:", name);
      out.print("{}\n", count);
    } else if (s_.list && count) {
      out.print("{}\n", name);
    }
  }

  // The line reader is large (kMaxLine): one, reused by every file (its joined-line buffer
  // given back each time).
  static text::FullLines* new_reader(cmd::Input& in) {
    alignas(text::FullLines) static char storage[sizeof(text::FullLines)];
    static bool made = false;
    if (made) reinterpret_cast<text::FullLines*>(storage)->~FullLines();
    made = true;
    return new (storage) text::FullLines(in);
  }

  cmd::Command& c_;
  const Settings& s_;
  bool names_ = false;
  bool names_in_walks_ = false;
  size_t walking_ = 0;
  bool selected_ = false;
  bool trouble_ = false;
  char path_[kMaxPath + 1];
  size_t path_size_ = 0;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "EFGHce:hilnqrsvwx");
  Settings s;
  uint32_t flags = 0;
  bool fixed = false;
  lib::StringView patterns[kMaxPatterns];
  size_t pattern_count = 0;
  bool too_many = false;
  const auto add_patterns = [&](lib::StringView text) {
    // A pattern with newlines is one pattern per line.
    for (size_t from = 0;;) {
      const size_t nl = text.find('\n', from);
      const size_t end = nl == lib::StringView::kNpos ? text.size() : nl;
      if (pattern_count == kMaxPatterns) {
        too_many = true;
        return;
      }
      patterns[pattern_count++] = text.substr(from, end - from);
      if (nl == lib::StringView::kNpos) return;
      from = nl + 1;
    }
  };
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 'E': flags |= text::kExtended, fixed = false; break;
      case 'F': fixed = true; break;
      case 'G': flags &= ~text::kExtended, fixed = false; break;
      case 'H': s.names = 1; break;
      case 'h': s.names = 0; break;
      case 'c': s.count = true; break;
      case 'e': add_patterns(o.value()); break;
      case 'i': flags |= text::kIgnoreCase; break;
      case 'l': s.list = true; break;
      case 'n': s.numbers = true; break;
      case 'q': s.quiet = true; break;
      case 'r': s.recursive = true; break;
      case 's': s.silent = true; break;
      case 'v': s.invert = true; break;
      case 'w': flags |= text::kWord; break;
      case 'x': flags |= text::kLine; break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  size_t next = o.index();
  if (pattern_count == 0) {
    if (next >= p.argc()) {
      c.error("no pattern");
      return c.usage_error();
    }
    add_patterns(p.arg(next++));
  }
  if (too_many) {
    c.error("more than {} patterns", kMaxPatterns);
    return c.finish(2);
  }
  if (fixed) flags |= text::kLiteral;
  for (size_t i = 0; i < pattern_count; ++i) {
    const text::RegexError err =
        i == 0 ? regex.compile(patterns[i], flags) : regex.add(patterns[i], flags);
    if (err != text::RegexError::kNone) {
      c.error("{}", text::regex_error_text(err));
      return c.finish(2);
    }
  }

  Grep grep(c, s);
  const size_t files = p.argc() - next;
  grep.set_names(s.names == 1 || (s.names == -1 && files > 1), s.names == -1 && s.recursive);
  if (files == 0) {
    if (s.recursive) {
      grep.current_directory();
    } else {
      grep.operand("-");
    }
  }
  for (size_t i = next; i < p.argc() && !grep.done(); ++i) grep.operand(p.arg(i));
  const int64_t code = grep.selected() && (s.quiet || !grep.trouble()) ? 0 : grep.trouble() ? 2 : 1;
  return c.finish(code);
}
