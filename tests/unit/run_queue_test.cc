#include <lib/run_queue.h>

#include <gtest/gtest.h>

#include <vector>

namespace {

struct Thread {
  int id = 0;
  lib::ListNode node;
};

using Queue = lib::RunQueue<Thread, &Thread::node>;

std::vector<int> drain(Queue& q) {
  std::vector<int> out;
  while (Thread* t = q.pop_highest()) out.push_back(t->id);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  return out;
}

TEST(RunQueue, StartsEmpty) {
  Queue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.pop_highest(), nullptr);
}

TEST(RunQueue, HighestPriorityFirst) {
  Thread t[6];
  const unsigned levels[] = {3, 0, 31, 7, 16, 1};
  Queue q;
  for (int i = 0; i < 6; ++i) {
    t[i].id = static_cast<int>(levels[i]);
    q.push_back(&t[i], levels[i]);
  }
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(q.size(), 6u);
  EXPECT_EQ(q.highest(), 31u);
  EXPECT_EQ(drain(q), (std::vector<int>{31, 16, 7, 3, 1, 0}));
}

TEST(RunQueue, HighestFollowsPopsAndRemoves) {
  Thread a, b, c;
  Queue q;
  q.push_back(&a, 0);
  EXPECT_EQ(q.highest(), 0u);  // the idle level counts
  q.push_back(&b, 5);
  q.push_back(&c, 9);
  EXPECT_EQ(q.highest(), 9u);
  q.remove(&c, 9);
  EXPECT_EQ(q.highest(), 5u);
  EXPECT_EQ(q.pop_highest(), &b);
  EXPECT_EQ(q.highest(), 0u);
  EXPECT_EQ(q.pop_highest(), &a);
  EXPECT_TRUE(q.empty());
}

TEST(RunQueue, FifoWithinALevel) {
  Thread t[4];
  Queue q;
  for (int i = 0; i < 4; ++i) {
    t[i].id = i;
    q.push_back(&t[i], 10);
  }
  EXPECT_EQ(drain(q), (std::vector<int>{0, 1, 2, 3}));
}

TEST(RunQueue, RoundRobinByRequeueingAtTheBack) {
  Thread t[3];
  Queue q;
  for (int i = 0; i < 3; ++i) {
    t[i].id = i;
    q.push_back(&t[i], 4);
  }
  Thread low;
  low.id = 99;
  q.push_back(&low, 2);
  std::vector<int> ran;
  for (int slice = 0; slice < 7; ++slice) {
    Thread* cur = q.pop_highest();
    ASSERT_NE(cur, nullptr);
    ran.push_back(cur->id);
    q.push_back(cur, 4);  // preempted: back of its level
  }
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(q.size(), 4u);
}

TEST(RunQueue, PushFrontRunsNext) {
  Thread a, b, c;
  a.id = 1;
  b.id = 2;
  c.id = 3;
  Queue q;
  q.push_back(&a, 8);
  q.push_back(&b, 8);
  q.push_front(&c, 8);  // e.g. a thread that was preempted before using its slice
  EXPECT_EQ(drain(q), (std::vector<int>{3, 1, 2}));
  q.push_front(&a, 3);  // push_front on an empty level marks it non-empty
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(q.highest(), 3u);
  EXPECT_EQ(q.pop_highest(), &a);
}

TEST(RunQueue, RemoveKeepsOtherLevelsAndOrder) {
  Thread t[5];
  Queue q;
  for (int i = 0; i < 5; ++i) t[i].id = i;
  q.push_back(&t[0], 6);
  q.push_back(&t[1], 6);
  q.push_back(&t[2], 6);
  q.push_back(&t[3], 20);
  q.push_back(&t[4], 1);
  q.remove(&t[1], 6);
  EXPECT_FALSE(t[1].node.linked());
  EXPECT_EQ(q.size(), 4u);
  q.remove(&t[3], 20);  // empties level 20
  EXPECT_EQ(q.highest(), 6u);
  EXPECT_EQ(drain(q), (std::vector<int>{0, 2, 4}));
}

TEST(RunQueue, SizeCountsAllLevels) {
  Thread t[32];
  Queue q;
  for (unsigned i = 0; i < 32; ++i) {
    t[i].id = static_cast<int>(i);
    q.push_back(&t[i], i);
    EXPECT_EQ(q.size(), i + 1);
    EXPECT_EQ(q.highest(), i);
  }
  std::vector<int> expected;
  for (int i = 31; i >= 0; --i) expected.push_back(i);
  EXPECT_EQ(drain(q), expected);
}

}  // namespace
