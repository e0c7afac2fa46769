#include "programs/sed/sed_script.h"

#include <new>

#include <lib/format.h>

namespace text {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digit_value(char c, int base) {
  int v = -1;
  if (c >= '0' && c <= '9') v = c - '0';
  if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
  if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
  return v < base ? v : -1;
}

// Bytes that mean something in a regex: one an escape produced stands for itself.
bool regex_special(char c) {
  for (const char* s = ".[]*^$\\+?(){}|"; *s; ++s)
    if (*s == c) return true;
  return false;
}

}  // namespace

bool sed_escape(lib::StringView s, size_t* i, char* out) {
  if (*i >= s.size()) return false;
  const char c = s[*i];
  switch (c) {
    case 'a': *out = '\a'; break;
    case 'f': *out = '\f'; break;
    case 'n': *out = '\n'; break;
    case 'r': *out = '\r'; break;
    case 't': *out = '\t'; break;
    case 'v': *out = '\v'; break;
    case 'c':
      if (*i + 1 >= s.size()) return false;
      {
        char x = s[*i + 1];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
        *out = static_cast<char>(x ^ 0x40);
      }
      *i += 2;
      return true;
    case 'd':
    case 'o':
    case 'x': {
      const int base = c == 'd' ? 10 : c == 'o' ? 8 : 16;
      const size_t most = c == 'x' ? 2 : 3;
      size_t j = *i + 1;
      unsigned v = 0;
      while (j < s.size() && j - (*i + 1) < most && digit_value(s[j], base) >= 0)
        v = v * base + digit_value(s[j++], base);
      if (j == *i + 1) return false;
      *out = static_cast<char>(v & 0xff);
      *i = j;
      return true;
    }
    default: return false;
  }
  *i += 1;
  return true;
}

SedScript::~SedScript() {
  for (size_t i = 0; i < regexes_.size(); ++i) {
    regexes_[i]->~Regex();
    io_.release(regexes_[i], sizeof(Regex));
  }
}

bool SedScript::add_piece(lib::StringView text, uint32_t number, lib::StringView file_name) {
  Piece piece{static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(text.size()), number, {}};
  if (text.size() > kSedMaxText - text_.size() - 1 || !store(file_name, &piece.file_name) ||
      !text_.append(text) || !text_.push('\n') || !pieces_.push(piece))
    return out_of_memory();
  return true;
}

bool SedScript::add_expression(lib::StringView text) {
  return add_piece(text, ++expressions_, lib::StringView());
}

bool SedScript::add_file(lib::StringView name, lib::StringView text) {
  // A file's last line needs no '\n' of its own: the joining gives one.
  if (text.size() && text[text.size() - 1] == '\n') text = text.substr(0, text.size() - 1);
  return add_piece(text, 0, name);
}

bool SedScript::fail(const char* message, lib::StringView detail) {
  // Where: the piece holding the last byte read, as GNU counts (char N: N bytes of the
  // -e read; line N of a file).
  const size_t pos = at_ > text_.size() ? text_.size() : at_;
  size_t n = 0;
  for (size_t i = 0; i < pieces_.size(); ++i)
    if (pieces_[i].start < pos || i == 0) n = i;
  char where[160];
  size_t w = 0;
  if (pieces_.size() == 0) {
    w = lib::format_to(where, sizeof(where), "-e expression #1, char 0");
  } else if (pieces_[n].number) {
    // The '\n' that joins it to the next piece is not the expression's own.
    size_t column = pos - pieces_[n].start;
    if (column > pieces_[n].size) column = pieces_[n].size;
    w = lib::format_to(where, sizeof(where), "-e expression #{}, char {}", pieces_[n].number,
                       column);
  } else {
    size_t line = 1;
    const lib::StringView t = text_.view();
    for (size_t i = pieces_[n].start; i + 1 < pos && i < t.size(); ++i) line += t[i] == '\n';
    w = lib::format_to(where, sizeof(where), "file {} line {}", text(pieces_[n].file_name), line);
  }
  if (w >= sizeof(where)) w = sizeof(where) - 1;
  error_size_ = lib::format_to(error_, sizeof(error_), "{}: {}{}", lib::StringView(where, w),
                               message, detail);
  if (error_size_ >= sizeof(error_)) error_size_ = sizeof(error_) - 1;
  return false;
}

bool SedScript::store(lib::StringView s, SedSpan* out) {
  if (strings_.size() + s.size() > UINT32_MAX) return false;
  out->at = static_cast<uint32_t>(strings_.size());
  out->size = static_cast<uint32_t>(s.size());
  return strings_.append(s);
}

void SedScript::skip_blanks() {
  while (!done() && is_blank(peek())) ++at_;
}

bool SedScript::end_of_command() {
  skip_blanks();
  if (done()) return true;
  const char c = peek();
  if (c == ';' || c == '\n') {
    ++at_;
    return true;
  }
  if (c == '}' || c == '#') return true;
  ++at_;
  return fail("extra characters after command");
}

bool SedScript::number(uint64_t* out) {
  uint64_t v = 0;
  if (!is_digit(peek())) return false;
  while (is_digit(peek())) {
    const uint64_t d = static_cast<uint64_t>(peek() - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    ++at_;
  }
  *out = v;
  return true;
}

// The text up to delim (at_ is past the opening one), as GNU's match_slash reads it: a
// backslash before delim or a newline goes, and in a regex \n is a newline; other escapes
// are left for later. False at an unescaped newline or the end.
bool SedScript::delimited(char delim, bool regex, SedText& out) {
  out.clear();
  while (!done()) {
    char c = text_.view()[at_++];
    if (c == delim) return !out.failed();
    if (c == '\n') return false;
    if (c == '\\') {
      if (done()) return false;
      c = text_.view()[at_++];
      if (c == 'n' && regex) {
        c = '\n';
      } else if (c != '\n' && (c != delim || (!regex && c == '&'))) {
        out.push('\\');
      }
    }
    out.push(c);
  }
  return false;
}

bool SedScript::regex(lib::StringView pattern, uint32_t flags, int32_t* out) {
  if (pattern.size() == 0) {
    *out = kSedLastRegex;
    return true;
  }
  // GNU's escapes become the bytes they name; one that is special in a regex is escaped.
  SedText converted(io_);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '\\' || i + 1 >= pattern.size()) {
      converted.push(pattern[i]);
      continue;
    }
    size_t j = i + 1;
    char byte;
    if (sed_escape(pattern, &j, &byte)) {
      if (regex_special(byte)) converted.push('\\');
      converted.push(byte);
      i = j - 1;
    } else {
      converted.push('\\');
      converted.push(pattern[++i]);
    }
  }
  if (converted.failed()) return out_of_memory();
  flags |= flags_ | kSubmatches;
  const lib::StringView p = converted.view();
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (sources_[i].flags == flags && text(sources_[i].pattern) == p) {
      *out = static_cast<int32_t>(i);
      return true;
    }
  }
  void* memory = io_.allocate(sizeof(Regex));
  if (!memory) return out_of_memory();
  Regex* re = new (memory) Regex();
  const RegexError err = re->compile(p, flags);
  Source source{{}, flags};
  if (err != RegexError::kNone || !store(p, &source.pattern) || !regexes_.push(re) ||
      !sources_.push(source)) {
    re->~Regex();
    io_.release(memory, sizeof(Regex));
    if (err != RegexError::kNone) return fail(regex_error_text(err));
    return out_of_memory();
  }
  *out = static_cast<int32_t>(regexes_.size() - 1);
  return true;
}

bool SedScript::address(SedAddress* a, bool second) {
  const char c = peek();
  if (is_digit(c)) {
    uint64_t n;
    number(&n);
    if (!second && peek() == '~') {
      ++at_;
      uint64_t step = 0;
      number(&step);
      a->kind = SedAddressKind::kStep;
      a->n = n;
      a->step = step;
      return true;
    }
    if (n == 0) {
      if (second) return fail("invalid usage of line address 0");
      a->kind = SedAddressKind::kZero;
      return true;
    }
    a->kind = SedAddressKind::kLine;
    a->n = n;
    return true;
  }
  if (c == '$') {
    ++at_;
    a->kind = SedAddressKind::kLast;
    return true;
  }
  if (second && (c == '+' || c == '~') && is_digit(peek(1))) {
    ++at_;
    number(&a->n);
    a->kind = c == '+' ? SedAddressKind::kPlus : SedAddressKind::kMultiple;
    return true;
  }
  if (c == '/' || c == '\\') {
    ++at_;
    char delim = '/';
    if (c == '\\') {
      if (done() || peek() == '\n' || peek() == '\\')
        return fail("unexpected `,'");  // GNU says this of a missing delimiter too
      delim = text_.view()[at_++];
    }
    SedText pattern(io_);
    if (!delimited(delim, true, pattern)) {
      if (pattern.failed()) return out_of_memory();
      return fail("unterminated address regex");
    }
    uint32_t flags = 0;
    for (;;) {
      if (peek() == 'I') {
        flags |= kIgnoreCase;
        ++at_;
      } else if (peek() == 'M') {
        ++at_;
        return fail("the M modifier is not supported");
      } else {
        break;
      }
    }
    a->kind = SedAddressKind::kRegex;
    return regex(pattern.view(), flags, &a->regex);
  }
  return true;
}

bool SedScript::label(bool jump, SedSpan* out) {
  skip_blanks();
  const size_t start = at_;
  while (!done() && peek() != ';' && !is_space(peek()) && !(jump && peek() == '}')) ++at_;
  if (!store(text_.view().substr(start, at_ - start), out)) return out_of_memory();
  return true;
}

bool SedScript::file_name(SedSpan* out) {
  skip_blanks();
  const size_t start = at_;
  while (!done() && peek() != '\n') ++at_;
  if (at_ == start) return fail("missing filename in r/R/w/W commands");
  const lib::StringView name = text_.view().substr(start, at_ - start);
  if (!done()) ++at_;
  if (!store(name, out)) return out_of_memory();
  return true;
}

// a, i, c: "a\" and lines of text (each but the last ending in a backslash), or GNU's one
// line "a text". A backslash takes the byte after it (or names an escape).
bool SedScript::text_argument(SedSpan* out) {
  skip_blanks();
  if (done() || peek() == '\n') return fail("expected \\ after `a', `c' or `i'");
  if (peek() == '\\') {
    ++at_;
    if (peek() == '\n') {
      ++at_;
      // "a\" ending the script: no text at all, not an empty line (GNU).
      if (done()) return store(lib::StringView(), out) || out_of_memory();
    }
  }
  SedText t(io_);
  while (!done()) {
    char c = text_.view()[at_++];
    if (c == '\n') break;
    if (c == '\\') {
      if (done()) break;
      size_t j = at_;
      if (!sed_escape(text_.view(), &j, &c)) {
        c = text_.view()[at_];
        j = at_ + 1;
      }
      at_ = j;
    }
    t.push(c);
  }
  t.push('\n');
  if (t.failed() || !store(t.view(), out)) return out_of_memory();
  return true;
}

bool SedScript::replacement(lib::StringView r, SedCommand& c, SedText& out) {
  out.clear();
  const auto literal = [&out](char b) {
    if (b == kSedEscape) out.push(kSedEscape);
    out.push(b);
  };
  for (size_t i = 0; i < r.size(); ++i) {
    const char ch = r[i];
    if (ch == '&') {
      out.push(kSedEscape);
      out.push('0');
      continue;
    }
    if (ch != '\\' || i + 1 >= r.size()) {
      literal(ch);
      continue;
    }
    const char next = r[i + 1];
    if (is_digit(next)) {
      out.push(kSedEscape);
      out.push(next);
      if (next != '0') c.uses_groups = true;
      if (c.regex != kSedLastRegex &&
          static_cast<size_t>(next - '0') > regex(c.regex)->group_count()) {
        const char what[] = {'\\', next, 0};
        char message[64];
        lib::format_to(message, sizeof(message), "invalid reference {} on `s' command's RHS",
                       lib::StringView(what));
        return fail(message);
      }
      ++i;
      continue;
    }
    if (next == 'L' || next == 'U' || next == 'E' || next == 'l' || next == 'u') {
      out.push(kSedEscape);
      out.push(next);
      ++i;
      continue;
    }
    size_t j = i + 1;
    char byte;
    if (sed_escape(r, &j, &byte)) {
      literal(byte);
      i = j - 1;
      continue;
    }
    literal(next);
    ++i;
  }
  if (out.failed()) return out_of_memory();
  return true;
}

bool SedScript::write_file(SedCommand& c) {
  SedSpan name;
  if (!file_name(&name)) return false;
  const lib::StringView n = text(name);
  for (size_t i = 0; i < files_.size(); ++i) {
    if (text(files_[i].name) == n) {
      c.file = static_cast<int32_t>(i);
      return true;
    }
  }
  const char* why = "";
  SedFile f{name, io_.open_output(n, &why), false};
  if (f.id < 0) return message("couldn't open file {}: {}", n, lib::StringView(why));
  if (!files_.push(f)) return out_of_memory();
  c.file = static_cast<int32_t>(files_.size() - 1);
  return true;
}

bool SedScript::substitute(SedCommand& c) {
  if (done() || peek() == '\n' || peek() == '\\') return fail("unterminated `s' command");
  const char delim = text_.view()[at_++];
  SedText pattern(io_), repl(io_), encoded(io_);
  if (!delimited(delim, true, pattern) || !delimited(delim, false, repl)) {
    if (pattern.failed() || repl.failed()) return out_of_memory();
    return fail("unterminated `s' command");
  }
  uint32_t flags = 0;
  bool have_number = false;
  // The regex (with the flags read) and the replacement, once the flags are known.
  const auto compile = [&]() {
    if (!regex(pattern.view(), flags, &c.regex) || !replacement(repl.view(), c, encoded))
      return false;
    return store(encoded.view(), &c.text) || out_of_memory();
  };
  for (;;) {
    if (done()) break;
    const char f = peek();
    if (is_blank(f)) {  // GNU lets blanks go between the flags
      ++at_;
      continue;
    }
    if (f == 'g') {
      if (c.global) return fail_after("multiple `g' options to `s' command");
      c.global = true;
    } else if (f == 'p') {
      if (c.print) return fail_after("multiple `p' options to `s' command");
      c.print = true;
    } else if (f == 'i' || f == 'I') {
      flags |= kIgnoreCase;
    } else if (is_digit(f)) {
      if (have_number) return fail_after("multiple number options to `s' command");
      number(&c.nth);
      if (c.nth == 0) return fail("number option to `s' command may not be zero");
      have_number = true;
      continue;
    } else if (f == 'w') {
      ++at_;
      return compile() && write_file(c);
    } else {
      break;
    }
    ++at_;
  }
  if (!end_of_command()) return fail("unknown option to `s'");
  return compile();
}

bool SedScript::transliterate(SedCommand& c) {
  if (done() || peek() == '\n' || peek() == '\\') return fail("unterminated `y' command");
  const char delim = text_.view()[at_++];
  SedText from(io_), to(io_);
  if (!delimited(delim, false, from) || !delimited(delim, false, to)) {
    if (from.failed() || to.failed()) return out_of_memory();
    return fail("unterminated `y' command");
  }
  // Backslash escapes: \\ and GNU's (\n, \t, ...); the byte itself after any other.
  const auto decode = [](SedText& t) {
    char* d = t.data();
    const lib::StringView v = t.view();
    size_t n = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      char b = v[i];
      if (b == '\\' && i + 1 < v.size()) {
        size_t j = i + 1;
        if (!sed_escape(v, &j, &b)) {
          b = v[i + 1];
          j = i + 2;
        }
        i = j - 1;
      }
      d[n++] = b;
    }
    return n;
  };
  const size_t nf = from.size() ? decode(from) : 0;
  const size_t nt = to.size() ? decode(to) : 0;
  if (nf != nt) return fail("strings for `y' command are different lengths");
  char table[256];
  for (int i = 0; i < 256; ++i) table[i] = static_cast<char>(i);
  for (size_t i = 0; i < nf; ++i) table[static_cast<uint8_t>(from.data()[i])] = to.data()[i];
  if (!store(lib::StringView(table, sizeof(table)), &c.text)) return out_of_memory();
  return end_of_command();
}

bool SedScript::parse(uint32_t flags) {
  flags_ = flags;
  at_ = 0;
  const lib::StringView all = text_.view();
  // "#n" first, as GNU reads it: whatever follows on that line.
  if (all.size() >= 2 && all[0] == '#' && all[1] == 'n') quiet_ = true;
  SedArray<uint32_t> blocks(io_);
  for (;;) {
    while (!done() && (is_space(peek()) || peek() == ';')) ++at_;
    if (done()) break;
    if (peek() == '#') {
      while (!done() && peek() != '\n') ++at_;
      continue;
    }
    SedCommand c;
    if (!address(&c.a1, false)) return false;
    if (c.a1.kind != SedAddressKind::kNone) {
      skip_blanks();
      if (peek() == ',') {
        ++at_;
        skip_blanks();
        if (!address(&c.a2, true)) return false;
        if (c.a2.kind == SedAddressKind::kNone) return fail("unexpected `,'");
      }
    }
    if (c.a1.kind == SedAddressKind::kZero) c.active = true;
    skip_blanks();
    while (peek() == '!') {
      if (c.negate) return fail_after("multiple `!'s");
      c.negate = true;
      ++at_;
      skip_blanks();
    }
    if (done() || peek() == '\n') return fail("missing command");
    const bool addressed = c.a1.kind != SedAddressKind::kNone;
    c.name = text_.view()[at_++];
    if (c.a1.kind == SedAddressKind::kZero && c.a2.kind != SedAddressKind::kRegex)
      return fail("invalid usage of line address 0");
    bool ok = true;
    switch (c.name) {
      case '{':
        if (!blocks.push(static_cast<uint32_t>(commands_.size()))) return out_of_memory();
        break;
      case '}':
        if (blocks.size() == 0) return fail("unexpected `}'");
        if (addressed) return fail("} doesn't want any addresses");
        commands_[blocks[blocks.size() - 1]].target = static_cast<uint32_t>(commands_.size());
        blocks.pop();
        ok = end_of_command();
        break;
      case '=':
      case 'd':
      case 'D':
      case 'g':
      case 'G':
      case 'h':
      case 'H':
      case 'n':
      case 'N':
      case 'p':
      case 'P':
      case 'x':
      case 'z':
      case 'F': ok = end_of_command(); break;
      case 'a':
      case 'i':
      case 'c': ok = text_argument(&c.text); break;
      case ':':
        if (addressed) return fail(": doesn't want any addresses");
        if (!label(false, &c.text)) return false;
        if (c.text.size == 0) return fail("\":\" lacks a label");
        ok = end_of_command();
        break;
      case 'b':
      case 't':
      case 'T': ok = label(true, &c.text) && end_of_command(); break;
      case 'q':
      case 'Q': {
        if (c.a2.kind != SedAddressKind::kNone) return fail("command only uses one address");
        skip_blanks();
        uint64_t code = 0;
        if (number(&code)) c.number = static_cast<int64_t>(code & 0xff);
        ok = end_of_command();
        break;
      }
      case 'l': {
        skip_blanks();
        uint64_t width;
        if (number(&width)) c.number = width > INT32_MAX ? INT32_MAX : static_cast<int64_t>(width);
        ok = end_of_command();
        break;
      }
      case 'r': ok = file_name(&c.text); break;
      case 'w':
      case 'W': ok = write_file(c); break;
      case 's': ok = substitute(c); break;
      case 'y': ok = transliterate(c); break;
      case 'v':
        if (addressed) return fail(": doesn't want any addresses");
        ok = label(false, &c.text) && end_of_command();
        break;
      default: {
        char what[2] = {c.name, 0};
        char message[32];
        lib::format_to(message, sizeof(message), "unknown command: `{}'", lib::StringView(what));
        return fail(message);
      }
    }
    if (!ok) return false;
    if (!commands_.push(c)) return out_of_memory();
  }
  if (blocks.size() != 0) {
    at_ = 0;
    return fail("unmatched `{'");
  }
  return resolve_labels();
}

bool SedScript::resolve_labels() {
  const uint32_t end = static_cast<uint32_t>(commands_.size());
  for (size_t i = 0; i < commands_.size(); ++i) {
    SedCommand& c = commands_[i];
    if (c.name != 'b' && c.name != 't' && c.name != 'T') continue;
    c.target = end;
    if (c.text.size == 0) continue;
    bool found = false;
    for (size_t j = 0; j < commands_.size() && !found; ++j) {
      if (commands_[j].name == ':' && text(commands_[j].text) == text(c.text)) {
        c.target = static_cast<uint32_t>(j);
        found = true;
      }
    }
    if (!found) return message("can't find label for jump to `{}'", text(c.text));
  }
  return true;
}

}  // namespace text
