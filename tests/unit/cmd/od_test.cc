// od's output: the expected lines are GNU coreutils 9.1's for the same input and options.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "programs/od/od_dump.h"

namespace {

struct StringSink final : lib::Sink {
  void write(const char* s, size_t n) override { text.append(s, n); }
  std::string text;
};

const std::string kInput("hello world\n\001\200\377", 15);

// od with the given -t types (none: the default), radix, width and -j offset.
std::string od(const std::string& input, std::vector<std::string> types,
               text::OdRadix radix = text::OdRadix::kOctal, size_t width = 16, bool all = false,
               uint64_t offset = 0) {
  auto layout = std::make_unique<text::OdLayout>();
  layout->radix = radix;
  layout->bytes_per_line = width;
  layout->all = all;
  char why[160] = {};
  for (const std::string& t : types)
    if (!text::od_add_types(lib::StringView(t.data(), t.size()), layout.get(), why, sizeof(why)))
      return std::string("error: ") + why;
  if (!text::od_prepare(layout.get(), why, sizeof(why))) return std::string("error: ") + why;
  if (why[0]) return std::string(why);
  StringSink sink;
  auto dump = std::make_unique<text::OdDump>(sink, *layout, offset);
  // In pieces, as reads come.
  for (size_t i = 0; i < input.size(); i += 5) {
    const size_t n = input.size() - i < 5 ? input.size() - i : 5;
    dump->feed(reinterpret_cast<const uint8_t*>(input.data() + i), n);
  }
  dump->finish();
  return sink.text;
}

TEST(Od, DefaultIsOctalWords) {
  EXPECT_EQ(od(kInput, {}),
            "0000000 062550 066154 020157 067567 066162 005144 100001 000377\n"
            "0000017\n");
  EXPECT_EQ(od("", {}), "0000000\n");
  EXPECT_EQ(od("", {}, text::OdRadix::kNone), "");
}

TEST(Od, Characters) {
  EXPECT_EQ(od(kInput, {"c"}),
            "0000000   h   e   l   l   o       w   o   r   l   d  \\n 001 200 377\n"
            "0000017\n");
  EXPECT_EQ(od(kInput, {"a"}),
            "0000000   h   e   l   l   o  sp   w   o   r   l   d  nl soh nul del\n"
            "0000017\n");
  EXPECT_EQ(od("IFS back: [ \t\n]\n", {"c"}),
            "0000000   I   F   S       b   a   c   k   :       [      \\t  \\n   ]  \\n\n"
            "0000020\n");
}

TEST(Od, HexWithPrintableTrailer) {
  EXPECT_EQ(od(kInput, {"x1z"}),
            "0000000 68 65 6c 6c 6f 20 77 6f 72 6c 64 0a 01 80 ff     >hello world....<\n"
            "0000017\n");
  EXPECT_EQ(od(kInput, {"x2z"}),
            "0000000 6568 6c6c 206f 6f77 6c72 0a64 8001 00ff  >hello world....<\n"
            "0000017\n");
  EXPECT_EQ(od(kInput, {"x"}), "0000000 6c6c6568 6f77206f 0a646c72 00ff8001\n0000017\n");
}

TEST(Od, SeveralTypesLineUp) {
  EXPECT_EQ(od(kInput, {"d1", "c"}, text::OdRadix::kHex),
            "000000  104  101  108  108  111   32  119  111  114  108  100   10    1 -128   -1\n"
            "          h    e    l    l    o         w    o    r    l    d   \\n  001  200  377\n"
            "00000f\n");
  EXPECT_EQ(od(kInput, {"o4", "x8"}, text::OdRadix::kDecimal),
            "0000000 15433062550 15735620157 01231066162 00077700001\n"
            "               6f77206f6c6c6568        00ff80010a646c72\n"
            "0000015\n");
  EXPECT_EQ(od(kInput, {"cx1"}).substr(0, 8 + 16 * 3 + 1),
            od(kInput, {"c", "x1"}).substr(0, 8 + 16 * 3 + 1));
}

TEST(Od, Decimals) {
  EXPECT_EQ(od(kInput, {"u8"}, text::OdRadix::kNone),
            "  8031924123371070824    71916861018893426\n");
  EXPECT_EQ(od("abc", {"d2"}), "0000000  25185     99\n0000003\n");
  EXPECT_EQ(od(kInput, {"dC"}),
            "0000000  104  101  108  108  111   32  119  111  114  108  100   10    1 -128   -1\n"
            "0000017\n");
  EXPECT_EQ(
      od(std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8), {"d8", "u8"}, text::OdRadix::kNone),
      "                   -1\n 18446744073709551615\n");
}

TEST(Od, RepeatedLinesAndWidth) {
  const std::string zeros(64, '\0');
  EXPECT_EQ(od(zeros, {}),
            "0000000 000000 000000 000000 000000 000000 000000 000000 000000\n*\n0000100\n");
  EXPECT_EQ(od(zeros, {}, text::OdRadix::kOctal, 16, true).substr(0, 64 * 2),
            "0000000 000000 000000 000000 000000 000000 000000 000000 000000\n"
            "0000020 000000 000000 000000 000000 000000 000000 000000 000000\n");
  EXPECT_EQ(od(kInput, {"x1"}, text::OdRadix::kOctal, 4).substr(0, 3 * 20),
            "0000000 68 65 6c 6c\n0000004 6f 20 77 6f\n0000010 72 6c 64 0a\n");
  EXPECT_EQ(od("lo wo", {"c"}, text::OdRadix::kOctal, 16, false, 3),
            "0000003   l   o       w   o\n0000010\n");
}

TEST(Od, BadTypes) {
  EXPECT_EQ(od("", {"x3"}),
            "error: invalid type string 'x3';\nthis system doesn't provide a 3-byte integral type");
  EXPECT_EQ(od("", {"q"}), "error: invalid character 'q' in type string 'q'");
  EXPECT_EQ(od("", {"x8"}, text::OdRadix::kOctal, 4), "warning: invalid width 4; using 8 instead");
  EXPECT_EQ(od("", {"x8"}, text::OdRadix::kOctal, 8192), "error: invalid -w argument '8192'");
}

TEST(Od, Counts) {
  uint64_t v = 0;
  EXPECT_TRUE(text::od_parse_count("10", &v));
  EXPECT_EQ(v, 10u);
  EXPECT_TRUE(text::od_parse_count("0x10", &v));
  EXPECT_EQ(v, 16u);
  EXPECT_TRUE(text::od_parse_count("010", &v));
  EXPECT_EQ(v, 8u);
  EXPECT_TRUE(text::od_parse_count("2k", &v));
  EXPECT_EQ(v, 2048u);
  EXPECT_TRUE(text::od_parse_count("1b", &v));
  EXPECT_EQ(v, 512u);
  EXPECT_FALSE(text::od_parse_count("09", &v));
  EXPECT_FALSE(text::od_parse_count("x", &v));
  EXPECT_FALSE(text::od_parse_count("99999999999999999999", &v));
  EXPECT_FALSE(text::od_parse_count("20000000000G", &v));
}

}  // namespace
