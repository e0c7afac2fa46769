#include "programs/lib/files_glob.h"

#include <gtest/gtest.h>

namespace {

using cmd::glob_match;

TEST(FilesGlob, Literals) {
  EXPECT_TRUE(glob_match("abc", "abc"));
  EXPECT_FALSE(glob_match("abc", "abd"));
  EXPECT_FALSE(glob_match("abc", "ab"));
  EXPECT_FALSE(glob_match("ab", "abc"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
}

TEST(FilesGlob, Stars) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("*.txt", "notes.txt"));
  EXPECT_FALSE(glob_match("*.txt", "notes.txt.bak"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(glob_match("a*b*c", "abc"));
  EXPECT_FALSE(glob_match("a*b*c", "acb"));
  EXPECT_TRUE(glob_match("**a", "bba"));
  EXPECT_TRUE(glob_match("*.c", ".c"));  // a leading dot is not special (find -name)
  EXPECT_TRUE(glob_match("*", ".hidden"));
  EXPECT_TRUE(glob_match("*/*", "a/b"));  // nor is '/'
}

TEST(FilesGlob, Question) {
  EXPECT_TRUE(glob_match("?", "x"));
  EXPECT_FALSE(glob_match("?", ""));
  EXPECT_FALSE(glob_match("?", "xy"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_TRUE(glob_match("*?", "a"));
  EXPECT_FALSE(glob_match("*??", "a"));
}

TEST(FilesGlob, Brackets) {
  EXPECT_TRUE(glob_match("[abc]", "b"));
  EXPECT_FALSE(glob_match("[abc]", "d"));
  EXPECT_TRUE(glob_match("[a-z]x", "qx"));
  EXPECT_FALSE(glob_match("[a-z]", "Q"));
  EXPECT_TRUE(glob_match("[!a-z]", "Q"));
  EXPECT_TRUE(glob_match("[^a-z]", "5"));
  EXPECT_FALSE(glob_match("[!a-z]", "q"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("[!]]", "a"));
  EXPECT_FALSE(glob_match("[!]]", "]"));
  EXPECT_TRUE(glob_match("[a-]", "-"));
  EXPECT_TRUE(glob_match("file[0-9].c", "file7.c"));
  // An unclosed bracket is a literal '['.
  EXPECT_TRUE(glob_match("[ab", "[ab"));
  EXPECT_FALSE(glob_match("[ab", "a"));
  // Bytes past 127 compare unsigned.
  EXPECT_TRUE(glob_match("[\x80-\xff]", "\xc3"));
}

TEST(FilesGlob, Escapes) {
  EXPECT_TRUE(glob_match("\\*", "*"));
  EXPECT_FALSE(glob_match("\\*", "a"));
  EXPECT_TRUE(glob_match("a\\?", "a?"));
  EXPECT_FALSE(glob_match("a\\?", "ab"));
  EXPECT_TRUE(glob_match("[\\]]", "]"));
  EXPECT_TRUE(glob_match("a\\", "a\\"));  // a trailing backslash stands for itself
}

TEST(FilesGlob, NoBlowUpOnManyStars) {
  // Exponential backtracking would take forever here; the greedy walk is quadratic at worst.
  static char name[4001];
  for (size_t i = 0; i < 4000; ++i) name[i] = 'a';
  const lib::StringView text(name, 4000);
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a", text));
}

}  // namespace
