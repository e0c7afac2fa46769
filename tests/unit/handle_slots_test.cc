#include <lib/handle_slots.h>

#include <gtest/gtest.h>

#include <set>
#include <vector>

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

TEST(HandleSlots, ReservedSlotNamesNothingUntilFilled) {
  Slots s;
  const uint32_t h = s.reserve().value();
  EXPECT_NE(h, 0u);
  EXPECT_EQ(s.count(), 1u);
  EXPECT_EQ(s.lookup(h).error(), Error::BadHandle);
  EXPECT_EQ(s.remove(h).error(), Error::BadHandle);
  ASSERT_TRUE(s.fill(h, &objects[3], 0x7).ok());
  auto e = s.lookup(h);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value().object, &objects[3]);
  EXPECT_EQ(e.value().rights, 0x7u);
  EXPECT_EQ(s.count(), 1u);
  // Filled once: it is an ordinary handle now, no longer a reservation.
  EXPECT_EQ(s.fill(h, &objects[4], 1).error(), Error::BadHandle);
  EXPECT_EQ(s.cancel(h).error(), Error::BadHandle);
  EXPECT_EQ(s.lookup(h).value().object, &objects[3]);
}

TEST(HandleSlots, ReservationsTakeRoomAndCancelGivesItBack) {
  Slots s;
  uint32_t r[8];
  for (auto& h : r) h = s.reserve().value();
  EXPECT_EQ(s.reserve().error(), Error::NoResources);
  EXPECT_EQ(s.insert(&objects[0], 1).error(), Error::NoResources);
  ASSERT_TRUE(s.cancel(r[5]).ok());
  EXPECT_EQ(s.count(), 7u);
  EXPECT_EQ(s.cancel(r[5]).error(), Error::BadHandle);
  EXPECT_EQ(s.fill(r[5], &objects[0], 1).error(), Error::BadHandle);
  // The slot comes back under a new generation: the cancelled value stays dead.
  const uint32_t again = s.insert(&objects[1], 1).value();
  EXPECT_NE(again, r[5]);
  EXPECT_EQ(s.lookup(r[5]).error(), Error::BadHandle);
}

TEST(HandleSlots, FillRefusesWhatIsNotAReservation) {
  Slots s;
  const uint32_t used = s.insert(&objects[0], 1).value();
  const uint32_t r = s.reserve().value();
  EXPECT_EQ(s.fill(used, &objects[1], 1).error(), Error::BadHandle);
  EXPECT_EQ(s.fill(r, nullptr, 1).error(), Error::InvalidArgument);
  for (uint32_t bad : {0u, 9u, 0xfffu, r + (1u << 12)})
    EXPECT_EQ(s.fill(bad, &objects[1], 1).error(), Error::BadHandle) << bad;
  EXPECT_EQ(s.lookup(used).value().object, &objects[0]);
  EXPECT_TRUE(s.cancel(r).ok());
}

TEST(HandleSlots, DrainLeavesReservationsToTheirSyscall) {
  Slots s;
  (void)s.insert(&objects[0], 1).value();
  const uint32_t r = s.reserve().value();
  size_t drained = 0;
  s.drain([&](const Slots::Entry&) { ++drained; });
  EXPECT_EQ(drained, 1u);
  EXPECT_EQ(s.count(), 1u);
  ASSERT_TRUE(s.fill(r, &objects[2], 1).ok());
  EXPECT_EQ(s.lookup(r).value().object, &objects[2]);
}

TEST(HandleSlots, DetachKeepsTheHandleForItsReturn) {
  Slots s;
  const uint32_t h = s.insert(&objects[0], 3).value();
  const auto taken = s.detach(h).value();
  EXPECT_EQ(taken.object, &objects[0]);
  EXPECT_EQ(taken.rights, 3u);
  EXPECT_EQ(s.lookup(h).error(), Error::BadHandle);  // in flight: names nothing
  EXPECT_EQ(s.count(), 1u);                          // but its slot is held
  ASSERT_TRUE(s.fill(h, taken.object, taken.rights).ok());
  EXPECT_EQ(s.lookup(h).value().object, &objects[0]);  // back under the same handle
  (void)s.detach(h).value();
  ASSERT_TRUE(s.cancel(h).ok());  // moved for good: the handle is dead
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.lookup(h).error(), Error::BadHandle);
  EXPECT_EQ(s.detach(h).error(), Error::BadHandle);
}

// A table that starts with 4 slots and doubles up to 32, its steps from the host heap.
using Growing = lib::HandleSlots<32, 4>;

struct Chunks {
  std::vector<std::vector<Growing::Slot>> held;
  void grow(Growing& s) {
    held.emplace_back(s.growth());
    s.grow(held.back().data());
  }
};

TEST(HandleSlots, StartsSmallAndDoublesToTheLimit) {
  Growing s;
  Chunks chunks;
  std::vector<uint32_t> handles;
  EXPECT_EQ(s.capacity(), 4u);
  EXPECT_EQ(Growing::limit(), 32u);
  for (size_t expected : {4u, 8u, 16u, 32u}) {
    while (!s.full()) handles.push_back(s.insert(&objects[handles.size() % 16], 1).value());
    EXPECT_EQ(s.count(), expected);
    EXPECT_EQ(s.capacity(), expected);
    // Full for now: nothing more until it grows.
    EXPECT_EQ(s.reserve().error(), Error::NoResources);
    if (expected < 32) {
      EXPECT_EQ(s.growth(), expected);
      chunks.grow(s);
      EXPECT_EQ(s.capacity(), 2 * expected);
    }
  }
  // At the limit: no step is left.
  EXPECT_EQ(s.growth(), 0u);
  EXPECT_EQ(s.insert(&objects[0], 1).error(), Error::NoResources);
  // Every handle made on the way still names its object, each its own slot.
  EXPECT_EQ(std::set<uint32_t>(handles.begin(), handles.end()).size(), 32u);
  for (size_t i = 0; i < handles.size(); ++i)
    EXPECT_EQ(s.lookup(handles[i]).value().object, &objects[i % 16]) << i;
}

TEST(HandleSlots, SlotsPastTheCapacityNameNothing) {
  Growing s;
  Chunks chunks;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(s.insert(&objects[i], 1).ok());
  // Slot 5 (index 4) is not there yet: its handle value is refused, not read.
  for (uint32_t v : {5u, 8u, 32u, 33u}) EXPECT_EQ(s.lookup(v).error(), Error::BadHandle) << v;
  chunks.grow(s);
  const uint32_t fifth = s.insert(&objects[4], 2).value();
  EXPECT_EQ(fifth & 0xfffu, 5u);
  EXPECT_EQ(s.lookup(fifth).value().rights, 2u);
  EXPECT_EQ(s.lookup(9).error(), Error::BadHandle);
}

TEST(HandleSlots, GrownSlotsReserveDetachAndDrainLikeTheFirst) {
  Growing s;
  Chunks chunks;
  std::vector<uint32_t> handles;
  while (s.capacity() < 32) {
    while (!s.full()) handles.push_back(s.insert(&objects[handles.size() % 16], 1).value());
    chunks.grow(s);
  }
  ASSERT_EQ(handles.size(), 16u);
  // Free one in the first step and one in the last: the next reservations find them.
  ASSERT_TRUE(s.remove(handles[2]).ok());
  ASSERT_TRUE(s.remove(handles[12]).ok());
  while (!s.full()) handles.push_back(s.reserve().value());
  EXPECT_EQ(s.count(), 32u);
  const uint32_t last = handles.back();
  EXPECT_EQ(s.lookup(last).error(), Error::BadHandle);  // reserved: names nothing yet
  ASSERT_TRUE(s.fill(last, &objects[7], 3).ok());
  const auto detached = s.detach(last).value();
  EXPECT_EQ(detached.object, &objects[7]);
  ASSERT_TRUE(s.fill(last, detached.object, detached.rights).ok());
  size_t drained = 0;
  s.drain([&](const Growing::Entry&) { ++drained; });
  EXPECT_EQ(drained, 15u);    // 16 made, 2 removed, the last one filled
  EXPECT_EQ(s.count(), 17u);  // the other 17 reservations stay
}

TEST(HandleSlots, TakeChunksGivesEveryStepBack) {
  Growing s;
  Chunks chunks;
  while (s.growth()) {
    while (!s.full()) ASSERT_TRUE(s.reserve().ok());
    chunks.grow(s);
  }
  std::vector<std::pair<Growing::Slot*, size_t>> taken;
  s.take_chunks([&](Growing::Slot* chunk, size_t slots) { taken.emplace_back(chunk, slots); });
  ASSERT_EQ(taken.size(), 3u);
  std::set<Growing::Slot*> given;
  size_t slots = 0;
  for (auto& c : chunks.held) given.insert(c.data());
  for (auto& [chunk, n] : taken) {
    EXPECT_EQ(given.count(chunk), 1u);
    slots += n;
  }
  EXPECT_EQ(slots, 4u + 8u + 16u);
  EXPECT_EQ(s.capacity(), 4u);
  EXPECT_EQ(s.count(), 0u);
}

}  // namespace
