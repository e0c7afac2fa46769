#include <gtest/gtest.h>

#include "programs/sleep/duration.h"

namespace {

using util::sleep_cmd::kForever;
using util::sleep_cmd::parse_duration;

uint64_t ns(const char* text) {
  uint64_t v = 12345;
  EXPECT_TRUE(parse_duration(text, &v)) << text;
  return v;
}

TEST(UtilSleep, Units) {
  EXPECT_EQ(ns("0"), 0u);
  EXPECT_EQ(ns("2"), 2'000'000'000u);
  EXPECT_EQ(ns("2s"), 2'000'000'000u);
  EXPECT_EQ(ns("1.5"), 1'500'000'000u);
  EXPECT_EQ(ns(".25"), 250'000'000u);
  EXPECT_EQ(ns("1.5m"), 90'000'000'000u);
  EXPECT_EQ(ns("2h"), 7'200'000'000'000u);
  EXPECT_EQ(ns("0.5d"), 43'200'000'000'000u);
  EXPECT_EQ(ns("3."), 3'000'000'000u);
  EXPECT_EQ(ns("0.0000000001"), 1u);  // rounds up: at least as long as asked
  EXPECT_EQ(ns("0.1234567891"), 123'456'790u);
}

TEST(UtilSleep, HugeSaturates) {
  EXPECT_EQ(ns("inf"), kForever);
  EXPECT_EQ(ns("Infinity"), kForever);
  EXPECT_EQ(ns("99999999999999999999999"), kForever);
  EXPECT_EQ(ns("999999999999d"), kForever);
  EXPECT_EQ(util::sleep_cmd::add_saturating(kForever - 1, 5), kForever);
}

TEST(UtilSleep, Refused) {
  uint64_t v = 0;
  for (const char* bad : {"", "s", ".", "-1", "1x", "1.2.3", "1ms", "abc", "infs2", "1 "})
    EXPECT_FALSE(parse_duration(bad, &v)) << bad;
}

}  // namespace
