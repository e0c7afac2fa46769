#include <lib/record_queue.h>
#include <lib/token_bucket.h>

#include <gtest/gtest.h>

#include <string>

namespace {

using Queue = lib::RecordQueue<16>;

std::string drain(Queue& q, size_t chunk) {
  std::string out;
  char buf[16];
  while (size_t n = q.pop(buf, chunk)) out.append(buf, n);
  return out;
}

TEST(RecordQueue, RecordsComeOutWholeAndInOrder) {
  Queue q;
  EXPECT_TRUE(q.push("abc\n", 4));
  EXPECT_TRUE(q.push("defgh\n", 6));
  EXPECT_EQ(q.size(), 10u);
  EXPECT_EQ(drain(q, 3), "abc\ndefgh\n");
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.dropped(), 0u);
}

TEST(RecordQueue, AFullQueueDropsTheWholeRecordAndCountsIt) {
  Queue q;
  EXPECT_TRUE(q.push("0123456789", 10));
  EXPECT_FALSE(q.push("abcdefg", 7));  // one byte too many: none of it goes in
  EXPECT_EQ(q.dropped(), 1u);
  EXPECT_EQ(q.size(), 10u);
  EXPECT_TRUE(q.push("abcdef", 6));  // exactly the room left
  EXPECT_EQ(q.room(), 0u);
  EXPECT_FALSE(q.push("x", 1));
  EXPECT_EQ(q.dropped(), 2u);
  EXPECT_EQ(drain(q, 5), "0123456789abcdef");
}

TEST(RecordQueue, WrapsAroundItsEnd) {
  Queue q;
  for (int round = 0; round < 50; ++round) {
    const std::string record = "r" + std::to_string(round) + "...";
    ASSERT_TRUE(q.push(record.data(), record.size()));
    char buf[16];
    ASSERT_EQ(q.pop(buf, 2), 2u);  // leave part of it behind
    EXPECT_EQ(std::string(buf, 2), record.substr(0, 2));
    EXPECT_EQ(drain(q, 16), record.substr(2));
  }
  EXPECT_FALSE(q.push("0123456789abcdefg", 17));  // larger than the queue: never fits
}

TEST(TokenBucket, ABurstThenTheRate) {
  constexpr uint64_t kMs = 1'000'000;
  lib::TokenBucket bucket(5, 100);  // a token every 10 ms
  uint64_t now = 1000 * kMs;
  int taken = 0;
  for (int i = 0; i < 20; ++i) taken += bucket.take(now) ? 1 : 0;
  EXPECT_EQ(taken, 5);
  now += 9 * kMs;
  EXPECT_FALSE(bucket.take(now));
  now += 1 * kMs;
  EXPECT_TRUE(bucket.take(now));
  EXPECT_FALSE(bucket.take(now));
  now += 35 * kMs;  // three tokens and a half: the half carries on
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(now));
  EXPECT_FALSE(bucket.take(now));
  now += 5 * kMs;
  EXPECT_TRUE(bucket.take(now));
  now += uint64_t{3600} * 1000 * kMs;  // a long quiet time refills the burst, no more
  taken = 0;
  for (int i = 0; i < 20; ++i) taken += bucket.take(now) ? 1 : 0;
  EXPECT_EQ(taken, 5);
  EXPECT_FALSE(bucket.take(now - 100 * kMs));  // a clock going back earns nothing
}

}  // namespace
