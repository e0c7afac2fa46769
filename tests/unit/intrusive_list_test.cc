#include <lib/intrusive_list.h>

#include <gtest/gtest.h>

#include <vector>

namespace {

using lib::IntrusiveList;
using lib::ListNode;

// Two nodes, neither at offset 0, so owner() has to get the offset right.
struct Item {
  int value = 0;
  ListNode a;
  long padding = 0;
  ListNode b;
};

using ListA = IntrusiveList<Item, &Item::a>;
using ListB = IntrusiveList<Item, &Item::b>;

template <typename List>
std::vector<int> values(List& list) {
  std::vector<int> out;
  for (Item* i = list.front(); i; i = list.next(i)) out.push_back(i->value);
  // The walk must agree with size().
  EXPECT_EQ(out.size(), list.size());
  return out;
}

// Walks backwards through the raw links, so prev pointers are checked as well.
std::vector<int> values_backwards(ListA& list) {
  std::vector<int> out;
  Item* first = list.front();
  if (!first) return out;
  ListNode* head = first->a.prev;
  for (ListNode* n = head->prev; n != head; n = n->prev) {
    Item* item = reinterpret_cast<Item*>(reinterpret_cast<char*>(n) - offsetof(Item, a));
    out.insert(out.begin(), item->value);
  }
  return out;
}

TEST(IntrusiveList, StartsEmpty) {
  ListA list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.size(), 0u);
  EXPECT_EQ(list.front(), nullptr);
  EXPECT_EQ(list.back(), nullptr);
  EXPECT_EQ(list.pop_front(), nullptr);
}

TEST(IntrusiveList, PushBackAndFrontKeepOrder) {
  Item items[4];
  for (int i = 0; i < 4; ++i) items[i].value = i;
  ListA list;
  list.push_back(&items[1]);
  list.push_back(&items[2]);
  list.push_front(&items[0]);
  list.push_back(&items[3]);
  EXPECT_FALSE(list.empty());
  EXPECT_EQ(list.size(), 4u);
  EXPECT_EQ(list.front(), &items[0]);
  EXPECT_EQ(list.back(), &items[3]);
  EXPECT_EQ(values(list), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(values_backwards(list), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(list.next(&items[3]), nullptr);
  for (auto& i : items) EXPECT_TRUE(i.a.linked());
  for (auto& i : items) EXPECT_FALSE(i.b.linked());
}

TEST(IntrusiveList, PopFrontDrainsInOrder) {
  Item items[3];
  ListA list;
  for (int i = 0; i < 3; ++i) {
    items[i].value = i;
    list.push_back(&items[i]);
  }
  for (int i = 0; i < 3; ++i) {
    Item* got = list.pop_front();
    ASSERT_EQ(got, &items[i]);
    EXPECT_FALSE(got->a.linked());
    EXPECT_EQ(list.size(), static_cast<size_t>(2 - i));
  }
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.pop_front(), nullptr);
}

TEST(IntrusiveList, RemoveHeadMiddleTail) {
  Item items[5];
  ListA list;
  for (int i = 0; i < 5; ++i) {
    items[i].value = i;
    list.push_back(&items[i]);
  }
  list.remove(&items[2]);
  EXPECT_FALSE(items[2].a.linked());
  EXPECT_EQ(values(list), (std::vector<int>{0, 1, 3, 4}));
  list.remove(&items[0]);
  EXPECT_EQ(values(list), (std::vector<int>{1, 3, 4}));
  list.remove(&items[4]);
  EXPECT_EQ(values(list), (std::vector<int>{1, 3}));
  EXPECT_EQ(values_backwards(list), (std::vector<int>{1, 3}));
  EXPECT_EQ(list.front(), &items[1]);
  EXPECT_EQ(list.back(), &items[3]);
  list.remove(&items[1]);
  list.remove(&items[3]);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.size(), 0u);
  // A removed item can go back on.
  list.push_back(&items[2]);
  EXPECT_EQ(values(list), (std::vector<int>{2}));
}

TEST(IntrusiveList, InsertBefore) {
  Item items[5];
  for (int i = 0; i < 5; ++i) items[i].value = i;
  ListA list;
  list.insert_before(nullptr, &items[2]);       // into an empty list
  list.insert_before(nullptr, &items[4]);       // nullptr appends
  list.insert_before(&items[4], &items[3]);     // in the middle
  list.insert_before(list.front(), &items[0]);  // at the front
  list.insert_before(&items[2], &items[1]);
  EXPECT_EQ(values(list), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(values_backwards(list), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(list.back(), &items[4]);
}

TEST(IntrusiveList, ForEachVisitsAllInOrder) {
  Item items[4];
  ListA list;
  for (int i = 0; i < 4; ++i) {
    items[i].value = i;
    list.push_back(&items[i]);
  }
  std::vector<int> seen;
  list.for_each([&](Item* i) { seen.push_back(i->value); });
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3}));
}

TEST(IntrusiveList, ForEachToleratesRemovingCurrent) {
  Item items[6];
  ListA list;
  for (int i = 0; i < 6; ++i) {
    items[i].value = i;
    list.push_back(&items[i]);
  }
  std::vector<int> seen;
  list.for_each([&](Item* i) {
    seen.push_back(i->value);
    if (i->value % 2 == 0) list.remove(i);
  });
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(values(list), (std::vector<int>{1, 3, 5}));

  list.for_each([&](Item* i) { list.remove(i); });
  EXPECT_TRUE(list.empty());
  for (auto& i : items) EXPECT_FALSE(i.a.linked());
}

TEST(IntrusiveList, ElementOnTwoListsThroughTwoNodes) {
  Item items[4];
  ListA a;
  ListB b;
  for (int i = 0; i < 4; ++i) {
    items[i].value = i;
    a.push_back(&items[i]);
    b.push_front(&items[i]);
  }
  EXPECT_EQ(values(a), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(values(b), (std::vector<int>{3, 2, 1, 0}));
  EXPECT_EQ(b.front(), &items[3]);  // owner() through the second node

  a.remove(&items[1]);
  EXPECT_FALSE(items[1].a.linked());
  EXPECT_TRUE(items[1].b.linked());
  EXPECT_EQ(values(a), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(values(b), (std::vector<int>{3, 2, 1, 0}));

  EXPECT_EQ(b.pop_front(), &items[3]);
  EXPECT_EQ(values(a), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(values(b), (std::vector<int>{2, 1, 0}));
}

}  // namespace
