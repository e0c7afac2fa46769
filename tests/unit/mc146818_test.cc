#include <lib/mc146818.h>

#include <gtest/gtest.h>

namespace {

using lib::DateTime;
using lib::mc146818::decode;
using lib::mc146818::Registers;

constexpr uint8_t kBcd24 = lib::mc146818::kHours24;  // status B as QEMU and most PCs set it
constexpr uint8_t kBcd12 = 0;
constexpr uint8_t kBinary24 = lib::mc146818::kBinary | lib::mc146818::kHours24;
constexpr uint8_t kBinary12 = lib::mc146818::kBinary;
constexpr uint8_t kPm = lib::mc146818::kHoursPm;

bool valid(const DateTime& t) { return lib::seconds_since_epoch(t).ok(); }

// Suite named Date* so that `ctest -R unit.Date` runs it with the conversion's tests.
TEST(DateFromRtc, BcdAnd24Hours) {
  // 2026-12-07 01:23:45, century register 0x20 (QEMU's).
  const Registers r{0x45, 0x23, 0x01, 0x07, 0x12, 0x26, 0x20, kBcd24};
  EXPECT_EQ(decode(r), (DateTime{2026, 12, 7, 1, 23, 45}));
  EXPECT_EQ(decode({0x59, 0x59, 0x23, 0x31, 0x12, 0x99, 0x20, kBcd24}),
            (DateTime{2099, 12, 31, 23, 59, 59}));
  EXPECT_EQ(decode({0x00, 0x00, 0x00, 0x29, 0x02, 0x00, 0x20, kBcd24}),
            (DateTime{2000, 2, 29, 0, 0, 0}));
}

TEST(DateFromRtc, Binary) {
  EXPECT_EQ(decode({45, 23, 13, 7, 12, 26, 20, kBinary24}), (DateTime{2026, 12, 7, 13, 23, 45}));
}

TEST(DateFromRtc, TwelveHours) {
  // 12 a.m. is midnight, 12 p.m. noon; the p.m. bit is outside the BCD digits.
  const auto hour = [](uint8_t h, uint8_t status_b) {
    return decode({0, 0, h, 1, 1, 0x24, 0x20, status_b}).hour;
  };
  EXPECT_EQ(hour(0x12, kBcd12), 0);
  EXPECT_EQ(hour(0x01, kBcd12), 1);
  EXPECT_EQ(hour(0x11, kBcd12), 11);
  EXPECT_EQ(hour(0x12 | kPm, kBcd12), 12);
  EXPECT_EQ(hour(0x01 | kPm, kBcd12), 13);
  EXPECT_EQ(hour(0x11 | kPm, kBcd12), 23);
  EXPECT_EQ(hour(12, kBinary12), 0);
  EXPECT_EQ(hour(7 | kPm, kBinary12), 19);
  EXPECT_EQ(hour(12 | kPm, kBinary12), 12);
  // Hour 0 and 13 do not exist on a 12-hour clock.
  EXPECT_GE(hour(0x00, kBcd12), 24);
  EXPECT_GE(hour(0x13 | kPm, kBcd12), 24);
  EXPECT_GE(hour(13, kBinary12), 24);
  // On a 24-hour clock bit 7 is no p.m. bit: 0x81 is out of range.
  EXPECT_GE(hour(0x81, kBcd24), 24);
}

TEST(DateFromRtc, Century) {
  const auto year = [](uint8_t century) {
    return decode({0, 0, 0, 1, 1, 0x26, century, kBcd24}).year;
  };
  EXPECT_EQ(year(0x20), 2026u);
  EXPECT_EQ(year(0x21), 2126u);
  EXPECT_EQ(year(0x00), 2026u);  // no century register: 20xx
  EXPECT_EQ(year(0x19), 2026u);  // a 19xx clock is a clock reset to nonsense: 20xx
  EXPECT_EQ(year(0xff), 2026u);  // not BCD
  EXPECT_EQ(decode({0, 0, 0, 1, 1, 26, 21, kBinary24}).year, 2126u);
}

TEST(DateFromRtc, NonsenseIsRefused) {
  // What an absent chip reads, in every mode.
  for (uint8_t status_b : {kBcd24, kBcd12, kBinary24, kBinary12, uint8_t{0xff}}) {
    const Registers absent{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, status_b};
    EXPECT_FALSE(valid(decode(absent))) << +status_b;
  }
  // Bytes that are not BCD, and BCD values out of range.
  EXPECT_FALSE(valid(decode({0x4a, 0x23, 0x01, 0x07, 0x12, 0x26, 0x20, kBcd24})));
  EXPECT_FALSE(valid(decode({0x45, 0x23, 0x01, 0x07, 0x1a, 0x26, 0x20, kBcd24})));
  EXPECT_FALSE(valid(decode({0x45, 0x23, 0x01, 0x07, 0x13, 0x26, 0x20, kBcd24})));  // month 13
  EXPECT_FALSE(valid(decode({0x45, 0x23, 0x01, 0x00, 0x12, 0x26, 0x20, kBcd24})));  // day 0
  EXPECT_FALSE(valid(decode({0x45, 0x23, 0x24, 0x07, 0x12, 0x26, 0x20, kBcd24})));  // hour 24
  EXPECT_FALSE(valid(decode({0x60, 0x23, 0x01, 0x07, 0x12, 0x26, 0x20, kBcd24})));  // second 60
  EXPECT_FALSE(valid(decode({0x00, 0x00, 0x00, 0x29, 0x02, 0x25, 0x20, kBcd24})));  // 2025-02-29
  EXPECT_FALSE(valid(decode({0, 0, 0, 1, 1, 100, 20, kBinary24})));                 // year 100
  EXPECT_TRUE(valid(decode({0x00, 0x00, 0x00, 0x29, 0x02, 0x24, 0x20, kBcd24})));   // 2024-02-29
}

}  // namespace
