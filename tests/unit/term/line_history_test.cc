#include <lib/line_history.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

std::string sv(lib::StringView v) { return std::string(v.data(), v.size()); }

// 70 KiB: on the heap, not the test's stack.
std::unique_ptr<lib::LineHistory> make() { return std::make_unique<lib::LineHistory>(); }

TEST(LineHistory, AddsAndSkips) {
  auto h = make();
  EXPECT_TRUE(h->add("ls"));
  EXPECT_FALSE(h->add("ls"));  // the same as the newest
  EXPECT_FALSE(h->add(""));
  EXPECT_FALSE(h->add("   "));
  EXPECT_FALSE(h->add("a\nb"));
  EXPECT_FALSE(h->add("a\rb"));
  EXPECT_FALSE(h->add("tab\there"));
  EXPECT_TRUE(h->add("pwd"));
  EXPECT_TRUE(h->add("ls"));  // not consecutive any more
  EXPECT_TRUE(h->add(" h\xc3\xa9 "));
  ASSERT_EQ(h->size(), 4u);
  EXPECT_EQ(sv(h->entry(0)), "ls");
  EXPECT_EQ(sv(h->entry(1)), "pwd");
  EXPECT_EQ(sv(h->entry(3)), " h\xc3\xa9 ");
  EXPECT_EQ(sv(h->entry(4)), "");
  EXPECT_EQ(sv(h->serialized()), "ls\npwd\nls\n h\xc3\xa9 \n");
}

TEST(LineHistory, LengthLimit) {
  auto h = make();
  EXPECT_TRUE(h->add(std::string(lib::kLineMax, 'x').c_str()));
  EXPECT_FALSE(h->add(std::string(lib::kLineMax + 1, 'y').c_str()));
  EXPECT_EQ(h->size(), 1u);
}

TEST(LineHistory, KeepsTheNewestEntries) {
  auto h = make();
  for (int i = 0; i < 1200; ++i) {
    const std::string line = "cmd " + std::to_string(i);
    ASSERT_TRUE(h->add(line.c_str()));
  }
  ASSERT_EQ(h->size(), lib::LineHistory::kMaxEntries);
  EXPECT_EQ(sv(h->entry(0)), "cmd 700");
  EXPECT_EQ(sv(h->entry(499)), "cmd 1199");
}

TEST(LineHistory, KeepsTheNewestBytes) {
  auto h = make();
  // 40 lines of 4000 bytes: only what fits in kMaxBytes stays.
  for (int i = 0; i < 40; ++i) {
    std::string line(4000, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(h->add(line.c_str()));
  }
  const size_t fits = lib::LineHistory::kMaxBytes / 4001;
  ASSERT_EQ(h->size(), fits);
  EXPECT_EQ(h->entry(fits - 1)[0], 'a' + 39 % 26);
  EXPECT_LE(h->serialized().size(), lib::LineHistory::kMaxBytes);
  // A short line then goes in without dropping more than it must.
  EXPECT_TRUE(h->add("short"));
  EXPECT_EQ(h->size(), fits + 1);
  EXPECT_EQ(sv(h->entry(fits)), "short");
}

TEST(LineHistory, SerializeParseRoundTrip) {
  auto h = make();
  for (const char* line : {"echo one", "ls -l /", "cat f\xc3\xa9", "grep x"}) h->add(line);
  auto copy = make();
  copy->parse(h->serialized());
  EXPECT_EQ(sv(copy->serialized()), sv(h->serialized()));
  EXPECT_EQ(copy->size(), 4u);
}

TEST(LineHistory, ParseIsForgiving) {
  auto h = make();
  std::string file = "a\r\n\nb\nb\n   \n" + std::string(lib::kLineMax + 10, 'z') + "\nlast";
  h->parse(lib::StringView(file.data(), file.size()));
  EXPECT_EQ(sv(h->serialized()), "a\nb\nlast\n");
  // More than kMaxEntries lines: the newest stay.
  std::string many;
  for (int i = 0; i < 700; ++i) many += std::to_string(i) + "\n";
  h->clear();
  h->parse(lib::StringView(many.data(), many.size()));
  EXPECT_EQ(h->size(), 500u);
  EXPECT_EQ(sv(h->entry(0)), "200");
}

}  // namespace
