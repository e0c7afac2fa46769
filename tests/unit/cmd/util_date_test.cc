#include <gtest/gtest.h>

#include <string>

#include "programs/date/date_format.h"

namespace {

struct Text final : lib::Sink {
  void write(const char* s, size_t n) override { out.append(s, n); }
  std::string out;
};

std::string fmt(const char* format, uint64_t seconds, uint32_t ns = 0) {
  Text t;
  util::date_cmd::format_date(t, format, seconds, ns);
  return t.out;
}

constexpr uint64_t kSample = 1796558400;  // 2026-12-06 12:00:00 UTC, a Sunday

TEST(UtilDate, DefaultFormatAsGnu) {
  EXPECT_EQ(fmt(util::date_cmd::kDefaultFormat, kSample), "Sun Dec  6 12:00:00 UTC 2026");
  EXPECT_EQ(fmt(util::date_cmd::kDefaultFormat, 0), "Thu Jan  1 00:00:00 UTC 1970");
}

TEST(UtilDate, Conversions) {
  const uint64_t t = 1709251199;  // 2024-02-29 23:59:59, a Thursday
  EXPECT_EQ(fmt("%Y-%m-%d %H:%M:%S %j %a %A %b %B %e %y %s", t),
            "2024-02-29 23:59:59 060 Thu Thursday Feb February 29 24 1709251199");
  EXPECT_EQ(fmt("%F %T %D %Z %z %u %w %p %I %%", t),
            "2024-02-29 23:59:59 02/29/24 UTC +0000 4 4 PM 11 %");
  EXPECT_EQ(fmt("%n%t", t), "\n\t");
  EXPECT_EQ(fmt("%C %h %k %l %P %r %R %x %X", 1704067200 + 5 * 3600),  // 2024-01-01 05:00
            "20 Jan  5  5 am 05:00:00 AM 05:00 01/01/24 05:00:00");
  EXPECT_EQ(fmt("%c", kSample), "Sun Dec  6 12:00:00 2026");
  EXPECT_EQ(fmt("%I %p", 1704067200), "12 AM");  // midnight
  EXPECT_EQ(fmt("%N %3N", 0, 123456789), "123456789 123");
  EXPECT_EQ(fmt("%u %w", kSample), "7 0");
}

TEST(UtilDate, FlagsAndWidths) {
  EXPECT_EQ(fmt("%-d|%_m|%-j|%5Y|%_5H|%^a|%^B|%10A|%-e|%03e", 1704067200 + 3600),
            "1| 1|1|02024|    1|MON|JANUARY|    Monday|1|001");
  EXPECT_EQ(fmt("%Q %5", 0), "%Q %5");  // unknown and unfinished: as they are
  EXPECT_EQ(fmt("%99999999999d", 0).size(), util::date_cmd::kMaxWidth);
}

TEST(UtilDate, Weeks) {
  // 2021-01-01 (a Friday): ISO week 53 of 2020; %U and %W week 0.
  EXPECT_EQ(fmt("%G %g %V %U %W", 1609459200), "2020 20 53 00 00");
  // 2024-12-30 (a Monday): ISO week 1 of 2025.
  EXPECT_EQ(fmt("%G %V %U %W", 1735516800), "2025 01 52 53");
  // 2026-12-06 (a Sunday).
  EXPECT_EQ(fmt("%G %V %U %W", kSample), "2026 49 49 48");
}

TEST(UtilDate, ParseDates) {
  uint64_t s = 0;
  EXPECT_TRUE(util::date_cmd::parse_date("@0", &s));
  EXPECT_EQ(s, 0u);
  EXPECT_TRUE(util::date_cmd::parse_date("@1796558400", &s));
  EXPECT_EQ(s, kSample);
  EXPECT_TRUE(util::date_cmd::parse_date("2026-12-06 12:00", &s));
  EXPECT_EQ(s, kSample);
  EXPECT_TRUE(util::date_cmd::parse_date("2026-12-06T12:00:00", &s));
  EXPECT_EQ(s, kSample);
  EXPECT_TRUE(util::date_cmd::parse_date("2026-12-06", &s));
  EXPECT_EQ(s, kSample - uint64_t{12} * 3600);
  for (const char* bad :
       {"", "@", "@-1", "@x", "@253402300800", "2026-13-01", "2026-02-29", "1969-12-31", "2026-1-1",
        "2026-12-06 24:00", "2026-12-06 12:00:", "2026-12-06 12:00:00x", "tomorrow"})
    EXPECT_FALSE(util::date_cmd::parse_date(bad, &s)) << bad;
}

}  // namespace
