#include "programs/lib/util_path.h"

#include <gtest/gtest.h>

namespace {

TEST(UtilPath, DirNameAsPosix) {
  const struct {
    const char* path;
    const char* dir;
  } cases[] = {{"//", "/"},      {"//a", "/"}, {"///a", "/"},   {"a//b/", "a"}, {"/", "/"},
               {"", "."},        {"a", "."},   {".", "."},      {"..", "."},    {"a/", "."},
               {"/a/b//", "/a"}, {"/a", "/"},  {"a/b/c", "a/b"}};
  for (const auto& c : cases) EXPECT_EQ(util::dir_name(c.path), lib::StringView(c.dir)) << c.path;
}

TEST(UtilPath, StripSuffix) {
  EXPECT_EQ(util::strip_suffix("a.c", ".c"), lib::StringView("a"));
  EXPECT_EQ(util::strip_suffix(".c", ".c"), lib::StringView(".c"));  // never all of it
  EXPECT_EQ(util::strip_suffix("a.c", ".h"), lib::StringView("a.c"));
  EXPECT_EQ(util::strip_suffix("a.c", ""), lib::StringView("a.c"));
  EXPECT_EQ(util::strip_suffix("c", "abc"), lib::StringView("c"));
}

}  // namespace
