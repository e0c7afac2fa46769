#include "servers/fs/fat/timestamp.h"

namespace stellina::fs::fat {

namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kNsPerSecond = 1000000000;

// Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years, March-based
// years so that the leap day is the last of the year).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

}  // namespace

FatTime to_fat_time(int64_t ns) {
  int64_t seconds = ns / kNsPerSecond;
  int64_t rest_ns = ns % kNsPerSecond;
  if (rest_ns < 0) {
    rest_ns += kNsPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t in_day = seconds % kSecondsPerDay;
  if (in_day < 0) {
    in_day += kSecondsPerDay;
    --days;
  }
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days, year, month, day);
  FatTime t;
  if (year < 1980) {
    t.date = (1 << 5) | 1;
    return t;
  }
  if (year > 2107) {
    t.date = static_cast<uint16_t>((127 << 9) | (12 << 5) | 31);
    t.time = static_cast<uint16_t>((23 << 11) | (59 << 5) | 29);
    return t;
  }
  t.date = static_cast<uint16_t>(((year - 1980) << 9) | (month << 5) | day);
  const auto h = static_cast<unsigned>(in_day / 3600);
  const auto m = static_cast<unsigned>(in_day / 60 % 60);
  const auto s = static_cast<unsigned>(in_day % 60);
  t.time = static_cast<uint16_t>((h << 11) | (m << 5) | (s / 2));
  t.tenths = static_cast<uint8_t>(int64_t{s % 2} * 100 + rest_ns / 10000000);
  return t;
}

int64_t from_fat_time(uint16_t date, uint16_t time, uint8_t tenths) {
  const unsigned day = date & 31;
  const unsigned month = (date >> 5) & 15;
  const int64_t year = 1980 + (date >> 9);
  if (day == 0 || month == 0 || month > 12)
    return days_from_civil(1980, 1, 1) * kSecondsPerDay * kNsPerSecond;
  const unsigned h = time >> 11;
  const unsigned m = (time >> 5) & 63;
  const unsigned s2 = time & 31;
  int64_t seconds = days_from_civil(year, month, day) * kSecondsPerDay;
  if (h < 24 && m < 60 && s2 < 30) seconds += h * 3600 + m * 60 + s2 * 2;
  int64_t ns = seconds * kNsPerSecond;
  if (tenths < 200) ns += int64_t{tenths} * 10000000;
  return ns;
}

}  // namespace stellina::fs::fat
