// expr: evaluates an expression given as arguments and writes its value (POSIX, with GNU's
// match, substr, index, length). Exit 0 if the value is neither null nor 0, 1 if it is, 2
// for an invalid expression.
#include <new>

#include "programs/expr/expr_eval.h"
#include "programs/lib/cmd.h"

namespace {

constexpr const char* kUsage =
    "usage: expr EXPRESSION\n"
    "  A | B   A if it is neither null nor 0, else B     A & B   A if neither is null or 0\n"
    "  A < B, <=, =, !=, >=, >   as integers if both are, else as strings\n"
    "  A + B, -, *, /, %   integers (64 bits: an overflow is an error)\n"
    "  A : RE  a BRE matched at A's start: the text of \\(...\\), or the length matched\n"
    "  match A RE, substr A POS LEN, index A CHARS, length A, + TOKEN, ( EXPRESSION )\n";

// Made in place when the program starts (a program's globals get no constructor run).
alignas(text::Regex) char regex_storage[sizeof(text::Regex)];
alignas(text::RegexScratch) char scratch_storage[sizeof(text::RegexScratch)];
alignas(text::ExprResult) char result_storage[sizeof(text::ExprResult)];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  static lib::StringView args[256];
  size_t first = 1;
  if (p.argc() == 2 && p.arg(1) == "--help") return c.help();
  if (p.argc() > 1 && p.arg(1) == "--") first = 2;
  size_t n = 0;
  for (size_t i = first; i < p.argc() && n < 256; ++i) args[n++] = p.arg(i);
  if (n == 0) {
    c.error("missing operand");
    return c.finish(2);
  }
  text::Regex& regex = *new (regex_storage) text::Regex();
  text::RegexScratch& scratch = *new (scratch_storage) text::RegexScratch();
  text::ExprResult& result = *new (result_storage) text::ExprResult();
  text::expr_evaluate(std::span<const lib::StringView>(args, n), regex, scratch, &result);
  if (result.error != text::ExprError::kNone) {
    c.error("{}", lib::StringView(result.message));
    return c.finish(2);
  }
  char buf[24];
  c.out().write(text::expr_text(result.value, buf));
  c.out().put('\n');
  return c.finish(text::expr_null(result.value) ? 1 : 0);
}
