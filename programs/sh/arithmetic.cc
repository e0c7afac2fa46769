#include "arithmetic.h"

#include <lib/checked_number.h>

#include "limits.h"

namespace stellina::sh {
namespace {

// Operators by precedence, loosest first, for the binary levels.
enum class Op : uint8_t {
  None,
  Or,
  And,
  BitOr,
  BitXor,
  BitAnd,
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  ShiftLeft,
  ShiftRight,
  Add,
  Subtract,
  Multiply,
  Divide,
  Remainder,
};

int precedence(Op op) {
  switch (op) {
    case Op::None: return 0;
    case Op::Or: return 1;
    case Op::And: return 2;
    case Op::BitOr: return 3;
    case Op::BitXor: return 4;
    case Op::BitAnd: return 5;
    case Op::Equal:
    case Op::NotEqual: return 6;
    case Op::Less:
    case Op::LessEqual:
    case Op::Greater:
    case Op::GreaterEqual: return 7;
    case Op::ShiftLeft:
    case Op::ShiftRight: return 8;
    case Op::Add:
    case Op::Subtract: return 9;
    case Op::Multiply:
    case Op::Divide:
    case Op::Remainder: return 10;
  }
  return 0;
}

class Evaluator {
 public:
  Evaluator(StringView text, ArithmeticScope& scope, Message& error)
      : text_(text), scope_(scope), error_(error) {}

  bool run(int64_t* result) {
    const int64_t value = assignment(true);
    skip_blanks();
    if (ok_ && pos_ < text_.size()) fail("syntax error");
    if (ok_) *result = value;
    return ok_;
  }

 private:
  void fail(StringView why) {
    if (!ok_) return;
    ok_ = false;
    error_.clear();
    error_.add("arithmetic expression: ").add(why).add(": \"").add(text_).add("\"");
  }
  void skip_blanks() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n'))
      ++pos_;
  }
  bool next_is(StringView s) {
    skip_blanks();
    return text_.substr(pos_).starts_with(s);
  }

  // Reads a binary operator without consuming it; its length goes to *length.
  Op peek_binary(size_t* length) {
    skip_blanks();
    const StringView rest = text_.substr(pos_);
    struct Entry {
      StringView text;
      Op op;
    };
    // Longest first, and never an assignment operator (x <<= 1, x != 1 vs x = 1).
    static constexpr Entry kOps[] = {
        {"||", Op::Or},        {"&&", Op::And},        {"==", Op::Equal},
        {"!=", Op::NotEqual},  {"<=", Op::LessEqual},  {">=", Op::GreaterEqual},
        {"<<", Op::ShiftLeft}, {">>", Op::ShiftRight}, {"|", Op::BitOr},
        {"^", Op::BitXor},     {"&", Op::BitAnd},      {"<", Op::Less},
        {">", Op::Greater},    {"+", Op::Add},         {"-", Op::Subtract},
        {"*", Op::Multiply},   {"/", Op::Divide},      {"%", Op::Remainder},
    };
    for (const Entry& e : kOps) {
      if (!rest.starts_with(e.text)) continue;
      // An assignment operator (<<=, +=, |=...) is not a binary operator here.
      const size_t after = e.text.size();
      if (after < rest.size() && rest[after] == '=' && e.op != Op::Equal && e.op != Op::NotEqual &&
          e.op != Op::LessEqual && e.op != Op::GreaterEqual)
        return Op::None;
      *length = e.text.size();
      return e.op;
    }
    return Op::None;
  }

  static int64_t apply(Op op, int64_t a, int64_t b) {
    const auto ua = static_cast<uint64_t>(a);
    const auto ub = static_cast<uint64_t>(b);
    switch (op) {
      case Op::Or: return a || b;
      case Op::And: return a && b;
      case Op::BitOr: return a | b;
      case Op::BitXor: return a ^ b;
      case Op::BitAnd: return a & b;
      case Op::Equal: return a == b;
      case Op::NotEqual: return a != b;
      case Op::Less: return a < b;
      case Op::LessEqual: return a <= b;
      case Op::Greater: return a > b;
      case Op::GreaterEqual: return a >= b;
      case Op::ShiftLeft: return static_cast<int64_t>(ua << (ub & 63));
      case Op::ShiftRight: return a >> (ub & 63);
      case Op::Add: return static_cast<int64_t>(ua + ub);
      case Op::Subtract: return static_cast<int64_t>(ua - ub);
      case Op::Multiply: return static_cast<int64_t>(ua * ub);
      case Op::Divide:
        if (b == -1) return static_cast<int64_t>(0 - ua);  // INT64_MIN / -1 wraps
        return a / b;
      case Op::Remainder:
        if (b == -1) return 0;
        return a % b;
      case Op::None: return 0;
    }
    return 0;
  }

  // Evaluates a binary operation, checking division; with live false it only parses.
  int64_t binary(Op op, int64_t a, int64_t b, bool live) {
    if (live && (op == Op::Divide || op == Op::Remainder) && b == 0) {
      fail("division by zero");
      return 0;
    }
    return live ? apply(op, a, b) : 0;
  }

  // assignment: NAME op= assignment | conditional
  int64_t assignment(bool live) {
    if (!ok_) return 0;
    if (++depth_ > kMaxNesting) {
      fail("nested too deeply");
      return 0;
    }
    skip_blanks();
    const size_t start = pos_;
    if (pos_ < text_.size() && is_name_start(text_[pos_])) {
      size_t end = pos_;
      while (end < text_.size() && is_name_char(text_[end])) ++end;
      const StringView name = text_.substr(pos_, end - pos_);
      size_t at = end;
      while (at < text_.size() && (text_[at] == ' ' || text_[at] == '\t')) ++at;
      static constexpr struct {
        StringView text;
        Op op;
      } kAssign[] = {
          {"=", Op::None},        {"+=", Op::Add},         {"-=", Op::Subtract},
          {"*=", Op::Multiply},   {"/=", Op::Divide},      {"%=", Op::Remainder},
          {"<<=", Op::ShiftLeft}, {">>=", Op::ShiftRight}, {"&=", Op::BitAnd},
          {"^=", Op::BitXor},     {"|=", Op::BitOr},
      };
      const StringView rest = text_.substr(at);
      for (const auto& a : kAssign) {
        if (!rest.starts_with(a.text)) continue;
        if (a.op == Op::None && rest.starts_with("==")) break;
        pos_ = at + a.text.size();
        const int64_t right = assignment(live);
        int64_t value = right;
        if (a.op != Op::None) value = binary(a.op, variable(name, live), right, live);
        if (live && ok_ && !scope_.assign(name, value, error_)) ok_ = false;
        --depth_;
        return value;
      }
    }
    pos_ = start;
    const int64_t value = conditional(live);
    --depth_;
    return value;
  }

  // conditional: binary ? assignment : conditional
  int64_t conditional(bool live) {
    const int64_t condition = binary_level(1, live);
    if (!ok_ || !next_is("?")) return condition;
    ++pos_;
    const int64_t yes = assignment(live && condition != 0);
    if (!next_is(":")) {
      fail("expecting ':'");
      return 0;
    }
    ++pos_;
    if (++depth_ > kMaxNesting) {
      fail("nested too deeply");
      return 0;
    }
    const int64_t no = conditional(live && condition == 0);
    --depth_;
    return condition ? yes : no;
  }

  // Precedence climbing over the binary operators at level and above.
  int64_t binary_level(int level, bool live) {
    int64_t left = unary(live);
    while (ok_) {
      size_t length = 0;
      const Op op = peek_binary(&length);
      const int p = precedence(op);
      if (op == Op::None || p < level) break;
      pos_ += length;
      // && and || do not evaluate their right side when the left decides.
      bool right_live = live;
      if (op == Op::And) right_live = live && left != 0;
      if (op == Op::Or) right_live = live && left == 0;
      if (++depth_ > kMaxNesting) {
        fail("nested too deeply");
        return 0;
      }
      const int64_t right = binary_level(p + 1, right_live);
      --depth_;
      if (op == Op::And) {
        left = left && right;
      } else if (op == Op::Or) {
        left = left || right;
      } else {
        left = binary(op, left, right, live);
      }
    }
    return left;
  }

  int64_t unary(bool live) {
    skip_blanks();
    if (!ok_) return 0;
    if (pos_ >= text_.size()) {
      fail("expecting primary");
      return 0;
    }
    const char c = text_[pos_];
    if (c == '+' || c == '-' || c == '!' || c == '~') {
      ++pos_;
      if (++depth_ > kMaxNesting) {
        fail("nested too deeply");
        return 0;
      }
      const int64_t v = unary(live);
      --depth_;
      switch (c) {
        case '-': return static_cast<int64_t>(0 - static_cast<uint64_t>(v));
        case '!': return !v;
        case '~': return ~v;
        default: return v;
      }
    }
    if (c == '(') {
      ++pos_;
      const int64_t v = assignment(live);
      if (!next_is(")")) {
        fail("expecting ')'");
        return 0;
      }
      ++pos_;
      return v;
    }
    if (is_digit(c)) return number();
    if (is_name_start(c)) {
      const size_t start = pos_;
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      return variable(text_.substr(start, pos_ - start), live);
    }
    fail("expecting primary");
    return 0;
  }

  int64_t number() {
    const size_t start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    int64_t v = 0;
    if (!parse_constant(text_.substr(start, pos_ - start), &v)) fail("bad number");
    return v;
  }

  int64_t variable(StringView name, bool live) {
    if (!live) return 0;
    StringView value;
    if (!scope_.lookup(name, &value)) return 0;
    // Leading and trailing blanks are allowed around a variable's number.
    while (!value.empty() && (value[0] == ' ' || value[0] == '\t' || value[0] == '\n'))
      value = value.substr(1);
    while (!value.empty() && (value[value.size() - 1] == ' ' || value[value.size() - 1] == '\t' ||
                              value[value.size() - 1] == '\n'))
      value = value.substr(0, value.size() - 1);
    if (value.empty()) return 0;
    int64_t v = 0;
    bool negative = false;
    StringView digits = value;
    if (digits[0] == '-' || digits[0] == '+') {
      negative = digits[0] == '-';
      digits = digits.substr(1);
    }
    if (digits.empty() || !is_digit(digits[0]) || !parse_constant(digits, &v)) {
      if (ok_) {
        ok_ = false;
        error_.clear();
        error_.add("Illegal number: ").add(value);
      }
      return 0;
    }
    return negative ? static_cast<int64_t>(0 - static_cast<uint64_t>(v)) : v;
  }

  // A constant: decimal, 0x hex or 0 octal; values past INT64_MAX read as INT64_MAX, as
  // dash's strtoimax reads them (never wrapped: 18446744073709551620 is not 4).
  static bool parse_constant(StringView s, int64_t* out) {
    unsigned base = 10;
    size_t i = 0;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      i = 2;
    } else if (s.size() > 1 && s[0] == '0') {
      base = 8;
      i = 1;
    }
    if (i >= s.size()) return false;
    lib::NumberAccumulator n(base, INT64_MAX);
    for (; i < s.size(); ++i) {
      const int digit = lib::hex_digit(s[i]);
      if (digit < 0 || static_cast<unsigned>(digit) >= base) return false;
      n.push(static_cast<unsigned>(digit));
    }
    *out = n.overflowed() ? INT64_MAX : static_cast<int64_t>(n.value());
    return true;
  }

  StringView text_;
  ArithmeticScope& scope_;
  Message& error_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool ok_ = true;
};

}  // namespace

bool evaluate_arithmetic(StringView text, ArithmeticScope& scope, int64_t* result, Message& error) {
  Evaluator evaluator(text, scope, error);
  return evaluator.run(result);
}

}  // namespace stellina::sh
