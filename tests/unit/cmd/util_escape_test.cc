#include "programs/lib/util_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using util::EscapeStyle;

// text's escapes decoded one after another, as a command would.
std::string decode(const char* text, EscapeStyle style, bool* stopped = nullptr) {
  const lib::StringView t(text);
  std::string out;
  for (size_t at = 0; at < t.size();) {
    if (t[at] != '\\') {
      out += t[at++];
      continue;
    }
    const util::Escape e = util::read_escape(t.substr(at), style);
    if (e.stop) {
      if (stopped) *stopped = true;
      break;
    }
    out.append(e.bytes, e.count);
    at += e.length;
  }
  return out;
}

TEST(UtilEscape, Table) {
  for (const EscapeStyle s :
       {EscapeStyle::kEcho, EscapeStyle::kPrintfFormat, EscapeStyle::kPrintfArg})
    EXPECT_EQ(decode("\\a\\b\\e\\f\\n\\r\\t\\v\\\\", s), "\a\b\x1b\f\n\r\t\v\\");
}

TEST(UtilEscape, OctalStyles) {
  // echo -e and %b: \0 then up to three digits; \NNN without the 0 too.
  EXPECT_EQ(decode("\\0101\\101\\1012", EscapeStyle::kEcho),
            "AA"
            "A2");
  EXPECT_EQ(decode("\\0101\\101", EscapeStyle::kPrintfArg), "AA");
  // The format: three digits, the 0 among them.
  EXPECT_EQ(decode("\\0101", EscapeStyle::kPrintfFormat), "\b1");
  EXPECT_EQ(decode("\\0", EscapeStyle::kEcho), std::string(1, '\0'));
  EXPECT_EQ(decode("\\777", EscapeStyle::kPrintfFormat), "\xff");  // the low byte
}

TEST(UtilEscape, HexAndUnicode) {
  EXPECT_EQ(decode("\\x41\\x7e\\x4", EscapeStyle::kEcho), "A~\x04");
  EXPECT_EQ(decode("\\xg", EscapeStyle::kEcho), "\\xg");
  const util::Escape e = util::read_escape("\\xg", EscapeStyle::kPrintfFormat);
  EXPECT_TRUE(e.error);
  EXPECT_EQ(decode("\\u00e9", EscapeStyle::kPrintfArg), "\xc3\xa9");
  EXPECT_EQ(decode("\\u00e9", EscapeStyle::kEcho), "\\u00e9");  // echo has no \u
  EXPECT_TRUE(util::read_escape("\\u12", EscapeStyle::kPrintfFormat).error);
  EXPECT_TRUE(util::read_escape("\\ud800", EscapeStyle::kPrintfFormat).error);
  EXPECT_TRUE(util::read_escape("\\U00110000", EscapeStyle::kPrintfFormat).error);
}

TEST(UtilEscape, StopUnknownAndLoneBackslash) {
  bool stopped = false;
  EXPECT_EQ(decode("ab\\cde", EscapeStyle::kEcho, &stopped), "ab");
  EXPECT_TRUE(stopped);
  EXPECT_EQ(decode("\\q\\", EscapeStyle::kPrintfFormat), "\\q\\");
  EXPECT_EQ(decode("\\\"", EscapeStyle::kEcho), "\\\"");
  EXPECT_EQ(decode("\\\"", EscapeStyle::kPrintfFormat), "\"");
}

}  // namespace
