#include <lib/slot_bitmap.h>

#include <gtest/gtest.h>

namespace {

TEST(SlotBitmap, TakesTheLowestFreeSlot) {
  lib::SlotBitmap<128> slots;
  for (size_t i = 0; i < 70; ++i) {
    auto s = slots.take();
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s.value(), i);
  }
  slots.give(3);
  slots.give(65);
  EXPECT_FALSE(slots.taken(3));
  EXPECT_EQ(slots.take().value(), 3u);
  EXPECT_EQ(slots.take().value(), 65u);
  EXPECT_EQ(slots.take().value(), 70u);
}

TEST(SlotBitmap, FullIsAnErrorAndGivingBackMakesRoom) {
  lib::SlotBitmap<64> slots;
  for (size_t i = 0; i < 64; ++i) ASSERT_TRUE(slots.take().ok());
  auto full = slots.take();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), lib::Error::NoResources);
  slots.give(63);
  EXPECT_EQ(slots.take().value(), 63u);
}

TEST(SlotBitmap, GivingAnOutOfRangeSlotChangesNothing) {
  lib::SlotBitmap<64> slots;
  slots.give(64);
  slots.give(1000);
  EXPECT_FALSE(slots.taken(64));
  EXPECT_EQ(slots.take().value(), 0u);
}

}  // namespace
