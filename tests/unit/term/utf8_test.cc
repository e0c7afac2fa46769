#include <lib/utf8.h>

#include <gtest/gtest.h>

#include <string>

namespace {

bool valid(const std::string& s) { return lib::is_valid_utf8(s.data(), s.size()); }

TEST(Utf8, AcceptsWellFormed) {
  EXPECT_TRUE(valid(""));
  EXPECT_TRUE(valid("plain ascii\x7f"));
  EXPECT_TRUE(valid("\xc2\x80"));                   // U+0080
  EXPECT_TRUE(valid("\xdf\xbf"));                   // U+07FF
  EXPECT_TRUE(valid("\xe0\xa0\x80"));               // U+0800
  EXPECT_TRUE(valid("\xed\x9f\xbf"));               // U+D7FF, below the surrogates
  EXPECT_TRUE(valid("\xee\x80\x80"));               // U+E000, above them
  EXPECT_TRUE(valid("\xef\xbf\xbf"));               // U+FFFF
  EXPECT_TRUE(valid("\xf0\x90\x80\x80"));           // U+10000
  EXPECT_TRUE(valid("\xf4\x8f\xbf\xbf"));           // U+10FFFF
  EXPECT_TRUE(valid("h\xc3\xa9llo \xe2\x82\xac"));  // "héllo €"
}

TEST(Utf8, RefusesMalformed) {
  for (const char* bad : {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf",  // stray, overlong 2-byte
                          "\xe0\x9f\xbf",                          // overlong 3-byte
                          "\xed\xa0\x80", "\xed\xbf\xbf",          // surrogates
                          "\xf0\x8f\xbf\xbf",                      // overlong 4-byte
                          "\xf4\x90\x80\x80",                      // past U+10FFFF
                          "\xf5\x80\x80\x80", "\xff", "\xfe",
                          "\xc3",      // cut short at the end
                          "\xe2\x82",  // likewise
                          "\xc3(", "\xe2\x28\xa1"}) {
    EXPECT_FALSE(valid(bad)) << bad;
  }
}

TEST(Utf8, CheckerStepsAndRecovers) {
  lib::Utf8Checker c;
  using Step = lib::Utf8Checker::Step;
  EXPECT_EQ(c.feed(0xe2), Step::More);
  EXPECT_FALSE(c.at_boundary());
  EXPECT_EQ(c.feed(0x82), Step::More);
  EXPECT_EQ(c.feed(0xac), Step::Complete);
  EXPECT_TRUE(c.at_boundary());
  EXPECT_EQ(c.feed(0xe0), Step::More);
  EXPECT_EQ(c.feed(0x80), Step::Invalid);  // E0 needs A0..BF next
  EXPECT_TRUE(c.at_boundary());
  EXPECT_EQ(c.feed('a'), Step::Complete);
  static_assert(lib::utf8_sequence_length('a') == 1 && lib::utf8_sequence_length(0xc3) == 2 &&
                lib::utf8_sequence_length(0xe2) == 3 && lib::utf8_sequence_length(0xf0) == 4 &&
                lib::utf8_sequence_length(0x80) == 1);
}

}  // namespace
