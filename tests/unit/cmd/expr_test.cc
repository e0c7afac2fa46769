// expr's evaluation: the expected values and messages are GNU coreutils 9.1's (in the C
// locale), but for integers past 64 bits, which GNU takes as big numbers and this refuses.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "programs/expr/expr_eval.h"

namespace {

// "value status" or "error: message".
std::string expr(std::vector<std::string> argv) {
  static auto re = std::make_unique<text::Regex>();
  static auto scratch = std::make_unique<text::RegexScratch>();
  static std::vector<std::string> keep;
  keep = std::move(argv);
  std::vector<lib::StringView> args;
  for (const std::string& a : keep) args.emplace_back(a.data(), a.size());
  auto r = std::make_unique<text::ExprResult>();
  text::expr_evaluate(args, *re, *scratch, r.get());
  if (r->error != text::ExprError::kNone) return std::string("error: ") + r->message;
  char buf[24];
  const lib::StringView v = text::expr_text(r->value, buf);
  return std::string(v.data(), v.size()) + (text::expr_null(r->value) ? " 1" : " 0");
}

TEST(Expr, Arithmetic) {
  EXPECT_EQ(expr({"1", "+", "2"}), "3 0");
  EXPECT_EQ(expr({"-5", "%", "3"}), "-2 0");
  EXPECT_EQ(expr({"9", "/", "-2"}), "-4 0");
  EXPECT_EQ(expr({"3", "-", "-2"}), "5 0");
  EXPECT_EQ(expr({"2", "*", "-3"}), "-6 0");
  EXPECT_EQ(expr({"(", "1", "+", "2", ")", "*", "3"}), "9 0");
  EXPECT_EQ(expr({"1", "+", "2", "*", "3"}), "7 0");
  EXPECT_EQ(expr({"1", "-", "1"}), "0 1");
  EXPECT_EQ(expr({"5", "/", "0"}), "error: division by zero");
  EXPECT_EQ(expr({"5", "%", "0"}), "error: division by zero");
  EXPECT_EQ(expr({"a", "+", "1"}), "error: non-integer argument");
  EXPECT_EQ(expr({" 1", "+", "1"}), "error: non-integer argument");
  EXPECT_EQ(expr({"9223372036854775807", "+", "1"}), "error: integer overflow");
  EXPECT_EQ(expr({"-9223372036854775808", "-", "1"}), "error: integer overflow");
  EXPECT_EQ(expr({"99999999999999999999", "+", "0"}), "error: integer overflow");
  EXPECT_EQ(expr({"4294967296", "*", "4294967296"}), "error: integer overflow");
  EXPECT_EQ(expr({"-9223372036854775808", "/", "-1"}), "error: integer overflow");
  EXPECT_EQ(expr({"-9223372036854775808", "%", "-1"}), "0 1");
  EXPECT_EQ(expr({"-9223372036854775808"}), "-9223372036854775808 0");
}

TEST(Expr, Comparisons) {
  EXPECT_EQ(expr({"10", "<", "9"}), "0 1");
  EXPECT_EQ(expr({"abc", "<", "abd"}), "1 0");
  EXPECT_EQ(expr({"01", "=", "1"}), "1 0");
  EXPECT_EQ(expr({"a", "=", "a"}), "1 0");
  EXPECT_EQ(expr({"a", ">", "10"}), "1 0");
  EXPECT_EQ(expr({"5", ">", "10"}), "0 1");
  EXPECT_EQ(expr({"x", "!=", "y"}), "1 0");
  EXPECT_EQ(expr({"ab", ">=", "a"}), "1 0");
}

TEST(Expr, Logic) {
  EXPECT_EQ(expr({"0", "|", ""}), "0 1");
  EXPECT_EQ(expr({"", "|", ""}), "0 1");
  EXPECT_EQ(expr({"", "|", "b"}), "b 0");
  EXPECT_EQ(expr({"1", "|", "a"}), "1 0");
  EXPECT_EQ(expr({"a", "&", "0"}), "0 1");
  EXPECT_EQ(expr({"a", "&", "b"}), "a 0");
  EXPECT_EQ(expr({"x", "=", "x", "&", "0", "=", ""}), "0 1");
  EXPECT_EQ(expr({"-0"}), "-0 1");
  EXPECT_EQ(expr({"00"}), "00 1");
  EXPECT_EQ(expr({"-"}), "- 0");
}

TEST(Expr, Matching) {
  EXPECT_EQ(expr({"abc", ":", "a.c"}), "3 0");
  EXPECT_EQ(expr({"abc", ":", "a\\(.\\)c"}), "b 0");
  EXPECT_EQ(expr({"abc", ":", "x\\(.\\)"}), " 1");
  EXPECT_EQ(expr({"abc", ":", "x"}), "0 1");
  EXPECT_EQ(expr({"abc", ":", "b"}), "0 1");  // anchored at the start
  EXPECT_EQ(expr({"aXb", ":", ".*X"}), "2 0");
  EXPECT_EQ(expr({"a", ":", ".*"}), "1 0");
  EXPECT_EQ(expr({"match", "abc", "a\\(b\\)"}), "b 0");
  EXPECT_EQ(expr({"12345", ":", "1\\(..\\)"}), "23 0");
  EXPECT_EQ(expr({"file.tar.gz", ":", "\\(.*\\)\\.gz"}), "file.tar 0");
  EXPECT_EQ(expr({"abc", ":", "\\("}), "error: Unmatched ( or \\(");
}

TEST(Expr, Strings) {
  EXPECT_EQ(expr({"length", "abcd"}), "4 0");
  EXPECT_EQ(expr({"length", ""}), "0 1");
  EXPECT_EQ(expr({"substr", "hello", "2", "3"}), "ell 0");
  EXPECT_EQ(expr({"substr", "hello", "4", "9"}), "lo 0");
  EXPECT_EQ(expr({"substr", "abc", "0", "1"}), " 1");
  EXPECT_EQ(expr({"substr", "12345", "2", "2"}), "23 0");
  EXPECT_EQ(expr({"index", "hello", "lo"}), "3 0");
  EXPECT_EQ(expr({"index", "hello", "z"}), "0 1");
  EXPECT_EQ(expr({"+", "length"}), "length 0");
  EXPECT_EQ(expr({"length", "12", "+", "1"}), "3 0");
}

TEST(Expr, SyntaxErrors) {
  EXPECT_EQ(expr({"1", "+"}), "error: syntax error: missing argument after '+'");
  EXPECT_EQ(expr({"1", "2"}), "error: syntax error: unexpected argument '2'");
  EXPECT_EQ(expr({"(", "1"}), "error: syntax error: expecting ')' after '1'");
  EXPECT_EQ(expr({"(", "1", "2"}), "error: syntax error: expecting ')' instead of '2'");
  EXPECT_EQ(expr({")"}), "error: syntax error: unexpected ')'");
  EXPECT_EQ(expr({"1", "+", "("}), "error: syntax error: missing argument after '('");
  EXPECT_EQ(expr({"length"}), "error: syntax error: missing argument after 'length'");
}

}  // namespace
