#include "programs/lib/files_parse.h"

#include <gtest/gtest.h>

namespace {

uint32_t mode(const char* text, uint32_t base = 0777, bool dir = false, uint32_t umask = 022) {
  uint32_t out = 0xdead;
  EXPECT_TRUE(cmd::parse_mode(text, base, umask, dir, &out)) << text;
  return out;
}

TEST(FilesParse, OctalModes) {
  EXPECT_EQ(mode("755"), 0755u);
  EXPECT_EQ(mode("0"), 0u);
  EXPECT_EQ(mode("1777"), 01777u);
  uint32_t out = 0;
  EXPECT_FALSE(cmd::parse_mode("8", 0, 022, false, &out));
  EXPECT_FALSE(cmd::parse_mode("17777", 0, 022, false, &out));
  EXPECT_FALSE(cmd::parse_mode("75x", 0, 022, false, &out));
  EXPECT_FALSE(cmd::parse_mode("", 0, 022, false, &out));
}

TEST(FilesParse, SymbolicModes) {
  EXPECT_EQ(mode("u=rwx,go=rx", 0), 0755u);
  EXPECT_EQ(mode("go-w", 0777), 0755u);
  EXPECT_EQ(mode("a=r", 0777), 0444u);
  EXPECT_EQ(mode("u+x", 0644), 0744u);
  EXPECT_EQ(mode("+x", 0644), 0755u);
  EXPECT_EQ(mode("+w", 0444), 0644u);  // the umask's w bits stay off
  EXPECT_EQ(mode("a+w", 0444), 0666u);
  EXPECT_EQ(mode("o=u", 0750), 0757u);
  EXPECT_EQ(mode("a+X", 0644, true), 0755u);
  EXPECT_EQ(mode("a+X", 0644, false), 0644u);
  EXPECT_EQ(mode("a+X", 0744, false), 0755u);
  EXPECT_EQ(mode("u+s", 0755), 04755u);
  EXPECT_EQ(mode("+t", 0777), 01777u);
  EXPECT_EQ(mode("u=rw-w", 0), 0400u);  // several actions in one clause
  uint32_t out = 0;
  for (const char* bad : {"u", "x", "u+q", "u+r,", ",u+r", "z=r", "u+r g+w"})
    EXPECT_FALSE(cmd::parse_mode(bad, 0777, 022, false, &out)) << bad;
}

TEST(FilesParse, TouchStamps) {
  int64_t s = 0;
  ASSERT_TRUE(cmd::parse_touch_stamp("202403050708.09", 1999, &s));
  EXPECT_EQ(s, 1709622489);
  ASSERT_TRUE(cmd::parse_touch_stamp("2403050708.09", 1999, &s));
  EXPECT_EQ(s, 1709622489);
  ASSERT_TRUE(cmd::parse_touch_stamp("03050708.09", 2024, &s));
  EXPECT_EQ(s, 1709622489);
  EXPECT_FALSE(cmd::parse_touch_stamp("6901010000", 2024, &s));  // 1969: before the epoch
  ASSERT_TRUE(cmd::parse_touch_stamp("7001010000", 2024, &s));
  EXPECT_EQ(s, 0);
  ASSERT_TRUE(cmd::parse_touch_stamp("0001010000", 2024, &s));  // 2000
  EXPECT_EQ(s, 946684800);
  for (const char* bad : {"", "2024030507", "202413050708", "202402300708", "202403052408",
                          "202403050760", "202403050708.60", "202403050708.9", "20240305070x"})
    EXPECT_FALSE(cmd::parse_touch_stamp(bad, 2024, &s)) << bad;
}

TEST(FilesParse, Dates) {
  int64_t s = 0;
  ASSERT_TRUE(cmd::parse_date("2024-03-05 07:08:09", &s));
  EXPECT_EQ(s, 1709622489);
  ASSERT_TRUE(cmd::parse_date("2024-03-05T07:08:09", &s));
  EXPECT_EQ(s, 1709622489);
  ASSERT_TRUE(cmd::parse_date("2024-03-05 07:08", &s));
  EXPECT_EQ(s, 1709622480);
  ASSERT_TRUE(cmd::parse_date("2024-03-05", &s));
  EXPECT_EQ(s, 1709596800);
  ASSERT_TRUE(cmd::parse_date("@12345", &s));
  EXPECT_EQ(s, 12345);
  ASSERT_TRUE(cmd::parse_date("@-5", &s));
  EXPECT_EQ(s, -5);
  for (const char* bad : {"", "yesterday", "2024-3-5", "2024-03-05 7:08", "2024-03-05 07:08:9",
                          "2024-02-30", "@", "@99999999999999999999", "2024-03-05 07:08:09x"})
    EXPECT_FALSE(cmd::parse_date(bad, &s)) << bad;
}

TEST(FilesParse, FindSizes) {
  cmd::SizeTest t;
  ASSERT_TRUE(cmd::parse_find_size("+10k", &t));
  EXPECT_EQ(t.sign, 1);
  EXPECT_EQ(t.count, 10u);
  EXPECT_EQ(t.unit, 1024u);
  EXPECT_TRUE(cmd::find_size_matches(t, 10 * 1024 + 1));  // rounds up to 11k
  EXPECT_FALSE(cmd::find_size_matches(t, uint64_t{10} * 1024));
  ASSERT_TRUE(cmd::parse_find_size("-1M", &t));
  EXPECT_TRUE(cmd::find_size_matches(t, 0));
  EXPECT_FALSE(cmd::find_size_matches(t, 1));  // 1 byte is 1M rounded up: not less than 1M
  ASSERT_TRUE(cmd::parse_find_size("3", &t));
  EXPECT_EQ(t.unit, 512u);
  EXPECT_TRUE(cmd::find_size_matches(t, 1025));
  EXPECT_TRUE(cmd::find_size_matches(t, 1536));
  EXPECT_FALSE(cmd::find_size_matches(t, 1537));
  ASSERT_TRUE(cmd::parse_find_size("0c", &t));
  EXPECT_TRUE(cmd::find_size_matches(t, 0));
  ASSERT_TRUE(cmd::parse_find_size("18446744073709551615G", &t));
  EXPECT_FALSE(cmd::find_size_matches(t, UINT64_MAX));
  for (const char* bad : {"", "+", "k", "1x", "--1", "99999999999999999999c"})
    EXPECT_FALSE(cmd::parse_find_size(bad, &t)) << bad;
}

}  // namespace
