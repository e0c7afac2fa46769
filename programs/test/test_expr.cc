#include "programs/test/test_expr.h"

#include <lib/format.h>

#include "programs/lib/parse.h"

namespace util::test_cmd {
namespace {

constexpr uint32_t kTypeMask = 0170000;
constexpr uint32_t kFifo = 0010000;
constexpr uint32_t kCharDevice = 0020000;
constexpr uint32_t kDirectory = 0040000;
constexpr uint32_t kBlockDevice = 0060000;
constexpr uint32_t kRegular = 0100000;
constexpr uint32_t kSymlink = 0120000;
constexpr uint32_t kSocket = 0140000;

bool is_unary(lib::StringView op) {
  return op.size() == 2 && op[0] == '-' &&
         lib::StringView("bcdefghknprstuwxzLS").find(op[1]) != lib::StringView::kNpos;
}

bool is_binary(lib::StringView op) {
  static constexpr const char* kBinary[] = {"=",   "==",  "!=",  "<",   ">",   "-eq", "-ne",
                                            "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"};
  for (const char* b : kBinary)
    if (op == b) return true;
  return false;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Bytewise, as strcmp in the C locale.
int compare(lib::StringView a, lib::StringView b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<uint8_t>(a[i]), y = static_cast<uint8_t>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

class Evaluator {
 public:
  Evaluator(const lib::StringView* args, size_t count, Environment& env)
      : args_(args), count_(count), env_(env) {}

  int run() {
    const bool value = posix(0, count_);
    if (!failed_ && pos_ < count_) fail("extra argument '{}'", args_[pos_]);
    if (failed_) return 2;
    return value ? 0 : 1;
  }

 private:
  template <typename... Args>
  bool fail(const char* fmt, const Args&... args) {
    if (failed_) return false;
    char text[256];
    const size_t n = lib::format_to(text, sizeof(text), fmt, args...);
    env_.error(lib::StringView(text, n < sizeof(text) ? n : sizeof(text) - 1));
    failed_ = true;
    return false;
  }

  lib::StringView at(size_t i) const { return args_[i]; }

  // The n arguments from start by POSIX's rules for n <= 4, the grammar past that; pos_ ends
  // after them.
  bool posix(size_t start, size_t n) {
    pos_ = start;
    switch (n) {
      case 0: return false;
      case 1: return !at(pos_++).empty();
      case 2:
        if (at(start) == "!") {
          pos_ = start + 1;
          return !posix(start + 1, 1);
        }
        if (is_unary(at(start))) return unary();
        return fail("'{}': unary operator expected", at(start));
      case 3:
        if (is_binary(at(start + 1))) return binary();
        if (at(start + 1) == "-a" || at(start + 1) == "-o") {
          const bool a = !at(start).empty(), b = !at(start + 2).empty();
          pos_ = start + 3;
          return at(start + 1) == "-a" ? a && b : a || b;
        }
        if (at(start) == "!") return !posix(start + 1, 2);
        if (at(start) == "(" && at(start + 2) == ")") {
          const bool v = posix(start + 1, 1);
          pos_ = start + 3;
          return v;
        }
        return fail("'{}': binary operator expected", at(start + 1));
      case 4:
        if (at(start) == "!") return !posix(start + 1, 3);
        if (at(start) == "(" && at(start + 3) == ")") {
          const bool v = posix(start + 1, 2);
          pos_ = start + 4;
          return v;
        }
        break;
      default: break;
    }
    end_ = start + n;
    return any();
  }

  bool any() {
    bool v = all();
    while (!failed_ && pos_ < end_ && at(pos_) == "-o") {
      ++pos_;
      const bool w = all();
      v = v || w;
    }
    return v;
  }

  bool all() {
    bool v = term();
    while (!failed_ && pos_ < end_ && at(pos_) == "-a") {
      ++pos_;
      const bool w = term();
      v = v && w;
    }
    return v;
  }

  bool term() {
    if (failed_) return false;
    if (pos_ >= end_) return fail("argument expected");
    if (at(pos_) == "!") {
      ++pos_;
      return !term();
    }
    if (at(pos_) == "(") {
      ++pos_;
      // A short group goes by POSIX's counts ("( -n )" is a string); a long one by the grammar.
      size_t n = 0;
      while (n < 4 && pos_ + n < end_ && at(pos_ + n) != ")") ++n;
      bool v = false;
      if (n < 4 && pos_ + n < end_) {
        const size_t end = end_;
        v = posix(pos_, n);
        end_ = end;
      } else {
        v = any();
      }
      if (failed_) return false;
      if (pos_ >= end_ || at(pos_) != ")") return fail("')' expected");
      ++pos_;
      return v;
    }
    if (end_ - pos_ >= 3 && is_binary(at(pos_ + 1))) return binary();
    if (at(pos_).size() == 2 && at(pos_)[0] == '-' && end_ - pos_ >= 2) {
      if (is_unary(at(pos_))) return unary();
      return fail("'{}': unary operator expected", at(pos_));
    }
    return !at(pos_++).empty();
  }

  bool integer(lib::StringView text, int64_t* out) {
    lib::StringView t = text;
    while (!t.empty() && is_blank(t[0])) t = t.substr(1);
    while (!t.empty() && is_blank(t[t.size() - 1])) t = t.substr(0, t.size() - 1);
    if (cmd::parse_i64(t, out)) return true;
    return fail("invalid integer '{}'", text);
  }

  bool unary() {
    const char op = at(pos_)[1];
    const lib::StringView arg = at(pos_ + 1);
    pos_ += 2;
    switch (op) {
      case 'n': return !arg.empty();
      case 'z': return arg.empty();
      case 't': {
        int64_t fd = 0;
        return integer(arg, &fd) && env_.is_terminal(fd);
      }
      default: break;
    }
    FileInfo f;
    if (!env_.stat(arg, op != 'h' && op != 'L', &f)) return false;
    const uint32_t type = f.mode & kTypeMask;
    switch (op) {
      case 'e': return true;
      case 'f': return type == kRegular;
      case 'd': return type == kDirectory;
      case 'b': return type == kBlockDevice;
      case 'c': return type == kCharDevice;
      case 'p': return type == kFifo;
      case 'S': return type == kSocket;
      case 'h':
      case 'L': return type == kSymlink;
      case 's': return f.size > 0;
      case 'g': return f.mode & 02000;
      case 'u': return f.mode & 04000;
      case 'k': return f.mode & 01000;
      // No users yet: a permission bit for anyone says what anyone may do.
      case 'r': return f.mode & 0444;
      case 'w': return f.mode & 0222;
      case 'x': return f.mode & 0111;
      default: return false;
    }
  }

  bool binary() {
    const lib::StringView a = at(pos_), op = at(pos_ + 1), b = at(pos_ + 2);
    pos_ += 3;
    if (op == "=" || op == "==") return a == b;
    if (op == "!=") return !(a == b);
    if (op == "<") return compare(a, b) < 0;
    if (op == ">") return compare(a, b) > 0;
    if (op == "-nt" || op == "-ot" || op == "-ef") {
      FileInfo x, y;
      const bool has_x = env_.stat(a, true, &x), has_y = env_.stat(b, true, &y);
      if (op == "-ef") return has_x && has_y && x.device == y.device && x.node == y.node;
      if (op == "-nt") return has_x && (!has_y || x.mtime_ns > y.mtime_ns);
      return has_y && (!has_x || x.mtime_ns < y.mtime_ns);
    }
    int64_t x = 0, y = 0;
    if (!integer(a, &x) || !integer(b, &y)) return false;
    if (op == "-eq") return x == y;
    if (op == "-ne") return x != y;
    if (op == "-lt") return x < y;
    if (op == "-le") return x <= y;
    if (op == "-gt") return x > y;
    return x >= y;  // -ge
  }

  const lib::StringView* args_;
  size_t count_;
  Environment& env_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool failed_ = false;
};

}  // namespace

int evaluate(const lib::StringView* args, size_t count, Environment& env) {
  return Evaluator(args, count, env).run();
}

}  // namespace util::test_cmd
