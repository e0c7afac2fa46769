#include <lib/handle_slots.h>

#include <gtest/gtest.h>

#include <set>

namespace {

using lib::Error;
using Slots = lib::HandleSlots<8>;

int objects[16];

TEST(HandleSlots, InsertLookupRemove) {
  Slots s;
  auto h = s.insert(&objects[0], 0x5);
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h.value(), 0u);
  auto e = s.lookup(h.value());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value().object, &objects[0]);
  EXPECT_EQ(e.value().rights, 0x5u);
  EXPECT_EQ(s.count(), 1u);
  auto removed = s.remove(h.value());
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed.value().object, &objects[0]);
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.lookup(h.value()).error(), Error::BadHandle);
  EXPECT_EQ(s.remove(h.value()).error(), Error::BadHandle);
}

TEST(HandleSlots, StaleHandleRefusedAfterSlotReuse) {
  Slots s;
  std::set<uint32_t> seen;
  uint32_t first = s.insert(&objects[0], 1).value();
  ASSERT_TRUE(s.remove(first).ok());
  // Fill every slot: one of them reuses the first one's slot with a new generation.
  for (int i = 0; i < 8; ++i) seen.insert(s.insert(&objects[i], 1).value());
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen.count(first), 0u);
  EXPECT_EQ(s.lookup(first).error(), Error::BadHandle);
}

TEST(HandleSlots, FullTableAndBadValues) {
  Slots s;
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(s.insert(&objects[i], 1).ok());
  EXPECT_EQ(s.insert(&objects[9], 1).error(), Error::NoResources);
  EXPECT_EQ(s.insert(nullptr, 1).error(), Error::InvalidArgument);
  for (uint32_t bad : {0u, 9u, 0xfffu, 0xffffffffu, 1u << 12})
    EXPECT_EQ(s.lookup(bad).error(), Error::BadHandle) << bad;
}

TEST(HandleSlots, DrainVisitsEveryEntryOnce) {
  Slots s;
  uint32_t h[5];
  for (int i = 0; i < 5; ++i) h[i] = s.insert(&objects[i], static_cast<uint32_t>(i)).value();
  ASSERT_TRUE(s.remove(h[2]).ok());
  std::set<void*> drained;
  s.drain([&](const Slots::Entry& e) { drained.insert(e.object); });
  EXPECT_EQ(drained.size(), 4u);
  EXPECT_EQ(drained.count(&objects[2]), 0u);
  EXPECT_EQ(s.count(), 0u);
  for (uint32_t v : h) EXPECT_FALSE(s.lookup(v).ok());
}

}  // namespace
