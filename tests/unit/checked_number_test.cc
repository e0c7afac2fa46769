// lib/checked_number.h: the boundaries of every parser (0, the maximum, one past it, 2^64,
// 2^64 + 4, leading zeros, signs, spaces, empty) and of checked arithmetic.
#include <lib/checked_number.h>

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using lib::Error;
using lib::StringView;

StringView sv(const char* s) { return StringView(s); }

TEST(CheckedNumber, DecimalBoundaries) {
  EXPECT_EQ(lib::parse_decimal(sv("0")).value(), 0u);
  EXPECT_EQ(lib::parse_decimal(sv("007")).value(), 7u);
  EXPECT_EQ(lib::parse_decimal(sv("18446744073709551615")).value(), UINT64_MAX);
  EXPECT_EQ(lib::parse_decimal(sv("000000000000000000000018446744073709551615")).value(),
            UINT64_MAX);
  EXPECT_EQ(lib::parse_decimal(sv("18446744073709551616")).error(), Error::OutOfRange);  // 2^64
  EXPECT_EQ(lib::parse_decimal(sv("18446744073709551620")).error(), Error::OutOfRange);  // +4
  EXPECT_EQ(lib::parse_decimal(sv("99999999999999999999999")).error(), Error::OutOfRange);
  for (const char* bad : {"", " 1", "1 ", "+1", "-1", "1a", "0x10", "1.0", "１"}) {
    EXPECT_EQ(lib::parse_decimal(sv(bad)).error(), Error::InvalidArgument) << bad;
  }
  // A bad byte after an overflow is still a malformed number.
  EXPECT_EQ(lib::parse_decimal(sv("99999999999999999999x")).error(), Error::InvalidArgument);
}

TEST(CheckedNumber, DecimalWithALimit) {
  EXPECT_EQ(lib::parse_decimal(sv("65535"), 65535).value(), 65535u);
  EXPECT_EQ(lib::parse_decimal(sv("65536"), 65535).error(), Error::OutOfRange);
  EXPECT_EQ(lib::parse_decimal(sv("0"), 0).value(), 0u);
  EXPECT_EQ(lib::parse_decimal(sv("1"), 0).error(), Error::OutOfRange);
}

TEST(CheckedNumber, HexBoundaries) {
  EXPECT_EQ(lib::parse_hex(sv("0")).value(), 0u);
  EXPECT_EQ(lib::parse_hex(sv("fF")).value(), 255u);
  EXPECT_EQ(lib::parse_hex(sv("ffffffffffffffff")).value(), UINT64_MAX);
  EXPECT_EQ(lib::parse_hex(sv("0000ffffffffffffffff")).value(), UINT64_MAX);
  EXPECT_EQ(lib::parse_hex(sv("10000000000000000")).error(), Error::OutOfRange);
  EXPECT_EQ(lib::parse_hex(sv("10000000000000004")).error(), Error::OutOfRange);
  for (const char* bad : {"", "0x1", "g", " a", "a "}) {
    EXPECT_EQ(lib::parse_hex(sv(bad)).error(), Error::InvalidArgument) << bad;
  }
}

TEST(CheckedNumber, SignedBoundaries) {
  EXPECT_EQ(lib::parse_signed_decimal(sv("-0")).value(), 0);
  EXPECT_EQ(lib::parse_signed_decimal(sv("+12")).value(), 12);
  EXPECT_EQ(lib::parse_signed_decimal(sv("9223372036854775807")).value(), INT64_MAX);
  EXPECT_EQ(lib::parse_signed_decimal(sv("9223372036854775808")).error(), Error::OutOfRange);
  EXPECT_EQ(lib::parse_signed_decimal(sv("-9223372036854775808")).value(), INT64_MIN);
  EXPECT_EQ(lib::parse_signed_decimal(sv("-9223372036854775809")).error(), Error::OutOfRange);
  EXPECT_EQ(lib::parse_signed_decimal(sv("18446744073709551620")).error(), Error::OutOfRange);
  EXPECT_EQ(lib::parse_signed_decimal(sv("5"), -4, 4).error(), Error::OutOfRange);
  EXPECT_EQ(lib::parse_signed_decimal(sv("-5"), -4, 4).error(), Error::OutOfRange);
  for (const char* bad : {"", "-", "+", "--1", "+-1", " 1", "1 "}) {
    EXPECT_EQ(lib::parse_signed_decimal(sv(bad)).error(), Error::InvalidArgument) << bad;
  }
}

TEST(CheckedNumber, Arithmetic) {
  uint64_t u = 1;
  EXPECT_TRUE(lib::checked_add(UINT64_MAX - 1, uint64_t{1}, &u));
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_FALSE(lib::checked_add(UINT64_MAX, uint64_t{1}, &u));
  EXPECT_EQ(u, UINT64_MAX);  // untouched
  EXPECT_TRUE(lib::checked_mul(uint64_t{1} << 32, (uint64_t{1} << 32) - 1, &u));
  EXPECT_FALSE(lib::checked_mul(uint64_t{1} << 32, uint64_t{1} << 32, &u));
  int64_t s = 0;
  EXPECT_FALSE(lib::checked_add(INT64_MAX, int64_t{1}, &s));
  EXPECT_FALSE(lib::checked_mul(INT64_MIN, int64_t{-1}, &s));
  EXPECT_TRUE(lib::checked_mul(int64_t{-3}, int64_t{4}, &s));
  EXPECT_EQ(s, -12);
}

TEST(CheckedNumber, AccumulatorStopsAtItsLimit) {
  lib::NumberAccumulator n(10, 1000);
  for (char c : {'1', '0', '0', '0'}) EXPECT_TRUE(n.push(static_cast<unsigned>(c - '0')));
  EXPECT_EQ(n.value(), 1000u);
  EXPECT_FALSE(n.push(0));
  EXPECT_TRUE(n.overflowed());
  EXPECT_FALSE(n.push(0));  // and stays so
}

}  // namespace
