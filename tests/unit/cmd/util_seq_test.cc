#include <gtest/gtest.h>

#include <string>

#include "programs/seq/seq_number.h"

namespace {

namespace seq = util::seq_cmd;

// seq FIRST INCREMENT LAST [-w], joined by spaces (as the program loops).
std::string run(const char* first, const char* step, const char* last, bool width = false) {
  seq::Number f, s, l;
  EXPECT_TRUE(seq::parse_number(first, &f) && seq::parse_number(step, &s) &&
              seq::parse_number(last, &l));
  seq::Plan p;
  if (seq::make_plan(f, s, l, width, &p) != seq::PlanError::kNone) return "error";
  std::string out;
  for (int64_t v = p.first; p.step > 0 ? v <= p.last : v >= p.last;) {
    char text[seq::kMaxText];
    if (!out.empty()) out += ' ';
    out.append(text, seq::format(p, v, text));
    if (__builtin_add_overflow(v, p.step, &v)) break;
  }
  return out;
}

TEST(UtilSeq, Integers) {
  EXPECT_EQ(run("1", "1", "5"), "1 2 3 4 5");
  EXPECT_EQ(run("5", "-2", "0"), "5 3 1");
  EXPECT_EQ(run("3", "1", "1"), "");
  EXPECT_EQ(run("-1", "1", "1", true), "-1 00 01");
  EXPECT_EQ(run("-10", "5", "0", true), "-10 -05 000");
  EXPECT_EQ(run("9", "1", "11", true), "09 10 11");
  EXPECT_EQ(run("9223372036854775806", "1", "9223372036854775807"),
            "9223372036854775806 9223372036854775807");  // no overflow past the end
  EXPECT_EQ(run("1", "0", "3"), "error");
}

TEST(UtilSeq, DecimalsAreExact) {
  EXPECT_EQ(run("1", "0.5", "3", true), "1.0 1.5 2.0 2.5 3.0");
  EXPECT_EQ(run("0.5", "1", "10", true), "00.5 01.5 02.5 03.5 04.5 05.5 06.5 07.5 08.5 09.5");
  EXPECT_EQ(run("0.1", "1", "1"), "0.1");
  EXPECT_EQ(run("1", "0.333", "2"), "1.000 1.333 1.666 1.999");
  EXPECT_EQ(run("1", "1.50", "3", true), "1.00 2.50");
  EXPECT_EQ(run("1", "2", "10.00", true), "01 03 05 07 09");
  EXPECT_EQ(run("-0.5", "1", "1", true), "-0.5 00.5");
  EXPECT_EQ(run("0", "0.1", "1"), "0.0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.0");
}

TEST(UtilSeq, ParseRefusesWhatItCannotHoldExactly) {
  seq::Number n;
  for (const char* bad : {"", "-", ".", "1e3", "1.2.3", "abc", "0x10", "1.0000000001",
                          "9223372036854775808", "99999999999999999999"})
    EXPECT_FALSE(seq::parse_number(bad, &n)) << bad;
  EXPECT_TRUE(seq::parse_number("+.5", &n));
  EXPECT_EQ(n.scaled, 5);
  EXPECT_EQ(n.places, 1u);
  seq::Plan p;
  seq::Number big, one;
  ASSERT_TRUE(seq::parse_number("9223372036854775807", &big));
  ASSERT_TRUE(seq::parse_number("0.5", &one));
  EXPECT_EQ(seq::make_plan(big, one, big, false, &p), seq::PlanError::kRange);
}

}  // namespace
