#include <lib/log_ring.h>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

namespace {

using lib::LogLevel;
using lib::LogRecord;
using lib::LogRing;

uint64_t append(LogRing<4>& ring, const std::string& text, LogLevel level = LogLevel::Info,
                uint64_t time = 0) {
  return ring.append(level, time, text.data(), text.size());
}

TEST(LogRing, StartsEmpty) {
  LogRing<4> ring;
  EXPECT_EQ(ring.first_seq(), 0u);
  EXPECT_EQ(ring.next_seq(), 0u);
  EXPECT_EQ(ring.get(0), nullptr);
}

TEST(LogRing, SequenceNumbersAndFields) {
  LogRing<4> ring;
  EXPECT_EQ(append(ring, "boot", LogLevel::Info, 100), 0u);
  EXPECT_EQ(append(ring, "warned", LogLevel::Warn, 200), 1u);
  EXPECT_EQ(append(ring, "", LogLevel::Debug, 300), 2u);
  EXPECT_EQ(ring.next_seq(), 3u);
  EXPECT_EQ(ring.first_seq(), 0u);

  const LogRecord* r = ring.get(1);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->seq, 1u);
  EXPECT_EQ(r->time_ns, 200u);
  EXPECT_EQ(r->level, LogLevel::Warn);
  EXPECT_EQ(r->length, 6u);
  EXPECT_STREQ(r->text, "warned");

  const LogRecord* empty = ring.get(2);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->length, 0u);
  EXPECT_STREQ(empty->text, "");
  EXPECT_EQ(ring.get(3), nullptr);  // not written yet
}

TEST(LogRing, CopiesOnlyLengthBytes) {
  LogRing<4> ring;
  ring.append(LogLevel::Error, 1, "abcdef", 3);
  ASSERT_NE(ring.get(0), nullptr);
  EXPECT_STREQ(ring.get(0)->text, "abc");
  EXPECT_EQ(ring.get(0)->length, 3u);
}

TEST(LogRing, WrapDropsTheOldest) {
  LogRing<4> ring;
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(append(ring, "msg " + std::to_string(i)), static_cast<uint64_t>(i));
  EXPECT_EQ(ring.next_seq(), 10u);
  EXPECT_EQ(ring.first_seq(), 6u);
  for (uint64_t s = 0; s < 6; ++s) EXPECT_EQ(ring.get(s), nullptr) << s;  // gone
  for (uint64_t s = 6; s < 10; ++s) {
    const LogRecord* r = ring.get(s);
    ASSERT_NE(r, nullptr) << s;
    EXPECT_EQ(r->seq, s);
    EXPECT_EQ(std::string(r->text), "msg " + std::to_string(s));
  }
  EXPECT_EQ(ring.get(10), nullptr);  // future
  EXPECT_EQ(ring.get(UINT64_MAX), nullptr);
}

TEST(LogRing, ExactlyFullKeepsEverything) {
  LogRing<4> ring;
  for (int i = 0; i < 4; ++i) append(ring, std::to_string(i));
  EXPECT_EQ(ring.first_seq(), 0u);
  ASSERT_NE(ring.get(0), nullptr);
  EXPECT_STREQ(ring.get(0)->text, "0");
  append(ring, "4");
  EXPECT_EQ(ring.first_seq(), 1u);
  EXPECT_EQ(ring.get(0), nullptr);
  ASSERT_NE(ring.get(4), nullptr);
  EXPECT_STREQ(ring.get(4)->text, "4");
}

TEST(LogRing, LongTextIsTruncated) {
  LogRing<4> ring;
  constexpr size_t kMax = LogRecord::kMaxText - 1;
  std::string text;
  for (size_t i = 0; i < 300; ++i) text.push_back(static_cast<char>('a' + i % 26));

  const uint64_t s = append(ring, text);
  const LogRecord* r = ring.get(s);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->length, kMax);
  EXPECT_EQ(r->text[kMax], '\0');
  EXPECT_EQ(std::string(r->text), text.substr(0, kMax));

  // Boundaries: kMax fits exactly, kMax + 1 loses one byte.
  const LogRecord* fits = ring.get(append(ring, text.substr(0, kMax)));
  EXPECT_EQ(fits->length, kMax);
  EXPECT_EQ(std::string(fits->text), text.substr(0, kMax));
  const LogRecord* over = ring.get(append(ring, text.substr(0, kMax + 1)));
  EXPECT_EQ(over->length, kMax);
  EXPECT_EQ(std::string(over->text), text.substr(0, kMax));
}

TEST(LogRing, ShortTextAfterLongTextIsTerminated) {
  LogRing<1> ring;
  const std::string long_text(200, 'x');
  ring.append(LogLevel::Info, 0, long_text.data(), long_text.size());
  ring.append(LogLevel::Info, 0, "hi", 2);  // reuses the same slot
  ASSERT_NE(ring.get(1), nullptr);
  EXPECT_STREQ(ring.get(1)->text, "hi");
  EXPECT_EQ(ring.get(0), nullptr);
  EXPECT_EQ(ring.first_seq(), 1u);
}

TEST(LogRing, LargeRingWraps) {
  auto ring = std::make_unique<LogRing<256>>();
  for (int i = 0; i < 1000; ++i) ring->append(LogLevel::Debug, static_cast<uint64_t>(i), "x", 1);
  EXPECT_EQ(ring->first_seq(), 1000u - 256);
  EXPECT_EQ(ring->get(743), nullptr);
  ASSERT_NE(ring->get(744), nullptr);
  EXPECT_EQ(ring->get(744)->time_ns, 744u);
  EXPECT_EQ(ring->get(999)->time_ns, 999u);
}

TEST(LogRing, LevelNames) {
  EXPECT_STREQ(lib::log_level_name(LogLevel::Debug), "debug");
  EXPECT_STREQ(lib::log_level_name(LogLevel::Info), "info");
  EXPECT_STREQ(lib::log_level_name(LogLevel::Warn), "warn");
  EXPECT_STREQ(lib::log_level_name(LogLevel::Error), "error");
  EXPECT_STREQ(lib::log_level_name(static_cast<LogLevel>(4)), "?");  // one past the last
}

}  // namespace
