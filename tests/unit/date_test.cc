#include <lib/date.h>

#include <gtest/gtest.h>

#include <ctime>

namespace {

using lib::DateTime;

DateTime dt(uint32_t year, uint8_t month, uint8_t day, uint8_t hour = 0, uint8_t minute = 0,
            uint8_t second = 0) {
  return DateTime{year, month, day, hour, minute, second};
}

uint64_t seconds(const DateTime& t) {
  auto r = lib::seconds_since_epoch(t);
  EXPECT_TRUE(r.ok()) << t.year << "-" << +t.month << "-" << +t.day;
  return r.ok() ? r.value() : 0;
}

// The host's C library, as a second opinion (timegm is UTC and knows the Gregorian rules).
uint64_t host_seconds(const DateTime& t) {
  std::tm tm{};
  tm.tm_year = static_cast<int>(t.year) - 1900;
  tm.tm_mon = t.month - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.minute;
  tm.tm_sec = t.second;
  return static_cast<uint64_t>(timegm(&tm));
}

TEST(Date, KnownInstants) {
  EXPECT_EQ(seconds(dt(1970, 1, 1)), 0u);
  EXPECT_EQ(seconds(dt(1970, 1, 2)), 86400u);
  EXPECT_EQ(seconds(dt(2000, 1, 1)), 946684800u);
  EXPECT_EQ(seconds(dt(2000, 2, 29, 12, 0, 0)), 951825600u);  // a century that is a leap year
  EXPECT_EQ(seconds(dt(2001, 9, 9, 1, 46, 40)), 1000000000u);
  EXPECT_EQ(seconds(dt(2038, 1, 19, 3, 14, 7)), 2147483647u);  // the last 32-bit second
  EXPECT_EQ(seconds(dt(2038, 1, 19, 3, 14, 8)), 2147483648u);
  EXPECT_EQ(seconds(dt(2099, 12, 31, 23, 59, 59)), 4102444799u);
  EXPECT_EQ(seconds(dt(2100, 3, 1)), 4107542400u);  // 2100 is no leap year
  EXPECT_EQ(seconds(dt(9999, 12, 31, 23, 59, 59)), lib::kMaxSeconds);
}

TEST(Date, LeapYears) {
  EXPECT_TRUE(lib::is_leap_year(2000));
  EXPECT_TRUE(lib::is_leap_year(2024));
  EXPECT_FALSE(lib::is_leap_year(2023));
  EXPECT_FALSE(lib::is_leap_year(2100));
  EXPECT_FALSE(lib::is_leap_year(1900));
  EXPECT_EQ(lib::days_in_month(2024, 2), 29);
  EXPECT_EQ(lib::days_in_month(2023, 2), 28);
  EXPECT_EQ(lib::days_in_month(2100, 2), 28);
  EXPECT_EQ(lib::days_in_month(2000, 2), 29);
  EXPECT_EQ(lib::days_in_month(2025, 4), 30);
  EXPECT_EQ(lib::days_in_month(2025, 12), 31);
  EXPECT_EQ(lib::days_in_month(2025, 0), 0);
  EXPECT_EQ(lib::days_in_month(2025, 13), 0);
  // February 29th exists only in leap years; the day after is March 1st either way.
  EXPECT_EQ(seconds(dt(2024, 3, 1)) - seconds(dt(2024, 2, 29)), 86400u);
  EXPECT_EQ(seconds(dt(2024, 3, 1)) - seconds(dt(2024, 2, 28)), 2 * 86400u);
  EXPECT_EQ(seconds(dt(2023, 3, 1)) - seconds(dt(2023, 2, 28)), 86400u);
  EXPECT_EQ(seconds(dt(2025, 1, 1)) - seconds(dt(2024, 1, 1)), 366 * 86400u);
  EXPECT_EQ(seconds(dt(2026, 1, 1)) - seconds(dt(2025, 1, 1)), 365 * 86400u);
}

// Every day of 2000-2099 (the years an RTC without a century register can name), and every
// hour of some of them, agree with the host's timegm and convert back to themselves.
TEST(Date, EveryDayOf2000To2099AgreesWithTheHost) {
  uint64_t previous = 0;
  int days = 0;
  for (uint32_t year = 2000; year <= 2099; ++year) {
    for (uint8_t month = 1; month <= 12; ++month) {
      for (uint8_t day = 1; day <= lib::days_in_month(year, month); ++day) {
        const auto hour = static_cast<uint8_t>(days % 24);
        const auto minute = static_cast<uint8_t>(days * 7 % 60);
        const auto second = static_cast<uint8_t>(days * 13 % 60);
        const DateTime t = dt(year, month, day, hour, minute, second);
        const uint64_t s = seconds(t);
        ASSERT_EQ(s, host_seconds(t)) << year << "-" << +month << "-" << +day;
        ASSERT_EQ(lib::date_from_seconds(s), t) << s;
        ASSERT_GT(s, previous);
        previous = s;
        ++days;
      }
    }
  }
  EXPECT_EQ(days, 36525);  // 100 years, 25 of them leap years (2000 included)
}

TEST(Date, FromSecondsRoundTripsAcrossTheRange) {
  for (uint64_t s = 0; s < lib::kMaxSeconds; s += 999'983) {  // a prime step: every time of day
    const DateTime t = lib::date_from_seconds(s);
    ASSERT_EQ(seconds(t), s);
  }
  EXPECT_EQ(lib::date_from_seconds(0), dt(1970, 1, 1));
  EXPECT_EQ(lib::date_from_seconds(951782400), dt(2000, 2, 29));
  EXPECT_EQ(lib::date_from_seconds(lib::kMaxSeconds), dt(9999, 12, 31, 23, 59, 59));
  EXPECT_EQ(lib::date_from_seconds(UINT64_MAX), dt(9999, 12, 31, 23, 59, 59));
}

TEST(Date, RefusesFieldsOutOfRange) {
  const DateTime bad[] = {
      dt(2023, 2, 29),           // not a leap year
      dt(2100, 2, 29),           // a century that is not one
      dt(2024, 2, 30),           //
      dt(2024, 4, 31),           //
      dt(2024, 0, 1),            // month 0
      dt(2024, 13, 1),           //
      dt(2024, 1, 0),            // day 0
      dt(2024, 1, 32),           //
      dt(2024, 1, 1, 24),        // hour 24
      dt(2024, 1, 1, 0, 60),     //
      dt(2024, 1, 1, 0, 0, 60),  // no leap seconds
      dt(1969, 12, 31, 23, 59, 59),
      dt(10000, 1, 1),
      dt(2024, 0xff, 0xff, 0xff, 0xff, 0xff),  // what an absent RTC reads
      dt(165, 165, 165, 165, 165, 165),        // 0xff taken as BCD
  };
  for (const DateTime& t : bad) {
    auto r = lib::seconds_since_epoch(t);
    ASSERT_FALSE(r.ok()) << t.year << "-" << +t.month << "-" << +t.day << " " << +t.hour << ":"
                         << +t.minute << ":" << +t.second;
    EXPECT_EQ(r.error(), lib::Error::InvalidArgument);
  }
}

}  // namespace
