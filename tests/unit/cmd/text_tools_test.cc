// The text commands' plain code: counts, cut's lists, tr's sets, sort's keys, hexdump's
// lines, diff's core.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "programs/cut/cut_list.h"
#include "programs/diff/diff_core.h"
#include "programs/hexdump/hexdump_format.h"
#include "programs/lib/text_util.h"
#include "programs/sort/sort_key.h"
#include "programs/tr/tr_sets.h"

namespace {

TEST(TextCount, SignsSuffixesAndOverflow) {
  uint64_t v = 0;
  char sign = 0;
  EXPECT_TRUE(text::parse_count("10", true, &v, &sign));
  EXPECT_EQ(v, 10u);
  EXPECT_EQ(sign, 0);
  EXPECT_TRUE(text::parse_count("-3", true, &v, &sign));
  EXPECT_EQ(v, 3u);
  EXPECT_EQ(sign, '-');
  EXPECT_TRUE(text::parse_count("+2K", true, &v, &sign));
  EXPECT_EQ(v, 2048u);
  EXPECT_EQ(sign, '+');
  EXPECT_TRUE(text::parse_count("1b", false, &v, &sign));
  EXPECT_EQ(v, 512u);
  EXPECT_TRUE(text::parse_count("18446744073709551615", false, &v, &sign));
  EXPECT_EQ(v, UINT64_MAX);
  v = 5;
  EXPECT_FALSE(text::parse_count("18446744073709551616", false, &v, &sign));
  EXPECT_FALSE(text::parse_count("99999999999999999999999999", false, &v, &sign));
  EXPECT_FALSE(text::parse_count("17179869184G", false, &v, &sign));
  EXPECT_EQ(v, 5u);
  for (const char* bad : {"", "-", "x", "1x", "1KK", "--1", " 1"})
    EXPECT_FALSE(text::parse_count(bad, true, &v, &sign)) << bad;
  EXPECT_FALSE(text::parse_count("-1", false, &v, &sign));
}

TEST(TextCount, LastAndFirstLines) {
  const std::string s = "a\nb\nc\n";
  EXPECT_EQ(text::last_lines_start(s.data(), s.size(), 1), 4u);
  EXPECT_EQ(text::last_lines_start(s.data(), s.size(), 2), 2u);
  EXPECT_EQ(text::last_lines_start(s.data(), s.size(), 3), 0u);
  EXPECT_EQ(text::last_lines_start(s.data(), s.size(), 99), 0u);
  EXPECT_EQ(text::last_lines_start(s.data(), s.size(), 0), s.size());
  const std::string t = "a\nb\nc";  // no final newline: "c" is a line
  EXPECT_EQ(text::last_lines_start(t.data(), t.size(), 1), 4u);
  EXPECT_EQ(text::first_lines_end(s.data(), s.size(), 2), 4u);
  EXPECT_EQ(text::first_lines_end(s.data(), s.size(), 9), s.size());
  EXPECT_EQ(text::first_lines_end(s.data(), s.size(), 0), 0u);
}

TEST(CutList, RangesSortedAndMerged) {
  text::CutList l;
  const char* why = nullptr;
  ASSERT_TRUE(l.parse("7-,1,3-5,4", &why));
  ASSERT_EQ(l.count(), 3u);
  EXPECT_EQ(l.from(0), 1u);
  EXPECT_EQ(l.to(0), 1u);
  EXPECT_EQ(l.from(1), 3u);
  EXPECT_EQ(l.to(1), 5u);
  EXPECT_EQ(l.from(2), 7u);
  EXPECT_EQ(l.to(2), UINT64_MAX);
  EXPECT_TRUE(l.has(1));
  EXPECT_FALSE(l.has(2));
  EXPECT_TRUE(l.has(4));
  EXPECT_FALSE(l.has(6));
  EXPECT_TRUE(l.has(1000000));
  ASSERT_TRUE(l.parse("-3", &why));
  EXPECT_TRUE(l.has(1));
  EXPECT_TRUE(l.has(3));
  EXPECT_FALSE(l.has(4));
  ASSERT_TRUE(l.parse("2-3,3-9", &why));
  EXPECT_EQ(l.count(), 1u);
  ASSERT_TRUE(l.parse("99999999999999999999999", &why));
  EXPECT_TRUE(l.has(UINT64_MAX));
}

TEST(CutList, Refused) {
  text::CutList l;
  const char* why = nullptr;
  for (const char* bad : {"", "-", "0", "0-2", "3-1", "a", "1,,2", "1-2-3"})
    EXPECT_FALSE(l.parse(bad, &why)) << bad;
  std::string many;
  for (int i = 0; i < 300; ++i) many += std::to_string(2 * i + 1) + ",";
  many += "999";
  EXPECT_FALSE(l.parse(many.c_str(), &why));
}

std::string expand(const char* spec, size_t fill = 0) {
  auto set = std::make_unique<text::TrSet>();
  const char* why = nullptr;
  if (!text::expand_set(spec, fill, set.get(), &why)) return std::string("error: ") + why;
  return std::string(reinterpret_cast<const char*>(set->bytes), set->size);
}

TEST(TrSets, Expansion) {
  EXPECT_EQ(expand("a-e"), "abcde");
  EXPECT_EQ(expand("[:digit:]x"), "0123456789x");
  EXPECT_EQ(expand("\\n\\t\\\\\\101\\0"), std::string("\n\t\\A\0", 5));
  EXPECT_EQ(expand("[x*3]y"), "xxxy");
  EXPECT_EQ(expand("a[x*]b", 5), "axxxb");
  EXPECT_EQ(expand("[=a=]"), "a");
  EXPECT_EQ(expand("[:upper:]").size(), 26u);
  EXPECT_EQ(expand("a-"), "a-");
  EXPECT_EQ(expand("[a"), "[a");
  EXPECT_EQ(expand("z-a").substr(0, 6), "error:");
  EXPECT_EQ(expand("[:nope:]").substr(0, 6), "error:");
  EXPECT_EQ(expand("[x*]").substr(0, 6), "error:");
  EXPECT_EQ(expand("[x*99999999999999999999]").substr(0, 6), "error:");
}

std::string run_tr(const char* s1, const char* s2, bool complement, bool del, bool squeeze,
                   const std::string& input) {
  auto set1 = std::make_unique<text::TrSet>();
  auto set2 = std::make_unique<text::TrSet>();
  auto comp = std::make_unique<text::TrSet>();
  auto plan = std::make_unique<text::TrPlan>();
  const char* why = nullptr;
  if (!text::expand_set(s1, 0, set1.get(), &why)) return "error";
  const text::TrSet* first = set1.get();
  if (complement) {
    text::complement_set(*set1, comp.get());
    first = comp.get();
  }
  if (s2 && !text::expand_set(s2, first->size, set2.get(), &why)) return "error";
  if (!text::plan_tr(*first, s2 ? set2.get() : nullptr, del, squeeze, plan.get(), &why))
    return "error";
  std::string out(input.size(), '\0');
  int last = -1;
  out.resize(text::apply_tr(*plan, input.data(), input.size(), out.data(), &last));
  return out;
}

TEST(TrSets, Translate) {
  EXPECT_EQ(run_tr("a-z", "A-Z", false, false, false, "Hello, World"), "HELLO, WORLD");
  EXPECT_EQ(run_tr("[:lower:]", "[:upper:]", false, false, false, "abc"), "ABC");
  EXPECT_EQ(run_tr("abc", "x", false, false, false, "aabbcc"), "xxxxxx");  // SET2 padded
  EXPECT_EQ(run_tr("a-z", "", false, false, false, "x"), "error");
  EXPECT_EQ(run_tr("aa", "xy", false, false, false, "a"), "y");
  EXPECT_EQ(run_tr("a-z", "\\n", true, false, false, "ab, cd"), "ab\n\ncd");
  EXPECT_EQ(run_tr("a-z", "\\n", true, false, true, "ab, cd!"), "ab\ncd\n");
}

TEST(TrSets, DeleteAndSqueeze) {
  EXPECT_EQ(run_tr("[:digit:]", nullptr, false, true, false, "a1b22c"), "abc");
  EXPECT_EQ(run_tr("[:digit:]", nullptr, true, true, false, "a1b22c"), "122");
  EXPECT_EQ(run_tr(" ", nullptr, false, false, true, "a   b  c"), "a b c");
  EXPECT_EQ(run_tr("0-9", " ", false, true, true, "a1  b2   c"), "a b c");
  EXPECT_EQ(run_tr("a", nullptr, false, false, false, "a"), "error");
  EXPECT_EQ(run_tr("a", "b", false, true, false, "a"), "error");
}

struct SortFixture {
  std::unique_ptr<text::SortOptions> o = std::make_unique<text::SortOptions>();
  bool has[text::SortOptions::kMaxKeys] = {};
  bool key(const char* k) {
    const char* why = nullptr;
    const size_t i = o->key_count++;
    return text::parse_sort_key(k, &o->keys[i], &has[i], &why);
  }
  std::vector<std::string> sort(std::vector<std::string> in) {
    text::finish_keys(o.get(), has);
    std::vector<text::SortLine> lines(in.size()), scratch(in.size());
    for (size_t i = 0; i < in.size(); ++i) lines[i] = {in[i].data(), in[i].size()};
    text::sort_lines(*o, lines.data(), scratch.data(), lines.size());
    std::vector<std::string> out;
    out.reserve(lines.size());
    for (const auto& l : lines) out.emplace_back(l.data, l.size);
    return out;
  }
};

using Lines = std::vector<std::string>;

TEST(SortKeys, Numbers) {
  EXPECT_LT(text::compare_numbers("2", "10"), 0);
  EXPECT_LT(text::compare_numbers("-10", "-2"), 0);
  EXPECT_EQ(text::compare_numbers("-0", "0"), 0);
  EXPECT_EQ(text::compare_numbers("007", "7.000"), 0);
  EXPECT_LT(text::compare_numbers("1.05", "1.5"), 0);
  EXPECT_LT(text::compare_numbers("abc", "1"), 0);  // not a number: 0
  EXPECT_EQ(text::compare_numbers("  3x", "3"), 0);
  EXPECT_GT(text::compare_numbers("99999999999999999999999", "9999999999999999999999"), 0);
}

TEST(SortKeys, WholeLines) {
  SortFixture f;
  EXPECT_EQ(f.sort({"b", "a", "c", "a"}), (Lines{"a", "a", "b", "c"}));
  SortFixture n;
  n.o->global.numeric = true;
  EXPECT_EQ(n.sort({"10", "9", "-1", "x"}), (Lines{"-1", "x", "9", "10"}));
  SortFixture r;
  r.o->global.reverse = true;
  EXPECT_EQ(r.sort({"a", "c", "b"}), (Lines{"c", "b", "a"}));
  SortFixture fold;
  fold.o->global.fold = true;
  EXPECT_EQ(fold.sort({"b", "B", "a", "A"}), (Lines{"A", "a", "B", "b"}));  // last resort
}

TEST(SortKeys, FieldsAndSeparators) {
  SortFixture f;
  ASSERT_TRUE(f.key("2,2"));
  f.o->separator = ':';
  EXPECT_EQ(f.sort({"x:b:1", "y:a:2", "z:c:0"}), (Lines{"y:a:2", "x:b:1", "z:c:0"}));
  SortFixture n;
  ASSERT_TRUE(n.key("2n"));
  EXPECT_EQ(n.sort({"a 10", "b 9", "c 100"}), (Lines{"b 9", "a 10", "c 100"}));
  SortFixture c;
  ASSERT_TRUE(c.key("1.2,1.2"));
  EXPECT_EQ(c.sort({"ab", "ba", "ac"}), (Lines{"ba", "ab", "ac"}));
  // Blank-led fields: the blanks belong to the field unless b.
  SortFixture blanks;
  ASSERT_TRUE(blanks.key("2,2"));
  EXPECT_EQ(blanks.sort({"x  b", "y a"}), (Lines{"x  b", "y a"}));
  SortFixture skip;
  ASSERT_TRUE(skip.key("2b,2"));
  EXPECT_EQ(skip.sort({"x  b", "y a"}), (Lines{"y a", "x  b"}));
}

TEST(SortKeys, StableAndUnique) {
  SortFixture s;
  ASSERT_TRUE(s.key("1,1"));
  s.o->stable = true;
  EXPECT_EQ(s.sort({"b 2", "a 9", "b 1", "a 1"}), (Lines{"a 9", "a 1", "b 2", "b 1"}));
  SortFixture last;
  ASSERT_TRUE(last.key("1,1"));
  EXPECT_EQ(last.sort({"b 2", "a 9", "b 1", "a 1"}), (Lines{"a 1", "a 9", "b 1", "b 2"}));
  SortFixture r;
  ASSERT_TRUE(r.key("2,2r"));
  ASSERT_TRUE(r.key("1,1"));
  EXPECT_EQ(r.sort({"a x", "b y", "c x"}), (Lines{"b y", "a x", "c x"}));
}

TEST(SortKeys, BadKeys) {
  text::SortKey k;
  bool has = false;
  const char* why = nullptr;
  for (const char* bad : {"", "0", "1.0", "a", "1,0", "1x", "1,2y", "1,"})
    EXPECT_FALSE(text::parse_sort_key(bad, &k, &has, &why)) << bad;
  EXPECT_TRUE(text::parse_sort_key("2.3bn,4.0r", &k, &has, &why));
  EXPECT_TRUE(has);
  EXPECT_EQ(k.start_field, 2u);
  EXPECT_EQ(k.start_char, 3u);
  EXPECT_EQ(k.end_field, 4u);
  EXPECT_EQ(k.end_char, 0u);
}

std::string hexline(bool canonical, uint64_t offset, const std::string& bytes) {
  char out[text::kHexdumpMaxLine];
  return std::string(
      out, text::hexdump_line(canonical, offset, reinterpret_cast<const uint8_t*>(bytes.data()),
                              bytes.size(), out));
}

TEST(Hexdump, Lines) {
  EXPECT_EQ(hexline(true, 0, "hello world\n"),
            "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |hello world.|\n");
  EXPECT_EQ(hexline(true, 16, "0123456789abcdef"),
            "00000010  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n");
  EXPECT_EQ(hexline(false, 0, "hello world\n"),
            "0000000 6568 6c6c 206f 6f77 6c72 0a64          \n");
  EXPECT_EQ(hexline(false, 0, "abc"), "0000000 6261 0063                              \n");
  EXPECT_EQ(hexline(true, 0, std::string("\x80\xff\t\x7f", 4)),
            "00000000  80 ff 09 7f                                       |....|\n");
  char out[text::kHexdumpMaxLine];
  EXPECT_EQ(std::string(out, text::hexdump_end(true, 0x41, out)), "00000041\n");
  EXPECT_EQ(std::string(out, text::hexdump_end(false, 0x41, out)), "0000041\n");
  EXPECT_EQ(std::string(out, text::hexdump_end(false, 0x123456789ull, out)), "123456789\n");
}

struct StringSink final : lib::Sink {
  void write(const char* s, size_t n) override { text.append(s, n); }
  std::string text;
};

// diff of two texts given as lines ("" for none), in the normal or unified format.
std::string diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                 bool unified = false, int64_t max_cost = text::kDiffMaxCost) {
  std::vector<lib::StringView> la, lb;
  for (const auto& s : a) la.emplace_back(s.data(), s.size());
  for (const auto& s : b) lb.emplace_back(s.data(), s.size());
  const text::DiffFile fa{la.data(), la.size(), false, "a"}, fb{lb.data(), lb.size(), false, "b"};
  size_t table = 16;
  while (table < 2 * (a.size() + b.size())) table *= 2;
  std::vector<uint32_t> ids(a.size() + b.size() + 1), slots(table);
  text::diff_line_ids(fa, fb, ids.data(), slots.data(), table);
  std::vector<int32_t> scratch(text::diff_scratch_size(a.size(), b.size()));
  std::unique_ptr<bool[]> marks(new bool[a.size() + b.size() + 1]);
  if (!text::diff_mark(ids.data(), a.size(), ids.data() + a.size(), b.size(), marks.get(),
                       marks.get() + a.size(), scratch.data(), max_cost))
    return "same";
  StringSink out;
  if (unified) {
    text::diff_write_unified(out, fa, fb, marks.get(), marks.get() + a.size());
  } else {
    text::diff_write_normal(out, fa, fb, marks.get(), marks.get() + a.size());
  }
  return out.text;
}

TEST(Diff, NormalFormat) {
  EXPECT_EQ(diff({"a", "b"}, {"a", "b"}), "same");
  EXPECT_EQ(diff({"a", "b", "c"}, {"a", "c"}), "2d1\n< b\n");
  EXPECT_EQ(diff({"a", "c"}, {"a", "b", "c"}), "1a2\n> b\n");
  EXPECT_EQ(diff({"a", "b", "c"}, {"a", "x", "c"}), "2c2\n< b\n---\n> x\n");
  EXPECT_EQ(diff({"1", "2", "3"}, {"x", "y"}), "1,3c1,2\n< 1\n< 2\n< 3\n---\n> x\n> y\n");
  EXPECT_EQ(diff({}, {"a"}), "0a1\n> a\n");
  EXPECT_EQ(diff({"a"}, {}), "1d0\n< a\n");
  EXPECT_EQ(diff({"a", "b", "c", "d"}, {"b", "c", "e"}), "1d0\n< a\n4c3\n< d\n---\n> e\n");
}

TEST(Diff, UnifiedFormat) {
  EXPECT_EQ(diff({"a", "b", "c"}, {"a", "x", "c"}, true),
            "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n");
  EXPECT_EQ(diff({}, {"a"}, true), "--- a\n+++ b\n@@ -0,0 +1 @@\n+a\n");
  std::vector<std::string> a, b;
  for (int i = 1; i <= 20; ++i) a.push_back(std::to_string(i));
  b = a;
  b[1] = "two";
  b[17] = "eighteen";
  EXPECT_EQ(diff(a, b, true),
            "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"
            "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n");
  b = a;
  b[1] = "two";
  b[7] = "eight";  // 6 lines apart: one hunk
  EXPECT_EQ(diff(a, b, true),
            "--- a\n+++ b\n@@ -1,11 +1,11 @@\n 1\n-2\n+two\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n"
            " 9\n 10\n 11\n");
}

TEST(Diff, MinimalAndBounded) {
  // A minimal script on shuffled input; and with a tiny cost bound still a correct one.
  std::vector<std::string> a, b;
  for (int i = 0; i < 400; ++i) a.push_back(std::to_string(i * 7 % 13));
  for (int i = 0; i < 380; ++i) b.push_back(std::to_string(i * 5 % 11));
  for (int64_t bound : {int64_t{2048}, int64_t{3}}) {
    const std::string out = diff(a, b, false, bound);
    // Apply the normal-format script to a and compare with b.
    std::vector<std::string> result;
    size_t at = 0;  // next line of a not yet copied
    size_t pos = 0;
    while (pos < out.size()) {
      const size_t eol = out.find('\n', pos);
      const std::string cmd = out.substr(pos, eol - pos);
      pos = eol + 1;
      if (cmd[0] == '<' || cmd[0] == '-') continue;
      if (cmd[0] == '>') {
        result.push_back(cmd.substr(2));
        continue;
      }
      const size_t op = cmd.find_first_of("acd");
      const size_t first = std::stoul(cmd.substr(0, op));
      const size_t comma = cmd.find(',');
      const size_t last =
          comma != std::string::npos && comma < op ? std::stoul(cmd.substr(comma + 1)) : first;
      const size_t copy_to = cmd[op] == 'a' ? first : first - 1;
      while (at < copy_to) result.push_back(a[at++]);
      if (cmd[op] != 'a') at = last;
    }
    while (at < a.size()) result.push_back(a[at++]);
    EXPECT_EQ(result, b) << "bound " << bound;
  }
}

TEST(Diff, LargeUnrelatedFilesEndQuickly) {
  std::vector<std::string> a, b;
  for (int i = 0; i < 5000; ++i) a.push_back("a" + std::to_string(i));
  for (int i = 0; i < 5000; ++i) b.push_back("b" + std::to_string(i));
  const std::string out = diff(a, b);
  EXPECT_EQ(out.substr(0, 14), "1,5000c1,5000\n");
}

}  // namespace
