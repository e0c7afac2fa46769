#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "programs/xargs/xargs_input.h"

namespace {

namespace xargs = util::xargs_cmd;

// The arguments input splits into, then "ERROR: why" if it was malformed.
std::vector<std::string> split(const std::string& input, xargs::Split mode, char delimiter = '\n') {
  auto s = std::make_unique<xargs::Splitter>(mode, delimiter);
  std::vector<std::string> out;
  for (size_t i = 0; i <= input.size(); ++i) {
    const xargs::Event e = i < input.size() ? s->feed(input[i]) : s->finish();
    if (e == xargs::Event::kItem) out.emplace_back(s->item().data(), s->item().size());
    if (e == xargs::Event::kError) {
      out.push_back(std::string("ERROR: ") + s->error());
      break;
    }
  }
  return out;
}

using V = std::vector<std::string>;

TEST(UtilXargs, Blanks) {
  EXPECT_EQ(split("a b\tc\n\n  d", xargs::Split::kBlanks), (V{"a", "b", "c", "d"}));
  EXPECT_EQ(split("'a b' \"c d\" e\\ f '' g", xargs::Split::kBlanks),
            (V{"a b", "c d", "e f", "", "g"}));
  EXPECT_EQ(split("x'y z'w", xargs::Split::kBlanks), (V{"xy zw"}));
  EXPECT_EQ(split("'a\nb'", xargs::Split::kBlanks), (V{"ERROR: unmatched single quote"}));
  EXPECT_EQ(split("\"a", xargs::Split::kBlanks), (V{"ERROR: unmatched double quote"}));
  EXPECT_EQ(split("", xargs::Split::kBlanks), V{});
  EXPECT_EQ(split("   \n ", xargs::Split::kBlanks), V{});
}

TEST(UtilXargs, Lines) {
  EXPECT_EQ(split("  a b \n\nc 'd  e'\n", xargs::Split::kLines), (V{"a b ", "c d  e"}));
}

TEST(UtilXargs, Delimiters) {
  EXPECT_EQ(split(std::string("a b\0\0c'\0", 8), xargs::Split::kDelimiter, '\0'),
            (V{"a b", "", "c'"}));
  EXPECT_EQ(split("a,b,c", xargs::Split::kDelimiter, ','), (V{"a", "b", "c"}));
  EXPECT_EQ(split("a\\b\n", xargs::Split::kDelimiter, '\n'), (V{"a\\b"}));
}

TEST(UtilXargs, TooLong) {
  const std::string huge(xargs::kMaxItem + 1, 'x');
  EXPECT_EQ(split(huge, xargs::Split::kBlanks), (V{"ERROR: argument too long"}));
  EXPECT_EQ(split(huge.substr(1) + " y", xargs::Split::kBlanks).size(), 2u);
}

TEST(UtilXargs, DelimiterArgument) {
  char d = 0;
  EXPECT_TRUE(xargs::parse_delimiter(",", &d));
  EXPECT_EQ(d, ',');
  EXPECT_TRUE(xargs::parse_delimiter("\\n", &d));
  EXPECT_EQ(d, '\n');
  EXPECT_TRUE(xargs::parse_delimiter("\\0", &d));
  EXPECT_EQ(d, '\0');
  EXPECT_TRUE(xargs::parse_delimiter("\\x2c", &d));
  EXPECT_EQ(d, ',');
  for (const char* bad : {"", "ab", "\\n2", "\\c", "\\x"})
    EXPECT_FALSE(xargs::parse_delimiter(bad, &d)) << bad;
}

}  // namespace
