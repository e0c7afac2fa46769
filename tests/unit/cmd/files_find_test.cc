#include "programs/find/expr.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using cmd::find::Expr;

bool parse(std::vector<lib::StringView> words, Expr* e, std::string* why = nullptr) {
  lib::StringView word;
  const char* reason = "";
  const bool ok = cmd::find::parse(words.data(), words.size(), e, &word, &reason);
  if (why) *why = std::string(word.data(), word.size()) + ": " + reason;
  return ok;
}

constexpr uint32_t kFile = 0100644, kDir = 0040755, kLink = 0120777;

TEST(FilesFind, NoExpressionPrintsEverything) {
  Expr e;
  ASSERT_TRUE(parse({}, &e));
  EXPECT_EQ(cmd::find::evaluate(e, {"x", kFile, 0}), 1u);
  EXPECT_EQ(cmd::find::evaluate(e, {"d", kDir, 0}), 1u);
}

TEST(FilesFind, NameAndType) {
  Expr e;
  ASSERT_TRUE(parse({"-name", "*.c", "-type", "f"}, &e));
  EXPECT_EQ(cmd::find::evaluate(e, {"a.c", kFile, 0}), 1u);
  EXPECT_EQ(cmd::find::evaluate(e, {"a.c", kDir, 0}), 0u);
  EXPECT_EQ(cmd::find::evaluate(e, {"a.h", kFile, 0}), 0u);
  ASSERT_TRUE(parse({"-type", "l"}, &e));
  EXPECT_EQ(cmd::find::evaluate(e, {"l", kLink, 0}), 1u);
  EXPECT_EQ(cmd::find::evaluate(e, {"f", kFile, 0}), 0u);
}

TEST(FilesFind, Negation) {
  Expr e;
  ASSERT_TRUE(parse({"!", "-name", "*.o"}, &e));
  EXPECT_EQ(cmd::find::evaluate(e, {"a.o", kFile, 0}), 0u);
  EXPECT_EQ(cmd::find::evaluate(e, {"a.c", kFile, 0}), 1u);
  ASSERT_TRUE(parse({"-not", "-type", "d"}, &e));
  EXPECT_EQ(cmd::find::evaluate(e, {"d", kDir, 0}), 0u);
  ASSERT_TRUE(parse({"!", "!", "-type", "d"}, &e));
  EXPECT_EQ(cmd::find::evaluate(e, {"d", kDir, 0}), 1u);
}

TEST(FilesFind, PrintsWhereReached) {
  Expr e;
  ASSERT_TRUE(parse({"-print", "-name", "a*", "-print"}, &e));
  EXPECT_EQ(cmd::find::evaluate(e, {"ab", kFile, 0}), 2u);
  EXPECT_EQ(cmd::find::evaluate(e, {"b", kFile, 0}), 1u);
  ASSERT_TRUE(parse({"-name", "a*", "-print", "-type", "d"}, &e));
  EXPECT_EQ(cmd::find::evaluate(e, {"ab", kFile, 0}), 1u);  // no implicit print after
}

TEST(FilesFind, DepthsAndSizes) {
  Expr e;
  ASSERT_TRUE(parse({"-maxdepth", "2", "-mindepth", "1", "-size", "+1k"}, &e));
  EXPECT_EQ(e.max_depth, 2u);
  EXPECT_EQ(e.min_depth, 1u);
  EXPECT_EQ(cmd::find::evaluate(e, {"big", kFile, 2048}), 1u);
  EXPECT_EQ(cmd::find::evaluate(e, {"small", kFile, 1024}), 0u);
}

TEST(FilesFind, RefusesBadExpressions) {
  Expr e;
  std::string why;
  EXPECT_FALSE(parse({"-name"}, &e, &why));
  EXPECT_EQ(why, "-name: missing argument");
  EXPECT_FALSE(parse({"-type", "x"}, &e, &why));
  EXPECT_EQ(why, "x: unknown type");
  EXPECT_FALSE(parse({"-type", "fd"}, &e));
  EXPECT_FALSE(parse({"-maxdepth", "-1"}, &e));
  EXPECT_FALSE(parse({"-maxdepth", "99999999999999999999"}, &e));
  EXPECT_FALSE(parse({"-size", "1q"}, &e));
  EXPECT_FALSE(parse({"-frobnicate"}, &e, &why));
  EXPECT_EQ(why, "-frobnicate: unknown predicate");
  EXPECT_FALSE(parse({"!"}, &e));
  EXPECT_FALSE(parse({"!", "-print"}, &e));
  std::vector<lib::StringView> many(2 * (Expr::kMaxTests + 1));
  for (size_t i = 0; i < many.size(); i += 2) many[i] = "-name", many[i + 1] = "x";
  EXPECT_FALSE(parse(many, &e, &why));
  EXPECT_EQ(why, "-name: too many tests");
}

}  // namespace
