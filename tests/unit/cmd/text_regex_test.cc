#include "programs/lib/text_regex.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

using text::RegexError;

struct Fixture : ::testing::Test {
  std::unique_ptr<text::Regex> re = std::make_unique<text::Regex>();

  bool bre(const char* pattern, const char* line, uint32_t flags = 0) {
    EXPECT_EQ(re->compile(pattern, flags), RegexError::kNone) << pattern;
    return re->matches(line);
  }
  bool ere(const char* pattern, const char* line, uint32_t flags = 0) {
    return bre(pattern, line, flags | text::kExtended);
  }
  // The leftmost-longest match as "from,to", or "none".
  std::string span(const char* pattern, const char* line, uint32_t flags = text::kExtended) {
    EXPECT_EQ(re->compile(pattern, flags), RegexError::kNone) << pattern;
    size_t from = 0, to = 0;
    if (!re->search(line, &from, &to)) return "none";
    return std::to_string(from) + "," + std::to_string(to);
  }
  RegexError error(const char* pattern, uint32_t flags = 0) { return re->compile(pattern, flags); }
};

using Regex = Fixture;

TEST_F(Regex, LiteralsAnywhereInTheLine) {
  EXPECT_TRUE(bre("abc", "xxabcxx"));
  EXPECT_FALSE(bre("abc", "xxabxcx"));
  EXPECT_TRUE(bre("", "anything"));
  EXPECT_TRUE(bre("", ""));
  EXPECT_FALSE(bre("a", ""));
}

TEST_F(Regex, Anchors) {
  EXPECT_TRUE(bre("^ab", "abc"));
  EXPECT_FALSE(bre("^ab", "cab"));
  EXPECT_TRUE(bre("bc$", "abc"));
  EXPECT_FALSE(bre("bc$", "abcd"));
  EXPECT_TRUE(bre("^$", ""));
  EXPECT_FALSE(bre("^$", "x"));
  // In a BRE, ^ and $ are anchors only at the ends; elsewhere literal.
  EXPECT_TRUE(bre("a^b", "a^b"));
  EXPECT_TRUE(bre("a$b", "a$b"));
  EXPECT_TRUE(bre("\\(^a\\)", "ab"));
  // In an ERE they are anchors anywhere.
  EXPECT_FALSE(ere("a^b", "a^b"));
  EXPECT_TRUE(ere("(^a|b$)", "xb"));
}

TEST_F(Regex, DotAndStar) {
  EXPECT_TRUE(bre("a.c", "abc"));
  EXPECT_FALSE(bre("a.c", "ac"));
  EXPECT_TRUE(bre("ab*c", "ac"));
  EXPECT_TRUE(bre("ab*c", "abbbbc"));
  EXPECT_TRUE(bre("*a", "x*a"));  // a leading '*' is literal in a BRE
  EXPECT_FALSE(bre("*a", "xa"));
  EXPECT_TRUE(bre("^*a", "*a"));
  EXPECT_TRUE(bre("\\(*a\\)", "*a"));
}

TEST_F(Regex, BasicIntervalsAndGnuExtensions) {
  EXPECT_TRUE(bre("^a\\{2,3\\}$", "aa"));
  EXPECT_TRUE(bre("^a\\{2,3\\}$", "aaa"));
  EXPECT_FALSE(bre("^a\\{2,3\\}$", "aaaa"));
  EXPECT_FALSE(bre("^a\\{2,3\\}$", "a"));
  EXPECT_TRUE(bre("^a\\{2\\}$", "aa"));
  EXPECT_TRUE(bre("^a\\{2,\\}$", "aaaaaa"));
  EXPECT_TRUE(bre("^ab\\+$", "abbb"));
  EXPECT_FALSE(bre("^ab\\+$", "a"));
  EXPECT_TRUE(bre("^ab\\?$", "a"));
  EXPECT_TRUE(bre("cat\\|dog", "hotdog"));
  EXPECT_TRUE(bre("^\\(ab\\)*$", "ababab"));
  EXPECT_FALSE(bre("^\\(ab\\)*$", "ababa"));
  // In a BRE, + ? { | ( are plain characters.
  EXPECT_TRUE(bre("a+b", "a+b"));
  EXPECT_FALSE(bre("a+b", "aab"));
  EXPECT_TRUE(bre("(x|y)", "(x|y)"));
  EXPECT_TRUE(bre("a{2}", "a{2}"));
}

TEST_F(Regex, ExtendedOperators) {
  EXPECT_TRUE(ere("^(ab|cd)+$", "abcdab"));
  EXPECT_FALSE(ere("^(ab|cd)+$", "abc"));
  EXPECT_TRUE(ere("^colou?r$", "color"));
  EXPECT_TRUE(ere("^colou?r$", "colour"));
  EXPECT_TRUE(ere("^[0-9]{3}-[0-9]{4}$", "555-1234"));
  EXPECT_FALSE(ere("^[0-9]{3}-[0-9]{4}$", "55-1234"));
  EXPECT_TRUE(ere("^x{0}$", ""));
  EXPECT_TRUE(ere("^a{,2}$", "aa"));
  EXPECT_FALSE(ere("^a{,2}$", "aaa"));
  EXPECT_TRUE(ere("a|b|c", "zzc"));
  EXPECT_TRUE(ere("^(a|)$", ""));
  EXPECT_TRUE(ere("a{", "a{"));  // not an interval: literal, as GNU
  EXPECT_TRUE(ere("a{x", "a{x"));
  EXPECT_TRUE(ere("\\(\\)", "()"));
  EXPECT_TRUE(ere("a\\|b", "a|b"));
  EXPECT_FALSE(ere("a\\|b", "a"));
}

TEST_F(Regex, BracketExpressions) {
  EXPECT_TRUE(bre("[abc]", "xbx"));
  EXPECT_FALSE(bre("[abc]", "xyz"));
  EXPECT_TRUE(bre("[^abc]", "abcd"));
  EXPECT_FALSE(bre("^[^abc]*$", "abcab"));
  EXPECT_TRUE(bre("[a-f]", "e"));
  EXPECT_FALSE(bre("[a-f]", "g"));
  EXPECT_TRUE(bre("[]x]", "]"));
  EXPECT_TRUE(bre("[^]x]", "a"));
  EXPECT_FALSE(bre("^[^]x]$", "]"));
  EXPECT_TRUE(bre("[a-]", "-"));
  EXPECT_TRUE(bre("[-a]", "-"));
  EXPECT_TRUE(bre("[\\]", "\\"));  // no escapes inside brackets
  EXPECT_TRUE(bre("[[.-.]]", "-"));
  EXPECT_TRUE(bre("[[=e=]]", "e"));
  EXPECT_TRUE(bre("[*]", "*"));
  EXPECT_TRUE(bre("x[.]y", "x.y"));
  EXPECT_FALSE(bre("x[.]y", "xzy"));
}

TEST_F(Regex, Classes) {
  EXPECT_TRUE(bre("^[[:digit:]]*$", "0123456789"));
  EXPECT_FALSE(bre("[[:digit:]]", "abc"));
  EXPECT_TRUE(bre("[[:alpha:]]", "1a"));
  EXPECT_TRUE(bre("^[[:alnum:]_]*$", "ab_12"));
  EXPECT_TRUE(bre("[[:space:]]", "a\tb"));
  EXPECT_TRUE(bre("[[:blank:]]", "a b"));
  EXPECT_FALSE(bre("[[:blank:]]", "a\nb"));
  EXPECT_TRUE(bre("^[[:upper:]]$", "Q"));
  EXPECT_FALSE(bre("^[[:upper:]]$", "q"));
  EXPECT_TRUE(bre("^[[:lower:]]$", "q"));
  EXPECT_TRUE(bre("[[:punct:]]", "a,b"));
  EXPECT_TRUE(bre("^[[:xdigit:]]*$", "09afAF"));
  EXPECT_FALSE(bre("^[[:xdigit:]]*$", "g"));
  EXPECT_TRUE(bre("[[:cntrl:]]", "a\x01"));
  EXPECT_TRUE(bre("^[^[:space:]]*$", "abc"));
  EXPECT_TRUE(bre("[x[:digit:]]", "x"));
}

TEST_F(Regex, GnuEscapes) {
  EXPECT_TRUE(bre("\\<foo\\>", "a foo b"));
  EXPECT_FALSE(bre("\\<foo\\>", "afoo b"));
  EXPECT_FALSE(bre("\\<foo\\>", "a foob"));
  EXPECT_TRUE(bre("\\bfoo\\b", "foo"));
  EXPECT_TRUE(bre("o\\Bo", "foo"));
  EXPECT_TRUE(bre("^\\w*$", "ab_9"));
  EXPECT_FALSE(bre("^\\w*$", "a-b"));
  EXPECT_TRUE(bre("\\W", "a-b"));
  EXPECT_TRUE(bre("a\\sb", "a b"));
  EXPECT_TRUE(bre("a\\Sb", "axb"));
  EXPECT_TRUE(bre("a\\.b", "a.b"));
  EXPECT_FALSE(bre("a\\.b", "axb"));
}

TEST_F(Regex, IgnoreCase) {
  EXPECT_TRUE(bre("hello", "HeLLo", text::kIgnoreCase));
  EXPECT_FALSE(bre("hello", "HeLLo"));
  EXPECT_TRUE(bre("[a-c]x", "BX", text::kIgnoreCase));
  EXPECT_FALSE(bre("[^a]", "A", text::kIgnoreCase));
  EXPECT_TRUE(bre("[[:upper:]]", "a", text::kIgnoreCase));
  EXPECT_TRUE(ere("^(AB)+$", "abAb", text::kIgnoreCase));
}

TEST_F(Regex, LiteralPatterns) {
  EXPECT_TRUE(bre("a.*[b", "xa.*[by", text::kLiteral));
  EXPECT_FALSE(bre("a.*[b", "ab", text::kLiteral));
  EXPECT_TRUE(bre("A.B", "a.b", text::kLiteral | text::kIgnoreCase));
  EXPECT_TRUE(bre("", "x", text::kLiteral));
}

TEST_F(Regex, WholeWordsAndLines) {
  EXPECT_TRUE(bre("foo", "a foo", text::kWord));
  EXPECT_FALSE(bre("foo", "foobar", text::kWord));
  EXPECT_FALSE(bre("foo", "_foo", text::kWord));
  // Some match must be a word, not necessarily the first.
  EXPECT_TRUE(bre("foo", "foobar foo", text::kWord));
  EXPECT_TRUE(bre("fo*", "fooo!", text::kWord));
  EXPECT_TRUE(bre("abc", "abc", text::kLine));
  EXPECT_FALSE(bre("abc", "abcd", text::kLine));
  EXPECT_TRUE(ere("a|b", "b", text::kLine));
}

TEST_F(Regex, LeftmostLongest) {
  EXPECT_EQ(span("a+", "baaac"), "1,4");
  EXPECT_EQ(span("x*", "abc"), "0,0");
  EXPECT_EQ(span("a|ab|abc", "xabcd"), "1,4");
  EXPECT_EQ(span("(a|ab)(c|bcd)", "abcd"), "0,4");
  EXPECT_EQ(span("b+$", "abbb"), "1,4");
  EXPECT_EQ(span("q", "abc"), "none");
  EXPECT_EQ(span("c|bcd", "abcd"), "1,4");
}

TEST_F(Regex, SeveralPatterns) {
  ASSERT_EQ(re->compile("cat", 0), RegexError::kNone);
  ASSERT_EQ(re->add("d.g", 0), RegexError::kNone);
  ASSERT_EQ(re->add("^bird$", text::kIgnoreCase), RegexError::kNone);
  EXPECT_TRUE(re->matches("a cat"));
  EXPECT_TRUE(re->matches("a dog"));
  EXPECT_TRUE(re->matches("BIRD"));
  EXPECT_FALSE(re->matches("a bird"));
  EXPECT_FALSE(re->matches("cow"));
  // A bad one leaves the others working.
  EXPECT_EQ(re->add("[", 0), RegexError::kBadBracket);
  EXPECT_TRUE(re->matches("a dog"));
}

TEST_F(Regex, Errors) {
  EXPECT_EQ(error("[abc"), RegexError::kBadBracket);
  EXPECT_EQ(error("[[:nope:]]"), RegexError::kBadClass);
  EXPECT_EQ(error("[z-a]"), RegexError::kBadRange);
  EXPECT_EQ(error("\\(a"), RegexError::kBadParen);
  EXPECT_EQ(error("a\\)"), RegexError::kBadParen);
  EXPECT_EQ(error("(a", text::kExtended), RegexError::kBadParen);
  EXPECT_EQ(error("a\\{1"), RegexError::kBadBrace);
  EXPECT_EQ(error("a\\{3,1\\}"), RegexError::kBadBrace);
  EXPECT_EQ(error("a{3,1}", text::kExtended), RegexError::kBadBrace);
  EXPECT_EQ(error("a\\{256\\}"), RegexError::kBadRepeat);
  EXPECT_EQ(error("a{99999999999}", text::kExtended), RegexError::kBadRepeat);
  EXPECT_EQ(error("ab\\"), RegexError::kTrailingEscape);
  EXPECT_EQ(error("\\(a\\)\\1"), RegexError::kBackReference);
  // A failed compile matches nothing.
  EXPECT_FALSE(re->matches("abc"));
}

TEST_F(Regex, HostilePatternsStayBounded) {
  // Counted repetitions that would expand past the program's size are refused.
  EXPECT_EQ(error("(a{255}){255}", text::kExtended), RegexError::kTooBig);
  EXPECT_EQ(error("((((((((((a{9}){9}){9}){9}){9}){9}){9}){9}){9}){9})", text::kExtended),
            RegexError::kTooBig);
  // Deep nesting is refused, not a stack overflow.
  std::string deep(5000, '(');
  deep += "a";
  deep += std::string(5000, ')');
  EXPECT_EQ(error(deep.c_str(), text::kExtended), RegexError::kTooDeep);
  std::string stars = "a" + std::string(5000, '*');
  EXPECT_NE(error(stars.c_str(), text::kExtended), RegexError::kNone);
  std::string long_pattern(100000, 'a');
  EXPECT_EQ(error(long_pattern.c_str()), RegexError::kTooBig);
  // The classic exponential cases run in linear time.
  ASSERT_EQ(re->compile("^(a|a)*(a*)*(a?){20}a{20}b$", text::kExtended), RegexError::kNone);
  const std::string as(20000, 'a');
  EXPECT_FALSE(re->matches(as.c_str()));
  EXPECT_TRUE(re->matches((as + "b").c_str()));
  ASSERT_EQ(re->compile("(x+x+)+y", text::kExtended), RegexError::kNone);
  EXPECT_FALSE(re->matches(std::string(50000, 'x').c_str()));
  ASSERT_EQ(re->compile("(|a)*b", text::kExtended), RegexError::kNone);
  EXPECT_TRUE(re->matches("aaab"));
}

// The groups of the leftmost-longest match, as "whole|1|2|..." up to the last group (an
// unset one as "-"), or "none".
std::string groups(const char* pattern, const char* line, uint32_t flags = text::kExtended,
                   size_t start = 0) {
  static auto re = std::make_unique<text::Regex>();
  static auto scratch = std::make_unique<text::RegexScratch>();
  EXPECT_EQ(re->compile(pattern, flags | text::kSubmatches), RegexError::kNone) << pattern;
  const std::string text(line);
  size_t from = 0, to = 0;
  if (!re->search_from(text.c_str(), start, &from, &to)) return "none";
  text::RegexGroups g;
  if (!re->groups(text.c_str(), from, to, *scratch, &g)) return "no groups";
  std::string out = text.substr(from, to - from);
  const size_t n =
      re->group_count() < text::kRegexMaxGroups ? re->group_count() : text::kRegexMaxGroups;
  for (size_t i = 1; i <= n; ++i) {
    out += "|";
    out += g.from[i] == text::kRegexUnset ? "-" : text.substr(g.from[i], g.to[i] - g.from[i]);
  }
  return out;
}

TEST(RegexGroups, PositionsOfEachGroup) {
  EXPECT_EQ(groups("(a+)(b+)", "xaabbby"), "aabbb|aa|bbb");
  EXPECT_EQ(groups("\\(.*\\)=\\(.*\\)", "key=value", 0), "key=value|key|value");
  EXPECT_EQ(groups("(.*)x(.*)", "axbxc"), "axbxc|axb|c");
  EXPECT_EQ(groups("((a)|(b))+", "ab"), "ab|b|a|b");
  EXPECT_EQ(groups("(a)|(b)", "b"), "b|-|b");
  EXPECT_EQ(groups("(a*)(a*)", "aaa"), "aaa|aaa|");
  EXPECT_EQ(groups("(a*)*", "b"), "|-");  // the empty turn is not taken
  EXPECT_EQ(groups("([0-9]+)-([0-9]+)", "tel 555-1234."), "555-1234|555|1234");
  EXPECT_EQ(groups("x(y)?z", "xz"), "xz|-");
  EXPECT_EQ(groups("^(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)$", "abcdefghij"),
            "abcdefghij|a|b|c|d|e|f|g|h|i");
  EXPECT_EQ(groups("(HELLO) (w)", "say hello World", text::kExtended | text::kIgnoreCase),
            "hello W|hello|W");
  EXPECT_EQ(groups("\\<(o+)", "foo oops"), "oo|oo");
}

TEST(RegexGroups, TheWholeMatchIsLeftmostLongest) {
  // The span is POSIX's; the groups within it are the first way (in priority order) to
  // match exactly that span.
  EXPECT_EQ(groups("(a|ab)(c|bcd)", "abcd"), "abcd|a|bcd");
  EXPECT_EQ(groups("(a|ab)(bc|c)", "abc"), "abc|a|bc");
  EXPECT_EQ(groups("a|ab|abc", "xabcd"), "abc");
}

TEST(RegexGroups, SearchFromAPosition) {
  EXPECT_EQ(groups("(b)", "abab", text::kExtended, 2), "b|b");
  EXPECT_EQ(groups("^a", "aa", text::kExtended, 1), "none");
  EXPECT_EQ(groups("\\bb", "ab b", text::kExtended, 1), "b");
  EXPECT_EQ(groups("x*", "abc", text::kExtended, 3), "");
}

TEST(RegexGroups, CountedEvenPastTheRecordedOnes) {
  auto re = std::make_unique<text::Regex>();
  ASSERT_EQ(re->compile("((a)(b))(c)(d)(e)(f)(g)(h)(i)(j)", text::kExtended | text::kSubmatches),
            RegexError::kNone);
  EXPECT_EQ(re->group_count(), 11u);
  ASSERT_EQ(re->compile("a\\(b\\)", 0), RegexError::kNone);
  EXPECT_EQ(re->group_count(), 1u);
  ASSERT_EQ(re->compile("a(b)", 0), RegexError::kNone);
  EXPECT_EQ(re->group_count(), 0u);
}

TEST(RegexGroups, StayLinear) {
  auto re = std::make_unique<text::Regex>();
  auto scratch = std::make_unique<text::RegexScratch>();
  ASSERT_EQ(re->compile("^((a|a)*)((a*)*)((a?){20})a{20}$", text::kExtended | text::kSubmatches),
            RegexError::kNone);
  const std::string as(20000, 'a');
  size_t from, to;
  ASSERT_TRUE(re->search(as.c_str(), &from, &to));
  text::RegexGroups g;
  ASSERT_TRUE(re->groups(as.c_str(), from, to, *scratch, &g));
  EXPECT_EQ(g.to[1] - g.from[1], 20000u - 20);
  EXPECT_FALSE(re->groups(as.c_str(), 0, 10, *scratch, &g));
}

TEST(RegexGroups, WithoutSubmatchesTheProgramIsUnchanged) {
  auto re = std::make_unique<text::Regex>();
  ASSERT_EQ(re->compile("(a)(b)", text::kExtended), RegexError::kNone);
  const size_t plain = re->program_size();
  ASSERT_EQ(re->compile("(a)(b)", text::kExtended | text::kSubmatches), RegexError::kNone);
  EXPECT_EQ(re->program_size(), plain + 4);
}

TEST_F(Regex, BinaryBytes) {
  const std::string line(
      "a\0b\xff"
      "c",
      5);
  ASSERT_EQ(re->compile("b.c", 0), RegexError::kNone);
  EXPECT_TRUE(re->matches(lib::StringView(line.data(), line.size())));
  ASSERT_EQ(re->compile(lib::StringView("\0", 1), text::kLiteral), RegexError::kNone);
  EXPECT_TRUE(re->matches(lib::StringView(line.data(), line.size())));
  ASSERT_EQ(re->compile("[^[:print:]]", 0), RegexError::kNone);
  EXPECT_TRUE(re->matches(lib::StringView(line.data(), line.size())));
}

}  // namespace
