#include <lib/string_view.h>

#include <gtest/gtest.h>

namespace {

using lib::StringView;

TEST(StringView, CountsANulTerminatedString) {
  constexpr StringView kHint = "error: try 'list'\n";
  static_assert(kHint.size() == 18);
  EXPECT_EQ(StringView("").size(), 0u);
  EXPECT_TRUE(StringView(nullptr).empty());
  EXPECT_TRUE(StringView().empty());
}

TEST(StringView, ComparesBytesNotPointers) {
  const char text[] = "list silos";
  EXPECT_TRUE(StringView(text, 4) == "list");
  EXPECT_FALSE(StringView(text, 5) == "list");
  EXPECT_FALSE(StringView(text, 4) == "lisp");
  EXPECT_TRUE(StringView(text, 0) == "");
  EXPECT_TRUE(StringView("a") != StringView("b"));
}

TEST(StringView, StartsAndEndsWith) {
  const StringView uri = "tcp-listen:0.0.0.0:80";
  EXPECT_TRUE(uri.starts_with("tcp"));
  EXPECT_TRUE(uri.starts_with("tcp-listen:"));
  EXPECT_FALSE(uri.starts_with("tcp:"));
  EXPECT_TRUE(uri.starts_with(""));
  EXPECT_FALSE(StringView("tc").starts_with("tcp"));
  EXPECT_TRUE(uri.ends_with(":80"));
  EXPECT_FALSE(StringView("80").ends_with(":80"));
}

TEST(StringView, Finds) {
  const StringView s = "boot:site/index.html";
  EXPECT_EQ(s.find(':'), 4u);
  EXPECT_EQ(s.find('/'), 9u);
  EXPECT_EQ(s.find('/', 10), StringView::kNpos);
  EXPECT_EQ(s.find("site"), 5u);
  EXPECT_EQ(s.find("html"), 16u);
  EXPECT_EQ(s.find("htmlx"), StringView::kNpos);
  EXPECT_EQ(s.find(""), 0u);
  EXPECT_EQ(StringView("ab").find("abc"), StringView::kNpos);
}

TEST(StringView, SubstrClampsToTheView) {
  const StringView s = "limits echo";
  EXPECT_TRUE(s.substr(0, 6) == "limits");
  EXPECT_TRUE(s.substr(7) == "echo");
  EXPECT_TRUE(s.substr(7, 100) == "echo");
  EXPECT_TRUE(s.substr(11).empty());
  EXPECT_TRUE(s.substr(50).empty());
}

}  // namespace
