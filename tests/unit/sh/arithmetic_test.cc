#include "programs/sh/arithmetic.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace test {
namespace {

using stellina::sh::evaluate_arithmetic;
using stellina::sh::Message;
using stellina::sh::StringView;

class Scope final : public stellina::sh::ArithmeticScope {
 public:
  bool lookup(StringView name, StringView* value) override {
    auto it = vars.find(std::string(name.data(), name.size()));
    if (it == vars.end()) return false;
    *value = StringView(it->second.data(), it->second.size());
    return true;
  }
  bool assign(StringView name, int64_t value, Message& error) override {
    const std::string n(name.data(), name.size());
    if (n == "ro") {
      error.add("ro: is read only");
      return false;
    }
    vars[n] = std::to_string(value);
    return true;
  }
  std::map<std::string, std::string> vars;
};

int64_t eval(const std::string& text, Scope& scope) {
  Message error;
  int64_t value = -12345;
  EXPECT_TRUE(evaluate_arithmetic(StringView(text.data(), text.size()), scope, &value, error))
      << text << ": " << std::string(error.view().data(), error.view().size());
  return value;
}

int64_t eval(const std::string& text) {
  Scope scope;
  return eval(text, scope);
}

std::string failure(const std::string& text) {
  Scope scope;
  Message error;
  int64_t value = 0;
  EXPECT_FALSE(evaluate_arithmetic(StringView(text.data(), text.size()), scope, &value, error))
      << text;
  return std::string(error.view().data(), error.view().size());
}

TEST(Arithmetic, PrecedenceAndAssociativity) {
  EXPECT_EQ(eval("1 + 2 * 3"), 7);
  EXPECT_EQ(eval("(1 + 2) * 3"), 9);
  EXPECT_EQ(eval("10 - 4 - 3"), 3);
  EXPECT_EQ(eval("100 / 10 / 5"), 2);
  EXPECT_EQ(eval("1 << 2 + 1"), 8);
  EXPECT_EQ(eval("1 < 2 == 1"), 1);
  EXPECT_EQ(eval("6 & 3 | 8"), 10);
  EXPECT_EQ(eval("1 | 2 ^ 3 & 4"), 3);
  EXPECT_EQ(eval("0 || 2 && 3"), 1);
  EXPECT_EQ(eval("-2 * -3"), 6);
  EXPECT_EQ(eval("!0 + ~0"), 0);
  EXPECT_EQ(eval("1 ? 2 : 3 ? 4 : 5"), 2);
  EXPECT_EQ(eval("0 ? 2 : 0 ? 4 : 5"), 5);
  EXPECT_EQ(eval("-7 / 2"), -3);
  EXPECT_EQ(eval("-7 % 3"), -1);
  EXPECT_EQ(eval("0x10 + 010 + 10"), 34);
  EXPECT_EQ(eval("  42  "), 42);
}

TEST(Arithmetic, WrapsAt64Bits) {
  EXPECT_EQ(eval("9223372036854775807 + 1"), INT64_MIN);
  EXPECT_EQ(eval("-9223372036854775807 - 2"), INT64_MAX);
  EXPECT_EQ(eval("4611686018427387904 * 4"), 0);
  EXPECT_EQ(eval("(-9223372036854775807 - 1) / -1"), INT64_MIN);
  EXPECT_EQ(eval("(-9223372036854775807 - 1) % -1"), 0);
  EXPECT_EQ(eval("1 << 64"), 1);  // the shift count is taken modulo 64, as x86 does
}

// Constants never wrap: past INT64_MAX they read as INT64_MAX, as dash reads them.
TEST(Arithmetic, ConstantsStopAtInt64Max) {
  EXPECT_EQ(eval("0"), 0);
  EXPECT_EQ(eval("007"), 7);
  EXPECT_EQ(eval("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(eval("9223372036854775808"), INT64_MAX);
  EXPECT_EQ(eval("18446744073709551616"), INT64_MAX);  // 2^64
  EXPECT_EQ(eval("18446744073709551620"), INT64_MAX);  // 2^64 + 4, never 4
  EXPECT_EQ(eval("0x7fffffffffffffff"), INT64_MAX);
  EXPECT_EQ(eval("0xffffffffffffffff"), INT64_MAX);
  EXPECT_EQ(eval("0x10000000000000004"), INT64_MAX);
  EXPECT_EQ(eval("01000000000000000000000"), INT64_MAX);  // 2^63 in octal
  EXPECT_EQ(eval("-9223372036854775808"), -INT64_MAX);
  EXPECT_EQ(eval("-18446744073709551620"), -INT64_MAX);
}

TEST(Arithmetic, Variables) {
  Scope scope;
  scope.vars["x"] = "5";
  scope.vars["neg"] = "-3";
  scope.vars["blank"] = "";
  scope.vars["spaced"] = " 7 ";
  EXPECT_EQ(eval("x * 2", scope), 10);
  EXPECT_EQ(eval("neg + unset + blank + spaced", scope), 4);
  EXPECT_EQ(eval("y = x + 1", scope), 6);
  EXPECT_EQ(scope.vars["y"], "6");
  EXPECT_EQ(eval("y += 4", scope), 10);
  EXPECT_EQ(eval("y -= 1", scope), 9);
  EXPECT_EQ(eval("y *= 2", scope), 18);
  EXPECT_EQ(eval("y /= 4", scope), 4);
  EXPECT_EQ(eval("y %= 3", scope), 1);
  EXPECT_EQ(eval("y <<= 3", scope), 8);
  EXPECT_EQ(eval("y >>= 1", scope), 4);
  EXPECT_EQ(eval("y |= 3", scope), 7);
  EXPECT_EQ(eval("y &= 5", scope), 5);
  EXPECT_EQ(eval("y ^= 1", scope), 4);
  EXPECT_EQ(eval("a = b = 3", scope), 3);
  EXPECT_EQ(scope.vars["a"], "3");
  EXPECT_EQ(eval("x == 5", scope), 1);
  // The side not taken is not evaluated.
  EXPECT_EQ(eval("0 && (z = 1)", scope), 0);
  EXPECT_EQ(eval("1 || (z = 1)", scope), 1);
  EXPECT_EQ(eval("1 ? 2 : (z = 1)", scope), 2);
  EXPECT_EQ(scope.vars.count("z"), 0u);
  EXPECT_EQ(eval("0 && 1 / 0", scope), 0);
}

TEST(Arithmetic, Errors) {
  EXPECT_NE(failure("1 / 0").find("division by zero"), std::string::npos);
  EXPECT_NE(failure("1 % 0").find("division by zero"), std::string::npos);
  EXPECT_NE(failure("x /= 0").find("division by zero"), std::string::npos);
  EXPECT_FALSE(failure("1 +").empty());
  EXPECT_FALSE(failure("(1").empty());
  EXPECT_FALSE(failure("1 2").empty());
  EXPECT_FALSE(failure("08").empty());
  EXPECT_FALSE(failure("0xg").empty());
  EXPECT_FALSE(failure("1 ? 2").empty());
  EXPECT_FALSE(failure("$").empty());
  EXPECT_FALSE(failure("").empty());
  EXPECT_NE(failure("ro = 1").find("read only"), std::string::npos);
  Scope scope;
  scope.vars["word"] = "abc";
  Message error;
  int64_t value = 0;
  EXPECT_FALSE(evaluate_arithmetic("word + 1", scope, &value, error));
  EXPECT_NE(std::string(error.view().data(), error.view().size()).find("Illegal number"),
            std::string::npos);
  EXPECT_NE(failure(std::string(1000, '(') + "1" + std::string(1000, ')')).find("nested"),
            std::string::npos);
  EXPECT_NE(failure(std::string(1000, '-') + "1").find("nested"), std::string::npos);
  EXPECT_NE(failure(std::string(1000, '!') + "1").find("nested"), std::string::npos);
}

}  // namespace
}  // namespace test
