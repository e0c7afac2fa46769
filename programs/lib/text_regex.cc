#include "programs/lib/text_regex.h"

namespace text {

namespace {

enum Kind : uint8_t { kEmpty, kChar, kAny, kSet, kAssert, kConcat, kAlt, kRepeat, kGroup };

enum Assertion : uint8_t {
  kBol,            // ^
  kEol,            // $
  kWordStart,      // \<
  kWordEnd,        // \>
  kWordBoundary,   // \b
  kNotBoundary,    // \B
  kNotWordBefore,  // -w: the line's start or a non-word byte before
  kNotWordAfter,   // -w: the line's end or a non-word byte after
};

constexpr uint16_t kInfinite = 0xffff;
constexpr int32_t kNone = -1;

bool is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(uint8_t c) { return c >= 'a' && c <= 'z'; }
bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
bool is_alpha(uint8_t c) { return is_upper(c) || is_lower(c); }
bool is_word(uint8_t c) { return is_alpha(c) || is_digit(c) || c == '_'; }
bool is_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
uint8_t to_lower(uint8_t c) { return is_upper(c) ? c + ('a' - 'A') : c; }
uint8_t to_upper(uint8_t c) { return is_lower(c) ? c - ('a' - 'A') : c; }

void set_add(uint64_t* set, uint8_t c) { set[c >> 6] |= uint64_t{1} << (c & 63); }
bool set_has(const uint64_t* set, uint8_t c) { return (set[c >> 6] >> (c & 63)) & 1; }

// The bytes of a [:name:] class.
bool class_has(lib::StringView name, uint8_t c, bool* known) {
  *known = true;
  if (name == "alpha") return is_alpha(c);
  if (name == "digit") return is_digit(c);
  if (name == "alnum") return is_alpha(c) || is_digit(c);
  if (name == "upper") return is_upper(c);
  if (name == "lower") return is_lower(c);
  if (name == "space") return is_space(c);
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "punct") return c > ' ' && c < 127 && !is_alpha(c) && !is_digit(c);
  if (name == "print") return c >= ' ' && c < 127;
  if (name == "graph") return c > ' ' && c < 127;
  if (name == "cntrl") return c < ' ' || c == 127;
  if (name == "xdigit") return is_digit(c) || (to_lower(c) >= 'a' && to_lower(c) <= 'f');
  *known = false;
  return false;
}

}  // namespace

const char* regex_error_text(RegexError err) {
  switch (err) {
    case RegexError::kNone: return "success";
    case RegexError::kBadBracket: return "Unmatched [, [^, [:, [., or [=";
    case RegexError::kBadClass: return "Invalid character class name";
    case RegexError::kBadRange: return "Invalid range end";
    case RegexError::kBadParen: return "Unmatched ( or \\(";
    case RegexError::kBadBrace: return "Invalid content of \\{\\}";
    case RegexError::kBadRepeat: return "Regular expression too big";
    case RegexError::kTrailingEscape: return "Trailing backslash";
    case RegexError::kBackReference: return "back-references are not supported";
    case RegexError::kTooBig: return "Regular expression too big";
    case RegexError::kTooDeep: return "Regular expression too deeply nested";
  }
  return "unknown error";
}

// Recursive descent over one pattern into regex.nodes_. Recursion is by group only, and
// groups nest at most kRegexMaxDepth deep.
class Regex::Parser {
 public:
  Parser(Regex& re, lib::StringView pattern, uint32_t flags)
      : re_(re),
        p_(pattern),
        ere_(flags & kExtended),
        icase_(flags & kIgnoreCase),
        submatches_(flags & kSubmatches) {}

  RegexError error() const { return error_; }
  size_t groups() const { return groups_; }

  int32_t literal() {
    const int32_t seq = node(kConcat);
    for (size_t i = 0; i < p_.size() && seq != kNone; ++i)
      append(seq, char_node(static_cast<uint8_t>(p_[i])));
    return seq;
  }

  int32_t whole() {
    const int32_t n = alternation(0);
    if (error_ == RegexError::kNone && at_ < p_.size()) error_ = RegexError::kBadParen;
    return n;
  }

 private:
  bool done() const { return at_ >= p_.size(); }
  char peek(size_t ahead = 0) const { return at_ + ahead < p_.size() ? p_[at_ + ahead] : 0; }
  bool fail(RegexError e) {
    if (error_ == RegexError::kNone) error_ = e;
    return false;
  }

  int32_t node(uint8_t kind) {
    if (error_ != RegexError::kNone) return kNone;
    if (re_.node_count_ == kRegexMaxNodes) {
      fail(RegexError::kTooBig);
      return kNone;
    }
    const int32_t n = static_cast<int32_t>(re_.node_count_++);
    re_.nodes_[n] = Node{kind, 0, 0, 0, 0, 0, kNone, kNone, kNone};
    return n;
  }
  Node& at(int32_t n) { return re_.nodes_[n]; }
  void append(int32_t list, int32_t child) {
    if (list == kNone || child == kNone) return;
    Node& l = at(list);
    if (l.last == kNone) {
      l.child = child;
    } else {
      at(l.last).next = child;
    }
    l.last = child;
    if (at(child).depth + 1 > l.depth) l.depth = at(child).depth + 1;
  }
  int32_t char_node(uint8_t c) {
    const int32_t n = node(kChar);
    if (n != kNone) at(n).c = c;
    return n;
  }
  int32_t assert_node(Assertion a) {
    const int32_t n = node(kAssert);
    if (n != kNone) at(n).c = a;
    return n;
  }

  // Whether the text at at_ is the end of a branch: the pattern's end, '|' or ')'.
  bool at_branch_end(size_t depth) const {
    if (done()) return true;
    if (ere_) return peek() == '|' || (peek() == ')' && depth > 0);
    return peek() == '\\' && (peek(1) == '|' || (peek(1) == ')' && depth > 0));
  }

  int32_t alternation(size_t depth) {
    if (depth > kRegexMaxDepth) {
      fail(RegexError::kTooDeep);
      return kNone;
    }
    const int32_t first = branch(depth);
    if (done() || error_ != RegexError::kNone) return first;
    if (!(ere_ ? peek() == '|' : peek() == '\\' && peek(1) == '|')) return first;
    const int32_t alt = node(kAlt);
    append(alt, first);
    while (!done() && error_ == RegexError::kNone &&
           (ere_ ? peek() == '|' : peek() == '\\' && peek(1) == '|')) {
      at_ += ere_ ? 1 : 2;
      append(alt, branch(depth));
    }
    return alt;
  }

  int32_t branch(size_t depth) {
    const int32_t seq = node(kConcat);
    const size_t start = at_;
    while (error_ == RegexError::kNone && !at_branch_end(depth)) {
      // '*' at the start of a BRE (or after an anchor there) is a literal; in an ERE a
      // repetition with nothing before it is ignored, as GNU does.
      int32_t atom = kNone;
      const bool first = at(seq).child == kNone ||
                         (at(seq).child == at(seq).last && at(at(seq).child).kind == kAssert &&
                          at(at(seq).child).c == kBol);
      if (!ere_ && first && peek() == '*') {
        ++at_;
        atom = char_node('*');
      } else if (ere_ && first && (peek() == '*' || peek() == '+' || peek() == '?')) {
        ++at_;
        continue;
      } else {
        atom = this->atom(depth, at_ == start);
      }
      if (atom == kNone) return kNone;
      atom = postfix(atom);
      append(seq, atom);
    }
    return seq;
  }

  // A count in {m,n}: digits up to the limit.
  bool count(uint32_t* out) {
    if (!is_digit(peek())) return false;
    uint32_t v = 0;
    while (is_digit(peek())) {
      v = v * 10 + (peek() - '0');
      if (v > kRegexMaxRepeat) v = kRegexMaxRepeat + 1;
      ++at_;
    }
    *out = v;
    return true;
  }

  // {m}, {m,}, {m,n} or {,n} after the opening brace; at_ is past the closing one.
  bool interval(uint32_t* min, uint32_t* max) {
    *min = 0;
    *max = kInfinite;
    const bool has_min = count(min);
    if (peek() == ',') {
      ++at_;
      uint32_t n;
      if (count(&n)) *max = n;
    } else {
      if (!has_min) return false;
      *max = *min;
    }
    if (ere_) {
      if (peek() != '}') return false;
      ++at_;
    } else {
      if (peek() != '\\' || peek(1) != '}') return false;
      at_ += 2;
    }
    return true;
  }

  int32_t postfix(int32_t atom) {
    for (;;) {
      uint32_t min, max;
      const char c = peek();
      if (c == '*') {
        ++at_;
        min = 0, max = kInfinite;
      } else if (ere_ && c == '+') {
        ++at_;
        min = 1, max = kInfinite;
      } else if (ere_ && c == '?') {
        ++at_;
        min = 0, max = 1;
      } else if (!ere_ && c == '\\' && (peek(1) == '+' || peek(1) == '?')) {
        min = peek(1) == '+' ? 1 : 0, max = peek(1) == '+' ? kInfinite : 1;
        at_ += 2;
      } else if ((ere_ && c == '{') || (!ere_ && c == '\\' && peek(1) == '{')) {
        const size_t save = at_;
        at_ += ere_ ? 1 : 2;
        if (!interval(&min, &max)) {
          if (ere_) {  // not an interval: a literal '{', as GNU takes it
            at_ = save;
            return atom;
          }
          fail(RegexError::kBadBrace);
          return kNone;
        }
        if ((max != kInfinite && max > kRegexMaxRepeat) || min > kRegexMaxRepeat) {
          fail(RegexError::kBadRepeat);
          return kNone;
        }
        if (max != kInfinite && min > max) {
          fail(RegexError::kBadBrace);
          return kNone;
        }
      } else {
        return atom;
      }
      const int32_t rep = node(kRepeat);
      if (rep == kNone) return kNone;
      at(rep).min = static_cast<uint16_t>(min);
      at(rep).max = static_cast<uint16_t>(max);
      append(rep, atom);
      if (at(rep).depth > kRegexMaxDepth) {
        fail(RegexError::kTooDeep);
        return kNone;
      }
      atom = rep;
    }
  }

  int32_t atom(size_t depth, bool branch_start) {
    const char c = peek();
    ++at_;
    if (ere_) {
      switch (c) {
        case '(': return group(depth);
        case ')': fail(RegexError::kBadParen); return kNone;
        case '^': return assert_node(kBol);
        case '$': return assert_node(kEol);
        case '.': return node(kAny);
        case '[': return bracket();
        case '\\': return escape(depth);
        default: return char_node(static_cast<uint8_t>(c));
      }
    }
    switch (c) {
      case '^':
        if (branch_start) return assert_node(kBol);
        return char_node('^');
      case '$':
        if (at_branch_end(depth)) return assert_node(kEol);
        return char_node('$');
      case '.': return node(kAny);
      case '[': return bracket();
      case '\\': return escape(depth);
      default: return char_node(static_cast<uint8_t>(c));
    }
  }

  // A group: numbered in the order it opens; with kSubmatches the first kRegexMaxGroups
  // become kGroup nodes, which compile to Saves around their inside.
  int32_t group(size_t depth) {
    const size_t number = ++groups_;
    const int32_t inner = alternation(depth + 1);
    if (error_ != RegexError::kNone) return kNone;
    if (ere_ ? peek() != ')' : peek() != '\\' || peek(1) != ')') {
      fail(RegexError::kBadParen);
      return kNone;
    }
    at_ += ere_ ? 1 : 2;
    if (!submatches_ || number > kRegexMaxGroups) return inner;
    const int32_t n = node(kGroup);
    if (n == kNone) return kNone;
    at(n).c = static_cast<uint8_t>(number);
    append(n, inner);
    return n;
  }

  int32_t class_set(bool negate, bool (*has)(uint8_t)) {
    const int32_t n = node(kSet);
    if (n == kNone) return kNone;
    uint64_t* set = new_set(n);
    if (!set) return kNone;
    for (unsigned c = 0; c < 256; ++c)
      if (has(static_cast<uint8_t>(c)) != negate) set_add(set, static_cast<uint8_t>(c));
    return n;
  }

  uint64_t* new_set(int32_t n) {
    if (re_.set_count_ == kRegexMaxSets) {
      fail(RegexError::kTooBig);
      return nullptr;
    }
    at(n).set = static_cast<uint16_t>(re_.set_count_);
    uint64_t* set = re_.sets_[re_.set_count_++];
    for (int i = 0; i < 4; ++i) set[i] = 0;
    return set;
  }

  int32_t escape(size_t depth) {
    if (done()) {
      fail(RegexError::kTrailingEscape);
      return kNone;
    }
    const char c = peek();
    ++at_;
    switch (c) {
      case '(':
        if (!ere_) return group(depth);
        break;
      case ')':
        if (!ere_) {
          fail(RegexError::kBadParen);
          return kNone;
        }
        break;
      case '{':
        if (!ere_) {  // a BRE interval with nothing before it
          fail(RegexError::kBadBrace);
          return kNone;
        }
        break;
      case '<': return assert_node(kWordStart);
      case '>': return assert_node(kWordEnd);
      case 'b': return assert_node(kWordBoundary);
      case 'B': return assert_node(kNotBoundary);
      case '`': return assert_node(kBol);
      case '\'': return assert_node(kEol);
      case 'w': return class_set(false, is_word);
      case 'W': return class_set(true, is_word);
      case 's': return class_set(false, is_space);
      case 'S': return class_set(true, is_space);
      default:
        if (c >= '1' && c <= '9') {
          fail(RegexError::kBackReference);
          return kNone;
        }
        break;
    }
    return char_node(static_cast<uint8_t>(c));
  }

  // One element's byte inside a bracket: a plain byte or [.c.] / [=c=]; false at a class.
  bool bracket_byte(uint8_t* out) {
    if (peek() == '[' && (peek(1) == '.' || peek(1) == '=')) {
      const char kind = peek(1);
      if (peek(2) != 0 && peek(3) == kind && peek(4) == ']') {
        *out = static_cast<uint8_t>(peek(2));
        at_ += 5;
        return true;
      }
      fail(RegexError::kBadBracket);
      return false;
    }
    *out = static_cast<uint8_t>(peek());
    ++at_;
    return true;
  }

  int32_t bracket() {
    const int32_t n = node(kSet);
    if (n == kNone) return kNone;
    uint64_t* set = new_set(n);
    if (!set) return kNone;
    bool negate = false;
    if (peek() == '^') {
      negate = true;
      ++at_;
    }
    bool first = true;
    for (;;) {
      if (done()) {
        fail(RegexError::kBadBracket);
        return kNone;
      }
      if (peek() == ']' && !first) {
        ++at_;
        break;
      }
      first = false;
      if (peek() == '[' && peek(1) == ':') {
        const size_t name_at = at_ + 2;
        size_t end = name_at;
        while (end + 1 < p_.size() && !(p_[end] == ':' && p_[end + 1] == ']')) ++end;
        if (end + 1 >= p_.size()) {
          fail(RegexError::kBadBracket);
          return kNone;
        }
        const lib::StringView name = p_.substr(name_at, end - name_at);
        bool known = false;
        for (unsigned c = 0; c < 256; ++c)
          if (class_has(name, static_cast<uint8_t>(c), &known))
            set_add(set, static_cast<uint8_t>(c));
        class_has(name, 0, &known);
        if (!known) {
          fail(RegexError::kBadClass);
          return kNone;
        }
        at_ = end + 2;
        continue;
      }
      uint8_t lo;
      if (!bracket_byte(&lo)) return kNone;
      if (peek() == '-' && peek(1) != ']' && at_ + 1 < p_.size()) {
        ++at_;
        uint8_t hi;
        if (peek() == '[' && peek(1) == ':') {
          fail(RegexError::kBadRange);
          return kNone;
        }
        if (!bracket_byte(&hi)) return kNone;
        if (hi < lo) {
          fail(RegexError::kBadRange);
          return kNone;
        }
        for (unsigned c = lo; c <= hi; ++c) set_add(set, static_cast<uint8_t>(c));
      } else {
        set_add(set, lo);
      }
    }
    if (icase_) {
      for (unsigned c = 0; c < 256; ++c) {
        const uint8_t b = static_cast<uint8_t>(c);
        if (set_has(set, b)) {
          set_add(set, to_lower(b));
          set_add(set, to_upper(b));
        }
      }
    }
    if (negate)
      for (int i = 0; i < 4; ++i) set[i] = ~set[i];
    return n;
  }

  Regex& re_;
  lib::StringView p_;
  size_t at_ = 0;
  bool ere_;
  bool icase_;
  bool submatches_;
  size_t groups_ = 0;
  RegexError error_ = RegexError::kNone;
};

RegexError Regex::compile(lib::StringView pattern, uint32_t flags) {
  count_ = 0;
  set_count_ = 0;
  compiled_ = false;
  group_count_ = 0;
  return build(pattern, flags, false);
}

RegexError Regex::add(lib::StringView pattern, uint32_t flags) {
  if (!compiled_) return compile(pattern, flags);
  return build(pattern, flags, true);
}

RegexError Regex::emit(Op op, uint8_t c, uint16_t set, uint32_t x, uint32_t y) {
  if (count_ == kRegexMaxInstructions) return RegexError::kTooBig;
  program_[count_++] = Instruction{op, c, set, x, y};
  return RegexError::kNone;
}

#define REGEX_TRY(expr)                                               \
  do {                                                                \
    const RegexError regex_try_error = (expr);                        \
    if (regex_try_error != RegexError::kNone) return regex_try_error; \
  } while (0)

RegexError Regex::build(lib::StringView pattern, uint32_t flags, bool append) {
  const size_t saved_count = count_;
  const size_t saved_sets = set_count_;
  node_count_ = 0;
  Parser parser(*this, pattern, flags);
  const int32_t root = (flags & kLiteral) ? parser.literal() : parser.whole();
  RegexError err = parser.error();
  const uint32_t head = static_cast<uint32_t>(count_);
  if (err == RegexError::kNone) {
    // The block: Split(body, next pattern's block), patched when one is added.
    err = emit(Op::kSplit, 0, 0, head + 1, head + 1);
  }
  const bool word = flags & kWord;
  const bool line = flags & kLine;
  if (err == RegexError::kNone && (word || line))
    err = emit(Op::kAssert, line ? kBol : kNotWordBefore);
  if (err == RegexError::kNone) {
    // Letters fold when the case is ignored.
    if (flags & kIgnoreCase) {
      for (size_t i = 0; i < node_count_; ++i) {
        Node& n = nodes_[i];
        if (n.kind == kChar && is_alpha(n.c)) n.c = to_lower(n.c), n.kind = kChar | 0x80;
      }
    }
    err = compile_node(root);
  }
  if (err == RegexError::kNone && (word || line))
    err = emit(Op::kAssert, line ? kEol : kNotWordAfter);
  if (err == RegexError::kNone) err = emit(Op::kMatch);
  if (err != RegexError::kNone) {
    count_ = saved_count;
    set_count_ = saved_sets;
    if (!append) compiled_ = false;
    return err;
  }
  if (append) program_[last_head_].y = head;
  last_head_ = head;
  compiled_ = true;
  group_count_ = parser.groups();
  compute_first_bytes();
  return RegexError::kNone;
}

RegexError Regex::compile_node(int32_t index) {
  if (index == kNone) return RegexError::kNone;
  const Node n = nodes_[index];
  switch (n.kind & 0x7f) {
    case kEmpty: return RegexError::kNone;
    case kChar: return emit((n.kind & 0x80) ? Op::kCharFold : Op::kChar, n.c);
    case kAny: return emit(Op::kAny);
    case kSet: return emit(Op::kSet, 0, n.set);
    case kAssert: return emit(Op::kAssert, n.c);
    case kGroup: {
      const uint8_t slot = static_cast<uint8_t>(2 * (n.c - 1));
      REGEX_TRY(emit(Op::kSave, slot));
      REGEX_TRY(compile_node(n.child));
      return emit(Op::kSave, static_cast<uint8_t>(slot + 1));
    }
    case kConcat:
      for (int32_t c = n.child; c != kNone; c = nodes_[c].next) REGEX_TRY(compile_node(c));
      return RegexError::kNone;
    case kAlt: {
      // Split(a, next) a Jump(end) Split(b, next) b Jump(end) ... last
      uint32_t jumps = UINT32_MAX;  // a chain of Jumps to patch, through their x
      for (int32_t c = n.child; c != kNone; c = nodes_[c].next) {
        if (nodes_[c].next == kNone) {
          REGEX_TRY(compile_node(c));
          break;
        }
        const uint32_t split = static_cast<uint32_t>(count_);
        REGEX_TRY(emit(Op::kSplit, 0, 0, split + 1, 0));
        REGEX_TRY(compile_node(c));
        REGEX_TRY(emit(Op::kJump, 0, 0, jumps));
        jumps = static_cast<uint32_t>(count_ - 1);
        program_[split].y = static_cast<uint32_t>(count_);
      }
      while (jumps != UINT32_MAX) {
        const uint32_t next = program_[jumps].x;
        program_[jumps].x = static_cast<uint32_t>(count_);
        jumps = next;
      }
      return RegexError::kNone;
    }
    case kRepeat: {
      uint32_t last_start = 0;
      for (uint32_t i = 0; i < n.min; ++i) {
        last_start = static_cast<uint32_t>(count_);
        REGEX_TRY(compile_node(n.child));
      }
      if (n.max == kInfinite) {
        if (n.min > 0) {  // loop on the last copy
          return emit(Op::kSplit, 0, 0, last_start, static_cast<uint32_t>(count_ + 1));
        }
        const uint32_t split = static_cast<uint32_t>(count_);
        REGEX_TRY(emit(Op::kSplit, 0, 0, split + 1, 0));
        REGEX_TRY(compile_node(n.child));
        REGEX_TRY(emit(Op::kJump, 0, 0, split));
        program_[split].y = static_cast<uint32_t>(count_);
        return RegexError::kNone;
      }
      uint32_t splits = UINT32_MAX;  // chained through y
      for (uint32_t i = n.min; i < n.max; ++i) {
        const uint32_t split = static_cast<uint32_t>(count_);
        REGEX_TRY(emit(Op::kSplit, 0, 0, split + 1, splits));
        splits = split;
        REGEX_TRY(compile_node(n.child));
      }
      while (splits != UINT32_MAX) {
        const uint32_t next = program_[splits].y;
        program_[splits].y = static_cast<uint32_t>(count_);
        splits = next;
      }
      return RegexError::kNone;
    }
  }
  return RegexError::kNone;
}

void Regex::compute_first_bytes() {
  // Every byte a thread from the start can consume first, assertions taken as passing. If
  // a match can be reached without consuming anything, every position may start one.
  for (uint64_t& w : first_) w = 0;
  use_first_ = true;
  next_generation();
  size_t top = 0;
  stack_[top++] = 0;
  seen_[0] = generation_;
  while (top) {
    const uint32_t pc = stack_[--top];
    const Instruction& in = program_[pc];
    uint32_t next[2];
    size_t count = 0;
    switch (in.op) {
      case Op::kChar: set_add(first_, in.c); break;
      case Op::kCharFold:
        set_add(first_, in.c);
        set_add(first_, to_upper(in.c));
        break;
      case Op::kAny:
        for (uint64_t& w : first_) w = ~uint64_t{0};
        break;
      case Op::kSet:
        for (int i = 0; i < 4; ++i) first_[i] |= sets_[in.set][i];
        break;
      case Op::kMatch: use_first_ = false; break;
      case Op::kSplit: next[count++] = in.x, next[count++] = in.y; break;
      case Op::kJump: next[count++] = in.x; break;
      case Op::kAssert:
      case Op::kSave: next[count++] = pc + 1; break;
    }
    for (size_t i = 0; i < count; ++i) {
      if (seen_[next[i]] == generation_) continue;
      seen_[next[i]] = generation_;
      stack_[top++] = next[i];
    }
  }
}

bool Regex::assertion_holds(uint8_t assertion, lib::StringView text, size_t at) const {
  const auto word_at = [&](size_t i) {
    return i < text.size() && is_word(static_cast<uint8_t>(text[i]));
  };
  const bool before = at > 0 && word_at(at - 1);
  const bool after = word_at(at);
  switch (assertion) {
    case kBol: return at == 0;
    case kEol: return at == text.size();
    case kWordStart: return !before && after;
    case kWordEnd: return before && !after;
    case kWordBoundary: return before != after;
    case kNotBoundary: return before == after;
    case kNotWordBefore: return !before;
    case kNotWordAfter: return !after;
  }
  return false;
}

void Regex::add_thread(List& list, uint32_t pc, uint32_t start, lib::StringView text, size_t at) {
  if (seen_[pc] == generation_) return;
  seen_[pc] = generation_;
  size_t top = 0;
  stack_[top++] = pc;
  while (top) {
    const uint32_t p = stack_[--top];
    const Instruction& in = program_[p];
    uint32_t next[2];
    size_t count = 0;
    switch (in.op) {
      case Op::kSplit:
        next[count++] = in.y;  // pushed first: x is followed first
        next[count++] = in.x;
        break;
      case Op::kJump: next[count++] = in.x; break;
      case Op::kAssert:
        if (assertion_holds(in.c, text, at)) next[count++] = p + 1;
        break;
      case Op::kSave: next[count++] = p + 1; break;
      default: list.threads[list.count++] = Thread{p, start}; break;
    }
    for (size_t i = 0; i < count; ++i) {
      if (seen_[next[i]] == generation_) continue;
      seen_[next[i]] = generation_;
      stack_[top++] = next[i];
    }
  }
}

void Regex::next_generation() {
  if (++generation_ == 0) {  // wrapped: forget every mark
    for (uint32_t& s : seen_) s = 0;
    generation_ = 1;
  }
}

bool Regex::run(lib::StringView text, size_t start, bool want_span, size_t* from, size_t* to) {
  if (!compiled_ || start > text.size()) return false;
  List* current = &lists_[0];
  List* next = &lists_[1];
  current->count = 0;
  next_generation();
  bool matched = false;
  size_t match_from = 0, match_to = 0;
  const size_t n = text.size();
  for (size_t at = start;; ++at) {
    if (!matched) {
      if (current->count == 0 && use_first_) {
        while (at < n && !set_has(first_, static_cast<uint8_t>(text[at]))) ++at;
        if (at == n) break;
      }
      add_thread(*current, 0, static_cast<uint32_t>(at), text, at);
    }
    if (current->count == 0) {
      if (matched || at >= n) break;
      next_generation();
      continue;  // an assertion refused this start: try the next
    }
    next_generation();
    next->count = 0;
    const uint8_t c = at < n ? static_cast<uint8_t>(text[at]) : 0;
    for (uint32_t i = 0; i < current->count; ++i) {
      const Thread t = current->threads[i];
      if (matched && t.start > match_from) continue;  // cannot be leftmost
      const Instruction& in = program_[t.pc];
      bool step = false;
      switch (in.op) {
        case Op::kMatch:
          if (!want_span) return true;
          if (!matched || t.start < match_from || at > match_to) {
            match_from = t.start;
            match_to = at;
          }
          matched = true;
          break;
        case Op::kChar: step = at < n && c == in.c; break;
        case Op::kCharFold: step = at < n && to_lower(c) == in.c; break;
        case Op::kAny: step = at < n; break;
        case Op::kSet: step = at < n && in_set(in.set, c); break;
        default: break;
      }
      if (step) add_thread(*next, t.pc + 1, t.start, text, at + 1);
    }
    List* swap = current;
    current = next;
    next = swap;
    if (at >= n) break;
  }
  if (matched && from) *from = match_from;
  if (matched && to) *to = match_to;
  return matched;
}

bool Regex::matches(lib::StringView text) { return run(text, 0, false, nullptr, nullptr); }

bool Regex::search(lib::StringView text, size_t* from, size_t* to) {
  return run(text, 0, true, from, to);
}

bool Regex::search_from(lib::StringView text, size_t start, size_t* from, size_t* to) {
  return run(text, start, true, from, to);
}

// The closure of pc at position at into list, in priority order: depth first, a Split's x
// before its y, each instruction taken the first time it is reached (so by the path of
// highest priority). A Save changes slots for what follows it, and a kRestore frame puts the
// slot back before the search returns to the paths of lower priority.
void Regex::add_group_thread(RegexScratch& s, uint32_t list, uint32_t pc, uint32_t* slots,
                             lib::StringView text, size_t at) const {
  size_t top = 0;
  s.stack_[top++] = RegexScratch::Frame{pc, 0, 0};
  while (top) {
    const RegexScratch::Frame f = s.stack_[--top];
    if (f.pc == RegexScratch::kRestore) {
      slots[f.slot] = f.value;
      continue;
    }
    if (s.seen_[f.pc] == s.generation_) continue;
    s.seen_[f.pc] = s.generation_;
    const Instruction& in = program_[f.pc];
    switch (in.op) {
      case Op::kSplit:
        s.stack_[top++] = RegexScratch::Frame{in.y, 0, 0};
        s.stack_[top++] = RegexScratch::Frame{in.x, 0, 0};
        break;
      case Op::kJump: s.stack_[top++] = RegexScratch::Frame{in.x, 0, 0}; break;
      case Op::kAssert:
        if (assertion_holds(in.c, text, at)) s.stack_[top++] = RegexScratch::Frame{f.pc + 1, 0, 0};
        break;
      case Op::kSave:
        s.stack_[top++] = RegexScratch::Frame{RegexScratch::kRestore, in.c, slots[in.c]};
        slots[in.c] = static_cast<uint32_t>(at);
        s.stack_[top++] = RegexScratch::Frame{f.pc + 1, 0, 0};
        break;
      default: {
        RegexScratch::Thread& t = s.lists_[list][s.counts_[list]++];
        t.pc = f.pc;
        for (size_t i = 0; i < RegexScratch::kSlots; ++i) t.slots[i] = slots[i];
        break;
      }
    }
  }
}

bool Regex::groups(lib::StringView text, size_t from, size_t to, RegexScratch& s,
                   RegexGroups* out) const {
  if (!compiled_ || from > to || to > text.size()) return false;
  const auto next_generation = [&s] {
    if (++s.generation_ == 0) {
      for (uint32_t& v : s.seen_) v = 0;
      s.generation_ = 1;
    }
  };
  uint32_t slots[RegexScratch::kSlots];
  for (uint32_t& v : slots) v = UINT32_MAX;
  uint32_t current = 0;
  s.counts_[current] = 0;
  next_generation();
  add_group_thread(s, current, 0, slots, text, from);
  for (size_t at = from;; ++at) {
    if (at == to) {
      // The first thread to have matched here is the one of highest priority.
      for (uint32_t i = 0; i < s.counts_[current]; ++i) {
        const RegexScratch::Thread& t = s.lists_[current][i];
        if (program_[t.pc].op != Op::kMatch) continue;
        out->from[0] = from;
        out->to[0] = to;
        for (size_t g = 1; g <= kRegexMaxGroups; ++g) {
          const uint32_t b = t.slots[2 * (g - 1)], e = t.slots[2 * (g - 1) + 1];
          const bool set = b != UINT32_MAX && e != UINT32_MAX && b <= e;
          out->from[g] = set ? b : kRegexUnset;
          out->to[g] = set ? e : kRegexUnset;
        }
        return true;
      }
      return false;
    }
    const uint32_t next = current ^ 1;
    s.counts_[next] = 0;
    next_generation();
    const uint8_t c = static_cast<uint8_t>(text[at]);
    for (uint32_t i = 0; i < s.counts_[current]; ++i) {
      RegexScratch::Thread& t = s.lists_[current][i];
      const Instruction& in = program_[t.pc];
      bool step = false;
      switch (in.op) {
        case Op::kChar: step = c == in.c; break;
        case Op::kCharFold: step = to_lower(c) == in.c; break;
        case Op::kAny: step = true; break;
        case Op::kSet: step = in_set(in.set, c); break;
        default: break;  // a match before the span's end
      }
      if (step) add_group_thread(s, next, t.pc + 1, t.slots, text, at + 1);
    }
    current = next;
    if (s.counts_[current] == 0) return false;
  }
}

}  // namespace text
