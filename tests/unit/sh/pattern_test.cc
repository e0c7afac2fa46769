#include "programs/sh/pattern.h"

#include <string>

#include <gtest/gtest.h>

namespace test {
namespace {

using stellina::sh::has_pattern_chars;
using stellina::sh::match_pattern;
using stellina::sh::StringView;

bool match(const std::string& pattern, const std::string& text) {
  return match_pattern(StringView(pattern.data(), pattern.size()),
                       StringView(text.data(), text.size()));
}

TEST(Pattern, StarsAndQuestionMarks) {
  EXPECT_TRUE(match("*", ""));
  EXPECT_TRUE(match("*", "anything"));
  EXPECT_TRUE(match("a*", "abc"));
  EXPECT_FALSE(match("a*", "bac"));
  EXPECT_TRUE(match("*c", "abc"));
  EXPECT_TRUE(match("a*c*e", "abcde"));
  EXPECT_FALSE(match("a*c*e", "abcdf"));
  EXPECT_TRUE(match("?", "x"));
  EXPECT_FALSE(match("?", ""));
  EXPECT_FALSE(match("?", "xy"));
  EXPECT_TRUE(match("??*", "xy"));
  EXPECT_TRUE(match("", ""));
  EXPECT_FALSE(match("", "a"));
}

TEST(Pattern, Brackets) {
  EXPECT_TRUE(match("[abc]", "b"));
  EXPECT_FALSE(match("[abc]", "d"));
  EXPECT_TRUE(match("[!abc]", "d"));
  EXPECT_FALSE(match("[!abc]", "a"));
  EXPECT_TRUE(match("[^abc]", "d"));
  EXPECT_FALSE(match("[^abc]", "a"));
  EXPECT_TRUE(match("[a-c]x", "bx"));
  EXPECT_FALSE(match("[a-c]x", "dx"));
  EXPECT_TRUE(match("[]]", "]"));
  EXPECT_TRUE(match("[!]]", "a"));
  EXPECT_TRUE(match("[a-]", "-"));
  EXPECT_TRUE(match("[[:digit:]][[:alpha:]]", "1a"));
  EXPECT_FALSE(match("[[:digit:]]", "a"));
  EXPECT_TRUE(match("[[:space:][:upper:]]", "Q"));
  // An unclosed bracket is an ordinary character.
  EXPECT_TRUE(match("[ab", "[ab"));
  EXPECT_FALSE(match("[ab", "a"));
}

TEST(Pattern, Escapes) {
  EXPECT_TRUE(match("\\*", "*"));
  EXPECT_FALSE(match("\\*", "a"));
  EXPECT_TRUE(match("a\\?c", "a?c"));
  EXPECT_FALSE(match("a\\?c", "abc"));
  EXPECT_TRUE(match("[\\]]", "]"));
  EXPECT_TRUE(match("\\[a]", "[a]"));
  EXPECT_FALSE(has_pattern_chars("a\\*b\\?\\["));
  EXPECT_TRUE(has_pattern_chars("a\\*b*"));
}

TEST(Pattern, NoExponentialBacktracking) {
  const std::string text(20000, 'a');
  EXPECT_FALSE(match("*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(match("*a*a*a*a*a*a*a*a*a*a*", text));
}

}  // namespace
}  // namespace test
