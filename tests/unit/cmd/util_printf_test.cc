#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "programs/printf/printf_float.h"
#include "programs/printf/printf_format.h"

namespace {

using util::printf_cmd::NumberStatus;

struct Capture final : lib::Sink, util::printf_cmd::Diagnostics {
  void write(const char* s, size_t n) override { out.append(s, n); }
  void error(lib::StringView m) override { errors.emplace_back(m.data(), m.size()); }
  std::string out;
  std::vector<std::string> errors;
};

struct Result {
  std::string out;
  int status;
  std::vector<std::string> errors;
};

Result run(const char* format, std::vector<const char*> args = {}) {
  std::vector<lib::StringView> views(args.begin(), args.end());
  Capture c;
  const int status = util::printf_cmd::run(format, views.data(), views.size(), c, c);
  return {c.out, status, c.errors};
}

std::string out(const char* format, const std::vector<const char*>& args = {}) {
  const Result r = run(format, args);
  EXPECT_EQ(r.status, 0) << format;
  return r.out;
}

TEST(UtilPrintf, TextAndEscapes) {
  EXPECT_EQ(out("hello\\n"), "hello\n");
  EXPECT_EQ(out("a\\101\\0101b\\n"), "aA\b1b\n");  // three octal digits, the 0 among them
  EXPECT_EQ(out("\\x41\\x4a\\x4G\\t\\\\\\\"\\q"), "AJ\x04G\t\\\"\\q");
  EXPECT_EQ(out("\\u00e9\\U0001F600"), "\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(out("a\\cb"), "a");
  EXPECT_EQ(out("100%%"), "100%");
  const Result r = run("a\\x");
  EXPECT_EQ(r.out, "a");
  EXPECT_EQ(r.status, 1);
}

TEST(UtilPrintf, FormatIsReusedWhileArgumentsLast) {
  EXPECT_EQ(out("%s %s\n", {"a", "b", "c"}), "a b\nc \n");
  EXPECT_EQ(out("%d %s\n", {"1", "a", "2"}), "1 a\n2 \n");
  EXPECT_EQ(out("[%s]", {}), "[]");
  const Result r = run("x\\n", {"a", "b"});
  EXPECT_EQ(r.out, "x\n");
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.errors.size(), 1u);  // a warning only
}

TEST(UtilPrintf, Integers) {
  EXPECT_EQ(out("%d %d %d %d %d %d %d\n", {"0x1f", "017", "'A", "\"B", "  12", "-0", "+5"}),
            "31 15 65 66 12 0 5\n");
  EXPECT_EQ(out("%u %x %o\n", {"-1", "-1", "-1"}),
            "18446744073709551615 ffffffffffffffff 1777777777777777777777\n");
  EXPECT_EQ(out("%#o %#x %.0d| %#.0o %+u\n", {"0", "0", "0", "0", "5"}), "0 0 | 0 5\n");
  EXPECT_EQ(out("%5d|%-5d|%05d|%+d|% d|%.3d|%8.3d|%-+6d|",
                {"42", "42", "-42", "42", "42", "-7", "7", "3"}),
            "   42|42   |-0042|+42| 42|-007|     007|+3    |");
  EXPECT_EQ(out("%#x %#X %#o %x %X %o", {"255", "255", "8", "255", "255", "8"}),
            "0xff 0XFF 010 ff FF 10");
  EXPECT_EQ(out("%i %ld %hhd %lld %jd", {"-9223372036854775808", "1", "2", "3", "4"}),
            "-9223372036854775808 1 2 3 4");
  EXPECT_EQ(out("%-05d|%08.3x|", {"7", "255"}), "7    |     0ff|");
}

TEST(UtilPrintf, BadNumbersPrintWhatTheyCanAndFail) {
  Result r = run("%d,", {"12abc", "abc", "", "99999999999999999999"});
  EXPECT_EQ(r.out, "12,0,0,9223372036854775807,");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0], "'12abc': value not completely converted");
  r = run("%d", {"'"});
  EXPECT_EQ(r.out, "0");
  EXPECT_EQ(r.status, 1);
  r = run("%u", {"18446744073709551616"});
  EXPECT_EQ(r.out, "18446744073709551615");
  EXPECT_EQ(r.status, 1);
}

TEST(UtilPrintf, StringsAndCharacters) {
  EXPECT_EQ(out("%5.2s|%-5s|%.*s|%*d|", {"abc", "ab", "2", "abcd", "-4", "7"}),
            "   ab|ab   |ab|7   |");
  EXPECT_EQ(out("%c|%5c|%-3c|", {"hello", "x", "y"}), "h|    x|y  |");
  EXPECT_EQ(out("%c", {""}), std::string("\0", 1));
  EXPECT_EQ(out("%+s|% s", {"a", "b"}), "a|b");
}

TEST(UtilPrintf, PercentB) {
  const Result r = run("%b\n", {"a\\0101\\101\\c", "x"});
  EXPECT_EQ(r.out, "aAA");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(out("%b|%b", {"\\n\\t\\x41", "\\q\\"}), "\n\tA|\\q\\");
}

TEST(UtilPrintf, InvalidConversionsStopWithStatusOne) {
  for (const char* bad : {"a%", "%Q", "%#s", "%05s", "%#d", "%0c", "%#c", "%#u", "%.3c", "%5b",
                          "%-b", "%5%", "%-%", "%qd"}) {
    const Result r = run(bad, {"7"});
    EXPECT_EQ(r.status, 1) << bad;
    EXPECT_EQ(r.errors.size(), 1u) << bad;
  }
  EXPECT_EQ(run("ab%Qcd", {}).out, "ab");
  EXPECT_EQ(run("%a", {"1"}).errors.at(0), "%a: not supported");
}

TEST(UtilPrintf, FieldWidthsAreBounded) {
  EXPECT_EQ(run("%*d", {"99999999999", "1"}).status, 1);
  EXPECT_EQ(run("%99999999999d", {"1"}).status, 1);
  EXPECT_EQ(run("%.99999999999d", {"1"}).status, 1);
  const Result r = run("%.*d|%*d|", {"-3", "5", "x", "4"});
  EXPECT_EQ(r.out, "5|4|");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(out("%*s|", {"1000", "x"}).size(), 1001u);
}

TEST(UtilPrintf, Floats) {
  EXPECT_EQ(out("%f %e %g %E %G %F", {"2.5", "2.5", "2.5", "2.5", "2.5", "2.5"}),
            "2.500000 2.500000e+00 2.5 2.500000E+00 2.5 2.500000");
  EXPECT_EQ(out("[%5.1f][%#g][%+.3e][%010.2f][%-10.3g][%.0f][%.0e][% f]",
                {"2.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5", "2.5"}),
            "[  2.5][2.50000][+2.500e+00][0000002.50][2.5       ][2][2e+00][ 2.500000]");
  // Ties go to even; these are exact in binary too, so GNU agrees.
  EXPECT_EQ(out("%.1f %.0f %.0f %.0f %.2f", {"0.25", "0.5", "1.5", "2.5", "0.125"}),
            "0.2 0 2 2 0.12");
  EXPECT_EQ(
      out("%g %g %g %g %g %g", {"100000", "1000000", "0.0001", "0.00001", "123456789", "1e-300"}),
      "100000 1e+06 0.0001 1e-05 1.23457e+08 1e-300");
  EXPECT_EQ(out("%f %F %e %g", {"inf", "-infinity", "nan", "-0"}), "inf -INF nan -0");
  EXPECT_EQ(out("%f %f %.3f", {"'A", "0x10", "-0.0005"}), "65.000000 16.000000 -0.000");
  EXPECT_EQ(out("%.2f %.3g %g %g", {"9.999", "9.9996", "0.000099999996", "999999.5"}),
            "10.00 10 0.0001 1e+06");
  EXPECT_EQ(out("%8.3e|%-12.2E|%012.4f", {"-123456", "0.000123", "-3.14159"}),
            "-1.235e+05|1.23E-04    |-000003.1416");
  EXPECT_EQ(out("%08f|%-8f|", {"inf", "nan"}), "     inf|nan     |");
  EXPECT_EQ(out("%.0f", {"1e40"}), "10000000000000000000000000000000000000000");
  EXPECT_EQ(out("%g", {"1e100"}), "1e+100");
  EXPECT_EQ(out("%#.0f %#.0e", {"3", "3"}), "3. 3.e+00");
}

TEST(UtilPrintf, FloatErrors) {
  Result r = run("%f %f %f", {"1e5000", "1e-5000", "1.5x"});
  EXPECT_EQ(r.out, "inf 0.000000 1.500000");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.errors.size(), 3u);
  r = run("%f", {"abc"});
  EXPECT_EQ(r.out, "0.000000");
  EXPECT_EQ(r.status, 1);
}

TEST(UtilPrintf, ParseNumbers) {
  int64_t v = 0;
  EXPECT_EQ(util::printf_cmd::parse_signed("0x", &v), NumberStatus::kPartial);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(util::printf_cmd::parse_signed("-0x10", &v), NumberStatus::kOk);
  EXPECT_EQ(v, -16);
  EXPECT_EQ(util::printf_cmd::parse_signed("-9223372036854775809", &v), NumberStatus::kRange);
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_EQ(util::printf_cmd::parse_signed("089", &v), NumberStatus::kPartial);
  EXPECT_EQ(v, 0);
  uint64_t u = 0;
  EXPECT_EQ(util::printf_cmd::parse_unsigned("0xffffffffffffffff", &u), NumberStatus::kOk);
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_EQ(util::printf_cmd::parse_unsigned("0x10000000000000000", &u), NumberStatus::kRange);
}

TEST(UtilPrintf, LongDigitStringsKeepTiesRight) {
  std::string many = "0.5";
  for (int i = 0; i < 300; ++i) many += "0";
  many += "1";  // past kMaxDigits: only the sticky bit says it is above the tie
  EXPECT_EQ(out("%.0f", {many.c_str()}), "1");
  std::string big(400, '9');
  EXPECT_EQ(out("%.3g", {big.c_str()}), "1e+400");
}

}  // namespace
