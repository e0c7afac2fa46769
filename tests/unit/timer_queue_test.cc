#include <lib/timer_queue.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using lib::TimerEntry;
using lib::TimerQueue;

struct Timer {
  int id = 0;
  TimerEntry entry;
};

Timer* owner(TimerEntry* e) {
  return reinterpret_cast<Timer*>(reinterpret_cast<char*>(e) - offsetof(Timer, entry));
}

// Pops everything due at now, in firing order.
std::vector<int> fire(TimerQueue& q, uint64_t now) {
  std::vector<int> out;
  while (TimerEntry* e = q.pop_expired(now)) {
    EXPECT_FALSE(e->armed());
    EXPECT_LE(e->deadline, now);
    out.push_back(owner(e)->id);
  }
  return out;
}

TEST(TimerQueue, StartsEmpty) {
  TimerQueue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.pop_expired(UINT64_MAX), nullptr);
}

TEST(TimerQueue, FiresInDeadlineOrder) {
  Timer t[5];
  const uint64_t deadlines[] = {50, 10, 40, 20, 30};
  TimerQueue q;
  for (int i = 0; i < 5; ++i) {
    t[i].id = static_cast<int>(deadlines[i]);
    t[i].entry.deadline = deadlines[i];
    EXPECT_FALSE(t[i].entry.armed());
    q.insert(&t[i].entry);
    EXPECT_TRUE(t[i].entry.armed());
  }
  EXPECT_EQ(q.size(), 5u);
  EXPECT_EQ(q.next_deadline(), 10u);
  EXPECT_EQ(fire(q, 1000), (std::vector<int>{10, 20, 30, 40, 50}));
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueue, EqualDeadlinesFireInArmOrder) {
  Timer t[6];
  TimerQueue q;
  const uint64_t deadlines[] = {7, 7, 3, 7, 3, 9};
  for (int i = 0; i < 6; ++i) {
    t[i].id = i;
    t[i].entry.deadline = deadlines[i];
    q.insert(&t[i].entry);
  }
  EXPECT_EQ(fire(q, 100), (std::vector<int>{2, 4, 0, 1, 3, 5}));
}

TEST(TimerQueue, PopExpiredBoundaries) {
  Timer a, b;
  a.id = 1;
  a.entry.deadline = 100;
  b.id = 2;
  b.entry.deadline = 101;
  TimerQueue q;
  q.insert(&b.entry);
  q.insert(&a.entry);
  EXPECT_EQ(q.pop_expired(0), nullptr);
  EXPECT_EQ(q.pop_expired(99), nullptr);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(fire(q, 100), (std::vector<int>{1}));  // deadline == now fires
  EXPECT_EQ(q.next_deadline(), 101u);
  EXPECT_EQ(q.pop_expired(100), nullptr);
  EXPECT_EQ(fire(q, 101), (std::vector<int>{2}));
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueue, ExtremeDeadlines) {
  Timer zero, never;
  zero.id = 0;
  zero.entry.deadline = 0;
  never.id = 1;
  never.entry.deadline = UINT64_MAX;
  TimerQueue q;
  q.insert(&never.entry);
  q.insert(&zero.entry);
  EXPECT_EQ(q.next_deadline(), 0u);
  EXPECT_EQ(fire(q, 0), (std::vector<int>{0}));
  EXPECT_EQ(q.pop_expired(UINT64_MAX - 1), nullptr);
  EXPECT_EQ(fire(q, UINT64_MAX), (std::vector<int>{1}));
}

TEST(TimerQueue, RemoveArmedAndUnarmed) {
  Timer t[4];
  TimerQueue q;
  for (int i = 0; i < 4; ++i) {
    t[i].id = i;
    t[i].entry.deadline = uint64_t{10} * (i + 1);
  }
  for (int i = 0; i < 3; ++i) q.insert(&t[i].entry);

  q.remove(&t[3].entry);  // never armed: a no-op
  EXPECT_EQ(q.size(), 3u);
  EXPECT_FALSE(t[3].entry.armed());

  q.remove(&t[1].entry);  // middle
  EXPECT_FALSE(t[1].entry.armed());
  EXPECT_EQ(q.size(), 2u);
  q.remove(&t[1].entry);  // again: a no-op
  EXPECT_EQ(q.size(), 2u);

  q.remove(&t[0].entry);  // the earliest
  EXPECT_EQ(q.next_deadline(), 30u);
  EXPECT_EQ(fire(q, 1000), (std::vector<int>{2}));

  // A fired timer is unarmed; removing it changes nothing, and it can be re-armed.
  q.remove(&t[2].entry);
  EXPECT_TRUE(q.empty());
  t[2].entry.deadline = 5;
  q.insert(&t[2].entry);
  q.insert(&t[3].entry);
  EXPECT_EQ(q.next_deadline(), 5u);
  EXPECT_EQ(fire(q, 1000), (std::vector<int>{2, 3}));
}

TEST(TimerQueue, NextDeadlineTracksInsertions) {
  Timer t[3];
  TimerQueue q;
  t[0].entry.deadline = 500;
  q.insert(&t[0].entry);
  EXPECT_EQ(q.next_deadline(), 500u);
  t[1].entry.deadline = 700;
  q.insert(&t[1].entry);
  EXPECT_EQ(q.next_deadline(), 500u);
  t[2].entry.deadline = 200;
  q.insert(&t[2].entry);
  EXPECT_EQ(q.next_deadline(), 200u);
  q.remove(&t[2].entry);
  EXPECT_EQ(q.next_deadline(), 500u);
}

}  // namespace
