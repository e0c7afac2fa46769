#include "programs/lib/parse.h"

#include <gtest/gtest.h>

namespace {

TEST(Parse, UnsignedAtAndPastItsLimit) {
  uint64_t v = 7;
  EXPECT_TRUE(cmd::parse_u64("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  v = 7;
  EXPECT_FALSE(cmd::parse_u64("18446744073709551616", &v));
  EXPECT_FALSE(cmd::parse_u64("18446744073709551620", &v));
  EXPECT_FALSE(cmd::parse_u64("99999999999999999999999", &v));
  EXPECT_EQ(v, 7u);  // untouched on failure
  EXPECT_TRUE(cmd::parse_u64("0", &v));
  EXPECT_EQ(v, 0u);
}

TEST(Parse, UnsignedRefusesAnythingButDigits) {
  uint64_t v = 0;
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5"})
    EXPECT_FALSE(cmd::parse_u64(bad, &v)) << bad;
}

TEST(Parse, SignedAtBothEnds) {
  int64_t v = 0;
  EXPECT_TRUE(cmd::parse_i64("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(cmd::parse_i64("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(cmd::parse_i64("9223372036854775808", &v));
  EXPECT_FALSE(cmd::parse_i64("-9223372036854775809", &v));
  EXPECT_TRUE(cmd::parse_i64("+42", &v));
  EXPECT_EQ(v, 42);
  EXPECT_FALSE(cmd::parse_i64("-", &v));
  EXPECT_FALSE(cmd::parse_i64("--1", &v));
}

TEST(Parse, BaseName) {
  EXPECT_EQ(cmd::base_name("/bin/ls"), lib::StringView("ls"));
  EXPECT_EQ(cmd::base_name("ls"), lib::StringView("ls"));
  EXPECT_EQ(cmd::base_name("/a/b/"), lib::StringView("b"));
  EXPECT_EQ(cmd::base_name("/"), lib::StringView("/"));
  EXPECT_EQ(cmd::base_name(""), lib::StringView(""));
}

}  // namespace
