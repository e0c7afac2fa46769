#include "programs/expr/expr_eval.h"

#include <lib/format.h>

namespace text {

namespace {

// An optional '-' and digits, as GNU takes an integer; false past 64 bits.
bool to_integer(lib::StringView s, int64_t* out, bool* overflow) {
  *overflow = false;
  size_t i = 0;
  const bool negative = s.size() && s[0] == '-';
  if (negative) i = 1;
  if (i == s.size()) return false;
  uint64_t v = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (limit - d) / 10) *overflow = true;
    if (!*overflow) v = v * 10 + d;
  }
  if (*overflow) return false;
  *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

class Evaluator {
 public:
  Evaluator(std::span<const lib::StringView> args, Regex& re, RegexScratch& scratch,
            ExprResult* out)
      : args_(args), re_(re), scratch_(scratch), out_(out) {}

  void run() {
    ExprValue v = alternation();
    if (failed()) return;
    if (at_ < args_.size()) {
      syntax("unexpected argument '{}'", args_[at_]);
      return;
    }
    out_->value = v;
  }

 private:
  bool failed() const { return out_->error != ExprError::kNone; }
  bool more() const { return at_ < args_.size(); }
  bool next_is(const char* op) const { return more() && args_[at_] == op; }

  template <typename... Args>
  ExprValue syntax(const char* fmt, const Args&... args) {
    if (failed()) return {};
    out_->error = ExprError::kSyntax;
    const size_t n = lib::format_to(out_->message, sizeof(out_->message), "syntax error: ");
    lib::format_to(out_->message + n, sizeof(out_->message) - n, fmt, args...);
    return {};
  }
  ExprValue invalid(const char* message) {
    if (failed()) return {};
    out_->error = ExprError::kInvalid;
    lib::format_to(out_->message, sizeof(out_->message), "{}", message);
    return {};
  }
  static ExprValue integer(int64_t v) { return ExprValue{true, v, {}}; }
  static ExprValue string(lib::StringView s) { return ExprValue{false, 0, s}; }

  // A value as an integer for arithmetic; false (and the error set) if it is not one.
  bool arith(const ExprValue& v, int64_t* out) {
    if (v.is_integer) {
      *out = v.integer;
      return true;
    }
    bool overflow;
    if (to_integer(v.string, out, &overflow)) return true;
    invalid(overflow ? "integer overflow" : "non-integer argument");
    return false;
  }

  ExprValue alternation() {
    ExprValue l = conjunction();
    while (!failed() && next_is("|")) {
      ++at_;
      ExprValue r = conjunction();
      if (expr_null(l)) l = expr_null(r) ? integer(0) : r;
    }
    return l;
  }

  ExprValue conjunction() {
    ExprValue l = comparison();
    while (!failed() && next_is("&")) {
      ++at_;
      ExprValue r = comparison();
      if (expr_null(l) || expr_null(r)) l = integer(0);
    }
    return l;
  }

  ExprValue comparison() {
    ExprValue l = sum();
    for (;;) {
      if (failed() || !more()) return l;
      const lib::StringView op = args_[at_];
      int kind;
      if (op == "<")
        kind = 0;
      else if (op == "<=")
        kind = 1;
      else if (op == "=" || op == "==")
        kind = 2;
      else if (op == "!=")
        kind = 3;
      else if (op == ">=")
        kind = 4;
      else if (op == ">")
        kind = 5;
      else
        return l;
      ++at_;
      ExprValue r = sum();
      if (failed()) return l;
      // Numbers if both are integers, else the strings byte by byte (the C locale).
      int cmp;
      int64_t a = 0, b = 0;
      bool overflow;
      const bool numbers = (l.is_integer || to_integer(l.string, &a, &overflow)) &&
                           (r.is_integer || to_integer(r.string, &b, &overflow));
      if (numbers) {
        if (l.is_integer) a = l.integer;
        if (r.is_integer) b = r.integer;
        cmp = a < b ? -1 : a > b ? 1 : 0;
      } else {
        char lb[24], rb[24];
        const lib::StringView ls = expr_text(l, lb), rs = expr_text(r, rb);
        const size_t n = ls.size() < rs.size() ? ls.size() : rs.size();
        cmp = n ? __builtin_memcmp(ls.data(), rs.data(), n) : 0;
        if (cmp == 0) cmp = ls.size() < rs.size() ? -1 : ls.size() > rs.size() ? 1 : 0;
      }
      bool v = false;
      switch (kind) {
        case 0: v = cmp < 0; break;
        case 1: v = cmp <= 0; break;
        case 2: v = cmp == 0; break;
        case 3: v = cmp != 0; break;
        case 4: v = cmp >= 0; break;
        default: v = cmp > 0; break;
      }
      l = integer(v ? 1 : 0);
    }
  }

  ExprValue sum() {
    ExprValue l = product();
    while (!failed() && (next_is("+") || next_is("-"))) {
      const bool plus = args_[at_++] == "+";
      ExprValue r = product();
      int64_t a, b, v;
      if (failed() || !arith(l, &a) || !arith(r, &b)) return {};
      if (plus ? __builtin_add_overflow(a, b, &v) : __builtin_sub_overflow(a, b, &v))
        return invalid("integer overflow");
      l = integer(v);
    }
    return l;
  }

  ExprValue product() {
    ExprValue l = match();
    while (!failed() && (next_is("*") || next_is("/") || next_is("%"))) {
      const char op = args_[at_++][0];
      ExprValue r = match();
      int64_t a, b, v = 0;
      if (failed() || !arith(l, &a) || !arith(r, &b)) return {};
      if (op == '*') {
        if (__builtin_mul_overflow(a, b, &v)) return invalid("integer overflow");
      } else {
        if (b == 0) return invalid("division by zero");
        if (a == INT64_MIN && b == -1) {
          if (op == '/') return invalid("integer overflow");
          v = 0;
        } else {
          v = op == '/' ? a / b : a % b;
        }
      }
      l = integer(v);
    }
    return l;
  }

  ExprValue match() {
    ExprValue l = unary();
    while (!failed() && next_is(":")) {
      ++at_;
      ExprValue r = unary();
      if (failed()) return {};
      l = regex_match(l, r);
    }
    return l;
  }

  // STRING : REGEX, anchored at the start: the first group's text, or the length matched.
  // Part of a number's digits, copied where it outlives this call.
  lib::StringView keep(lib::StringView digits) {
    char* d = out_->digits[out_->next_digits++ % 8];
    __builtin_memcpy(d, digits.data(), digits.size());
    return lib::StringView(d, digits.size());
  }

  ExprValue regex_match(const ExprValue& s, const ExprValue& p) {
    char sb[24], pb[24];
    const lib::StringView str = expr_text(s, sb), pattern = expr_text(p, pb);
    const RegexError err = re_.compile(pattern, kSubmatches);
    if (err != RegexError::kNone) return invalid(regex_error_text(err));
    size_t from, to;
    const bool found = re_.search(str, &from, &to) && from == 0;
    if (re_.group_count() == 0) return integer(found ? static_cast<int64_t>(to) : 0);
    if (!found) return string(lib::StringView());
    RegexGroups g;
    if (!re_.groups(str, from, to, scratch_, &g) || g.from[1] == kRegexUnset)
      return string(lib::StringView());
    // The group's text: a view into the argument, or a copy of the number's digits.
    if (s.is_integer) {
      const size_t n = g.to[1] - g.from[1];
      return string(keep(lib::StringView(sb + g.from[1], n)));
    }
    return string(str.substr(g.from[1], g.to[1] - g.from[1]));
  }

  ExprValue unary() {
    if (!more()) return syntax_missing();
    const lib::StringView t = args_[at_];
    if (t == "+") {
      ++at_;
      if (!more()) return syntax_missing();
      return string(args_[at_++]);
    }
    if (t == "length" || t == "match" || t == "substr" || t == "index") {
      ++at_;
      if (t == "length") {
        ExprValue v = operand(t);
        char b[24];
        return failed() ? v : integer(static_cast<int64_t>(expr_text(v, b).size()));
      }
      if (t == "match") {
        ExprValue s = operand(t);
        ExprValue p = operand(t);
        return failed() ? s : regex_match(s, p);
      }
      if (t == "index") {
        ExprValue s = operand(t);
        ExprValue chars = operand(t);
        if (failed()) return s;
        char sb[24], cb[24];
        const lib::StringView str = expr_text(s, sb), set = expr_text(chars, cb);
        for (size_t i = 0; i < str.size(); ++i)
          for (size_t j = 0; j < set.size(); ++j)
            if (str[i] == set[j]) return integer(static_cast<int64_t>(i + 1));
        return integer(0);
      }
      ExprValue s = operand(t);
      ExprValue pos = operand(t);
      ExprValue len = operand(t);
      if (failed()) return s;
      char sb[24];
      const lib::StringView str = expr_text(s, sb);
      int64_t p, n;
      bool overflow;
      char pb[24], nb[24];
      if (!to_integer(expr_text(pos, pb), &p, &overflow) ||
          !to_integer(expr_text(len, nb), &n, &overflow) || p < 1 || n < 1 ||
          static_cast<uint64_t>(p) > str.size())
        return string(lib::StringView());
      const size_t from = static_cast<size_t>(p - 1);
      size_t count = static_cast<size_t>(n);
      if (count > str.size() - from) count = str.size() - from;
      if (s.is_integer) {
        return string(keep(lib::StringView(sb + from, count)));
      }
      return string(str.substr(from, count));
    }
    return primary();
  }

  // An operand of length, match, substr or index.
  ExprValue operand(lib::StringView keyword) {
    if (!more()) return syntax("missing argument after '{}'", keyword);
    return unary();
  }

  ExprValue syntax_missing() {
    if (at_ == 0) return syntax("missing argument");
    return syntax("missing argument after '{}'", args_[at_ - 1]);
  }

  ExprValue primary() {
    if (!more()) return syntax_missing();
    if (next_is("(")) {
      ++at_;
      if (!more()) return syntax("missing argument after '('");
      ExprValue v = alternation();
      if (failed()) return v;
      if (!more()) return syntax("expecting ')' after '{}'", args_[at_ - 1]);
      if (!next_is(")")) return syntax("expecting ')' instead of '{}'", args_[at_]);
      ++at_;
      return v;
    }
    if (next_is(")")) return syntax("unexpected ')'");
    return string(args_[at_++]);
  }

  std::span<const lib::StringView> args_;
  Regex& re_;
  RegexScratch& scratch_;
  ExprResult* out_;
  size_t at_ = 0;
};

}  // namespace

bool expr_null(const ExprValue& v) {
  if (v.is_integer) return v.integer == 0;
  const lib::StringView s = v.string;
  if (s.size() == 0) return true;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] != '0') return false;
  return true;
}

lib::StringView expr_text(const ExprValue& v, char* buf) {
  if (!v.is_integer) return v.string;
  const size_t n = lib::format_to(buf, 24, "{}", v.integer);
  return lib::StringView(buf, n);
}

void expr_evaluate(std::span<const lib::StringView> args, Regex& re, RegexScratch& scratch,
                   ExprResult* out) {
  Evaluator(args, re, scratch, out).run();
}

}  // namespace text
