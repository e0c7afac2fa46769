#include "programs/sed/sed_run.h"

namespace text {

namespace {

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

size_t find_newline(lib::StringView s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n') return i;
  return s.size();
}

}  // namespace

SedRun::SedRun(SedScript& script, SedIo& io, RegexScratch& scratch, const SedOptions& options)
    : script_(script),
      io_(io),
      scratch_(scratch),
      options_(options),
      pattern_(io),
      hold_(io),
      ahead_(io),
      result_(io),
      appends_(io) {
  if (script.quiet()) options_.quiet = true;
}

// The next line of input into ahead_; false at the end.
bool SedRun::fetch() {
  if (have_ahead_) return true;
  if (input_done_) return false;
  lib::StringView line;
  bool newline = true, new_file = false;
  if (!io_.next_line(&line, &newline, &new_file)) {
    input_done_ = true;
    return false;
  }
  ahead_.assign(line);
  ahead_newline_ = newline;
  ahead_new_file_ = new_file;
  have_ahead_ = true;
  return true;
}

// Whether n and N have a line to read: with -s, not past the end of the file.
bool SedRun::has_next() { return fetch() && !(options_.separate && ahead_new_file_); }

bool SedRun::is_last() { return !has_next(); }

void SedRun::reset_ranges() {
  for (size_t i = 0; i < script_.size(); ++i) {
    SedCommand& c = script_.command(i);
    c.active = c.a1.kind == SedAddressKind::kZero;
  }
}

// The next line into the pattern space (after a '\n' when appending).
bool SedRun::read_line(bool append) {
  if (!fetch()) return false;
  have_ahead_ = false;
  if (ahead_new_file_) {
    io_.file_changed();
    if (options_.separate) {
      line_ = 0;
      reset_ranges();
    }
  }
  ++line_;
  if (append) {
    pattern_.push('\n');
    pattern_.append(ahead_.view());
  } else {
    pattern_.swap(ahead_);
  }
  newline_ = ahead_newline_;
  replaced_ = false;
  return true;
}

Regex* SedRun::resolve(int32_t index) {
  if (index != kSedLastRegex) last_regex_ = script_.regex(index);
  return last_regex_;
}

bool SedRun::matches(const SedAddress& a) {
  switch (a.kind) {
    case SedAddressKind::kNone: return true;
    case SedAddressKind::kLine: return line_ == a.n;
    case SedAddressKind::kLast: return is_last();
    case SedAddressKind::kStep:
      if (a.step == 0) return line_ == a.n;
      return line_ >= a.n && (line_ - a.n) % a.step == 0;
    case SedAddressKind::kRegex: {
      Regex* re = resolve(a.regex);
      if (!re) return fail("no previous regular expression");
      return re->matches(pattern_.view());
    }
    case SedAddressKind::kZero:
    case SedAddressKind::kPlus:
    case SedAddressKind::kMultiple: return false;
  }
  return false;
}

// A range A,B: it starts at a line A matches, and takes the lines up to one B matches (B
// looked for from the next line, or from this one after 0); a line number B at or before
// A's line makes it one line long.
bool SedRun::range_matches(SedCommand& c) {
  const SedAddress& b = c.a2;
  if (c.active) {
    switch (b.kind) {
      case SedAddressKind::kLine:
      case SedAddressKind::kPlus:
        if (line_ > c.end) {  // jumped past its end: over, and this line may start another
          c.active = false;
          break;
        }
        if (line_ == c.end) c.active = false;
        return true;
      case SedAddressKind::kMultiple:
        if (b.n == 0 || line_ % b.n == 0) c.active = false;
        return true;
      default:
        if (matches(b)) c.active = false;
        return true;
    }
  }
  if (!matches(c.a1)) return false;
  switch (b.kind) {
    case SedAddressKind::kLine:
      c.end = b.n;
      c.active = b.n > line_;
      break;
    case SedAddressKind::kPlus:
      c.end = line_ + b.n;
      c.active = b.n > 0;
      break;
    case SedAddressKind::kMultiple: c.active = !(b.n == 0 || line_ % b.n == 0); break;
    case SedAddressKind::kLast: c.active = !is_last(); break;
    default: c.active = true; break;
  }
  return true;
}

bool SedRun::selected(SedCommand& c) {
  bool m;
  if (c.a1.kind == SedAddressKind::kNone) {
    m = true;
  } else if (c.a2.kind == SedAddressKind::kNone) {
    m = matches(c.a1);
  } else {
    m = range_matches(c);
  }
  return m != c.negate;
}

void SedRun::write_text(lib::StringView text) {
  if (missing_newline_) io_.write("\n");
  missing_newline_ = false;
  io_.write(text);
}

// The pattern space (or part of it) as a line: without its '\n' when the input line had
// none, which the next output then supplies.
void SedRun::write_pattern(lib::StringView text, bool newline) {
  write_text(text);
  if (newline) {
    io_.write("\n");
  } else {
    missing_newline_ = true;
  }
}

void SedRun::write_file(int32_t index, lib::StringView text, bool newline) {
  SedFile& f = script_.file(index);
  if (f.missing_newline) io_.write_to(f.id, "\n");
  io_.write_to(f.id, text);
  if (newline) io_.write_to(f.id, "\n");
  f.missing_newline = !newline;
}

void SedRun::flush_appends() {
  for (size_t i = 0; i < appends_.size(); ++i) {
    const Append& a = appends_[i];
    if (a.file) {
      if (missing_newline_) io_.write("\n");
      missing_newline_ = false;
      io_.copy_file(script_.text(a.text));
    } else {
      write_text(script_.text(a.text));
    }
  }
  appends_.clear();
}

// l: the pattern space unambiguously, C escapes and octal for the rest, folded before
// width bytes with a '\', and '$' at the end.
void SedRun::list(int64_t width) {
  if (width < 0) width = options_.line_length;
  const lib::StringView s = pattern_.view();
  result_.clear();
  size_t column = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    char repr[5];
    size_t n = 0;
    const char* named = nullptr;
    switch (c) {
      case '\\': named = "\\\\"; break;
      case '\a': named = "\\a"; break;
      case '\b': named = "\\b"; break;
      case '\f': named = "\\f"; break;
      case '\n': named = "\\n"; break;
      case '\r': named = "\\r"; break;
      case '\t': named = "\\t"; break;
      case '\v': named = "\\v"; break;
      default: break;
    }
    if (named) {
      repr[n++] = named[0];
      repr[n++] = named[1];
    } else if (c >= 32 && c < 127) {
      repr[n++] = static_cast<char>(c);
    } else {
      repr[n++] = '\\';
      repr[n++] = static_cast<char>('0' + (c >> 6));
      repr[n++] = static_cast<char>('0' + ((c >> 3) & 7));
      repr[n++] = static_cast<char>('0' + (c & 7));
    }
    if (width > 1 && column + n > static_cast<size_t>(width - 1)) {
      result_.append("\\\n");
      column = 0;
    }
    result_.append(lib::StringView(repr, n));
    column += n;
  }
  result_.append("$\n");
  write_text(result_.view());
}

bool SedRun::substitute(SedCommand& c) {
  Regex* re = resolve(c.regex);
  if (!re) return fail("no previous regular expression");
  const lib::StringView s = pattern_.view();
  const lib::StringView repl = script_.text(c.text);
  result_.clear();
  size_t copied = 0, start = 0, count = 0;
  size_t previous_end = SIZE_MAX;
  bool did = false;
  RegexGroups g;
  while (start <= s.size()) {
    size_t from, to;
    if (!re->search_from(s, start, &from, &to)) break;
    // An empty match right after the one before is no match (GNU: "baaac" s/a*/x/g gives
    // "xbxcx").
    if (from == to && from == previous_end) {
      start = from + 1;
      continue;
    }
    ++count;
    if (count >= c.nth) {
      if (c.uses_groups) {
        if (!re->groups(s, from, to, scratch_, &g)) return fail("regex groups lost");
      } else {
        g.from[0] = from;
        g.to[0] = to;
      }
      result_.append(s.substr(copied, from - copied));
      // The replacement, with \L \U (until \E) and \l \u (the next byte) applied.
      char mode = 0, once = 0;
      const auto put = [&](char b) {
        if (once) {
          b = once == 'u' ? upper(b) : lower(b);
          once = 0;
        } else if (mode) {
          b = mode == 'U' ? upper(b) : lower(b);
        }
        result_.push(b);
      };
      for (size_t i = 0; i < repl.size(); ++i) {
        if (repl[i] != kSedEscape) {
          put(repl[i]);
          continue;
        }
        const char e = repl[++i];
        if (e == kSedEscape) {
          put(e);
        } else if (e >= '0' && e <= '9') {
          const size_t k = static_cast<size_t>(e - '0');
          if (k <= kRegexMaxGroups && g.from[k] != kRegexUnset)
            for (size_t j = g.from[k]; j < g.to[k]; ++j) put(s[j]);
        } else if (e == 'E') {
          mode = once = 0;
        } else if (e == 'L' || e == 'U') {
          mode = e;
          once = 0;
        } else {
          once = e;
        }
      }
      copied = to;
      did = true;
      if (!c.global) break;
    }
    previous_end = to;
    start = to > from ? to : from + 1;
  }
  if (!did) return true;
  result_.append(s.substr(copied));
  pattern_.swap(result_);
  replaced_ = true;
  if (c.print) write_pattern(pattern_.view(), newline_);
  if (c.file >= 0) write_file(c.file, pattern_.view(), newline_);
  return true;
}

SedRun::End SedRun::execute() {
  const size_t size = script_.size();
  for (size_t pc = 0; pc < size;) {
    SedCommand& c = script_.command(pc);
    const bool chosen = selected(c);
    if (error_.size()) return End::kError;
    if (!chosen) {
      pc = c.name == '{' ? c.target + 1 : pc + 1;
      continue;
    }
    switch (c.name) {
      case '{':
      case '}':
      case ':':
      case 'v': break;
      case '=': {
        char number[24];
        const size_t n = lib::format_to(number, sizeof(number), "{}\n", line_);
        write_text(lib::StringView(number, n));
        break;
      }
      case 'a':
      case 'r':
        if (!appends_.push(Append{c.name == 'r', c.text})) {
          fail("couldn't allocate memory");
          return End::kError;
        }
        break;
      case 'i': write_text(script_.text(c.text)); break;
      case 'c':
        // In a range, the text goes out once, at its end.
        if (c.a2.kind == SedAddressKind::kNone || c.negate || !c.active)
          write_text(script_.text(c.text));
        return End::kDelete;
      case 'd': return End::kDelete;
      case 'D': {
        const size_t nl = find_newline(pattern_.view());
        if (nl == pattern_.size()) return End::kDelete;
        pattern_.erase_front(nl + 1);
        return End::kRestart;
      }
      case 'g':
        pattern_.assign(hold_.view());
        newline_ = hold_newline_;
        break;
      case 'G':
        pattern_.push('\n');
        pattern_.append(hold_.view());
        break;
      case 'h':
        hold_.assign(pattern_.view());
        hold_newline_ = newline_;
        break;
      case 'H':
        hold_.push('\n');
        hold_.append(pattern_.view());
        break;
      case 'x': {
        pattern_.swap(hold_);
        const bool n = newline_;
        newline_ = hold_newline_;
        hold_newline_ = n;
        break;
      }
      case 'l': list(c.number); break;
      case 'n':
        if (!has_next()) return End::kCycle;
        if (!options_.quiet) write_pattern(pattern_.view(), newline_);
        flush_appends();
        read_line(false);
        break;
      case 'N':
        if (!has_next()) return End::kCycle;
        flush_appends();
        read_line(true);
        break;
      case 'p': write_pattern(pattern_.view(), newline_); break;
      case 'P': {
        const lib::StringView s = pattern_.view();
        write_pattern(s.substr(0, find_newline(s)), true);
        break;
      }
      case 'q': exit_code_ = c.number < 0 ? 0 : static_cast<int>(c.number); return End::kQuit;
      case 'Q':
        exit_code_ = c.number < 0 ? 0 : static_cast<int>(c.number);
        return End::kQuitSilently;
      case 's':
        if (!substitute(c)) return End::kError;
        break;
      case 't':
      case 'T':
        if (replaced_ == (c.name == 't')) {
          replaced_ = false;
          pc = c.target;
          continue;
        }
        replaced_ = false;
        break;
      case 'b': pc = c.target; continue;
      case 'w': write_file(c.file, pattern_.view(), newline_); break;
      case 'W': {
        const lib::StringView s = pattern_.view();
        write_file(c.file, s.substr(0, find_newline(s)), true);
        break;
      }
      case 'y': {
        const lib::StringView table = script_.text(c.text);
        char* d = pattern_.data();
        for (size_t i = 0; i < pattern_.size(); ++i) d[i] = table[static_cast<uint8_t>(d[i])];
        break;
      }
      case 'z': pattern_.clear(); break;
      case 'F': {
        write_text(io_.file_name());
        io_.write("\n");
        break;
      }
      default: break;
    }
    ++pc;
  }
  return End::kCycle;
}

int SedRun::run() {
  bool restart = false;
  for (;;) {
    if (!restart && !read_line(false)) break;
    restart = false;
    const End end = execute();
    if (end == End::kError) return 4;
    if (end == End::kQuitSilently) return exit_code_;
    if ((end == End::kCycle || end == End::kQuit) && !options_.quiet)
      write_pattern(pattern_.view(), newline_);
    flush_appends();
    if (pattern_.failed() || hold_.failed() || ahead_.failed() || result_.failed()) {
      fail("couldn't re-allocate memory");
      return 4;
    }
    if (end == End::kQuit) return exit_code_;
    restart = end == End::kRestart;
  }
  return 0;
}

}  // namespace text
