#include <lib/virtio.h>

#include <gtest/gtest.h>

#include "fake_pci.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace {

using lib::Error;
using lib::virtio::Buffer;
using lib::virtio::Completion;
using lib::virtio::feature;
using lib::virtio::Queue;
using lib::virtio::QueueMemory;
namespace virtio = lib::virtio;

// Physical addresses in these tests are virtual ones plus this offset, so a mix-up between
// the two shows up at once (the device would touch the wrong memory under ASan).
constexpr uint64_t kPhysOffset = 0x100000000000;
uint64_t phys_of(const void* p) { return reinterpret_cast<uintptr_t>(p) + kPhysOffset; }
template <typename T = uint8_t>
T* virt_of(uint64_t phys) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(phys - kPhysOffset));
}

// Two pages standing for pages of a DMA folio.
struct Pages {
  alignas(4096) uint8_t descriptors[4096];
  alignas(4096) uint8_t rings[4096];
  QueueMemory memory() { return {descriptors, phys_of(descriptors), rings, phys_of(rings)}; }
};

// A simulated virtio device: registers behind the Transport interface, and a device side that
// reads the rings from the physical addresses the driver gave it, as hardware would.
class SimDevice final : public virtio::Transport {
 public:
  struct SimQueue {
    uint16_t max = 0, size = 0;
    uint64_t desc = 0, driver = 0, device = 0;
    bool enabled = false;
    uint16_t last_avail = 0, used_idx = 0;
    uint32_t notifications = 0;
  };
  struct Chain {
    uint16_t head;
    std::vector<Buffer> buffers;
  };

  uint64_t offered = feature(virtio::kFeatureVersion1);
  uint64_t accepted = 0;
  bool refuse_features = false;
  std::vector<uint8_t> status_writes;
  SimQueue queues[2];
  uint8_t config[16] = {};
  uint32_t generation = 0;
  int generation_bumps = 0;  // config reads that change the generation
  uint32_t isr = 0;

  uint8_t status() override { return status_; }
  void set_status(uint8_t status) override {
    status_writes.push_back(status);
    if (refuse_features) status &= ~virtio::kStatusFeaturesOk;
    status_ = status;
    if (status == 0) reset();
  }
  uint32_t device_features(uint32_t half) override {
    return half < 2 ? static_cast<uint32_t>(offered >> (32 * half)) : 0;
  }
  void set_driver_features(uint32_t half, uint32_t bits) override {
    if (half > 1) return;
    accepted &= ~(uint64_t{0xffffffff} << (32 * half));
    accepted |= uint64_t{bits} << (32 * half);
  }
  void select_queue(uint16_t queue) override { selected_ = queue; }
  uint16_t queue_size_max() override { return selected_ < 2 ? queues[selected_].max : 0; }
  void set_queue_size(uint16_t size) override { queues[selected_].size = size; }
  void set_queue_rings(uint64_t desc, uint64_t driver, uint64_t device) override {
    queues[selected_].desc = desc;
    queues[selected_].driver = driver;
    queues[selected_].device = device;
  }
  lib::Result<void> enable_queue() override {
    queues[selected_].enabled = true;
    return {};
  }
  bool queue_enabled() override { return selected_ < 2 && queues[selected_].enabled; }
  void notify(uint16_t queue) override { ++queues[queue].notifications; }
  uint32_t read_config(uint32_t offset, unsigned width) override {
    if (generation_bumps > 0) {
      --generation_bumps;
      ++generation;
    }
    uint32_t value = 0;
    std::memcpy(&value, config + offset, width);
    return value;
  }
  uint32_t config_generation() override { return generation; }
  uint32_t interrupt_status() override {
    const uint32_t s = isr;
    isr = 0;
    return s;
  }

  // --- the device side of queue q ---
  uint16_t* avail(int q) { return virt_of<uint16_t>(queues[q].driver); }
  uint16_t* used(int q) { return virt_of<uint16_t>(queues[q].device); }
  uint16_t avail_idx(int q) { return avail(q)[1]; }
  uint16_t avail_flags(int q) { return avail(q)[0]; }
  uint16_t used_event(int q) { return avail(q)[2 + queues[q].size]; }
  void set_used_flags(int q, uint16_t flags) { used(q)[0] = flags; }
  void set_avail_event(int q, uint16_t idx) { used(q)[2 + 4 * queues[q].size] = idx; }

  // Takes the next available chain, walking the descriptors (at most size of them).
  bool pop(int q, Chain& out) {
    SimQueue& sq = queues[q];
    if (sq.last_avail == avail_idx(q)) return false;
    out.head = avail(q)[2 + (sq.last_avail++ % sq.size)];
    out.buffers.clear();
    auto* table = virt_of<uint8_t>(sq.desc);
    uint16_t at = out.head;
    for (int k = 0; k < sq.size; ++k) {
      uint64_t addr;
      uint32_t len;
      uint16_t flags, next;
      const uint8_t* d = table + size_t{16} * at;
      std::memcpy(&addr, d, 8);
      std::memcpy(&len, d + 8, 4);
      std::memcpy(&flags, d + 12, 2);
      std::memcpy(&next, d + 14, 2);
      out.buffers.push_back(Buffer{addr, len, (flags & 2) != 0});
      if (!(flags & 1) || next >= sq.size) break;
      at = next;
    }
    return true;
  }
  // Writes a used entry (whatever the test says, true or not) and publishes it.
  void push_used(int q, uint32_t id, uint32_t len) {
    SimQueue& sq = queues[q];
    auto* entry = reinterpret_cast<uint32_t*>(used(q) + 2) + size_t{2} * (sq.used_idx % sq.size);
    entry[0] = id;
    entry[1] = len;
    used(q)[1] = ++sq.used_idx;
  }
  void set_used_idx(int q, uint16_t idx) { used(q)[1] = queues[q].used_idx = idx; }

 private:
  void reset() {
    accepted = 0;
    for (SimQueue& q : queues) q = SimQueue{q.max};
  }
  uint8_t status_ = 0;
  uint16_t selected_ = 0;
};

// Negotiates and sets queue 0 up with `size` entries.
struct Fixture {
  explicit Fixture(uint16_t size, bool event_idx = false) {
    device.queues[0].max = size;
    if (event_idx) device.offered |= feature(virtio::kFeatureEventIdx);
    auto features = virtio::initialize(
        device, event_idx ? feature(virtio::kFeatureEventIdx) : 0, [&](uint64_t f) {
          return virtio::setup_queue(device, 0, queue, pages->memory(), 256,
                                     (f & feature(virtio::kFeatureEventIdx)) != 0)
                         .ok()
                     ? lib::Result<void>()
                     : lib::Result<void>(Error::InvalidArgument);
        });
    EXPECT_TRUE(features.ok());
  }
  SimDevice device;
  std::unique_ptr<Pages> pages = std::make_unique<Pages>();
  Queue queue;
};

TEST(Virtio, InitializationNegotiatesFeaturesAndSetsQueuesUp) {
  SimDevice device;
  device.offered = feature(virtio::kFeatureVersion1) | feature(virtio::kFeatureEventIdx) |
                   feature(5) | feature(40);
  device.queues[0].max = 1024;
  auto pages = std::make_unique<Pages>();
  Queue queue;
  uint64_t seen = 0;
  auto features = virtio::initialize(device, feature(5) | feature(7), [&](uint64_t f) {
    seen = f;
    EXPECT_EQ(device.status(),
              virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk);
    auto size = virtio::setup_queue(device, 0, queue, pages->memory(), 512, false);
    EXPECT_TRUE(size.ok());
    EXPECT_EQ(size.value(), 256);  // min(max 1024, wanted 512, kMaxSize)
    return lib::Result<void>();
  });
  ASSERT_TRUE(features.ok());
  const uint64_t want = feature(virtio::kFeatureVersion1) | feature(5);
  EXPECT_EQ(features.value(), want);
  EXPECT_EQ(seen, want);
  EXPECT_EQ(device.accepted, want);
  const std::vector<uint8_t> sequence = {0, 1, 3, 11, 15};
  EXPECT_EQ(device.status_writes, sequence);
  EXPECT_TRUE(device.queues[0].enabled);
  EXPECT_EQ(device.queues[0].size, 256);
  EXPECT_EQ(device.queues[0].desc, phys_of(pages->descriptors));
  EXPECT_EQ(device.queues[0].driver, phys_of(pages->rings));
  EXPECT_EQ(device.queues[0].device, phys_of(pages->rings) + Queue::used_offset(256));
  EXPECT_EQ(device.queues[0].device % 4, 0u);
  EXPECT_LE(Queue::ring_bytes(256), 4096u);
  EXPECT_EQ(Queue::descriptor_bytes(256), 4096u);
}

TEST(Virtio, RefusedFeaturesSetFailed) {
  SimDevice device;
  device.refuse_features = true;
  bool called = false;
  auto features = virtio::initialize(device, 0, [&](uint64_t) {
    called = true;
    return lib::Result<void>();
  });
  ASSERT_FALSE(features.ok());
  EXPECT_EQ(features.error(), Error::AccessDenied);
  EXPECT_FALSE(called);
  EXPECT_TRUE(device.status() & virtio::kStatusFailed);
  EXPECT_FALSE(device.status() & virtio::kStatusDriverOk);
}

TEST(Virtio, LegacyDevicesAndFailedSetupSetFailed) {
  SimDevice legacy;
  legacy.offered = feature(5);  // no VERSION_1
  auto features = virtio::negotiate(legacy, feature(5));
  EXPECT_EQ(features.error(), Error::NotSupported);
  EXPECT_TRUE(legacy.status() & virtio::kStatusFailed);

  SimDevice device;
  auto result =
      virtio::initialize(device, 0, [](uint64_t) { return lib::Result<void>(Error::NotFound); });
  EXPECT_EQ(result.error(), Error::NotFound);
  EXPECT_TRUE(device.status() & virtio::kStatusFailed);
  EXPECT_FALSE(device.status() & virtio::kStatusDriverOk);

  // A queue the device does not have, and one enabled twice.
  Queue queue;
  auto pages = std::make_unique<Pages>();
  EXPECT_EQ(virtio::setup_queue(device, 1, queue, pages->memory(), 8, false).error(),
            Error::NotFound);
  device.queues[0].max = 8;
  EXPECT_TRUE(virtio::setup_queue(device, 0, queue, pages->memory(), 8, false).ok());
  EXPECT_EQ(virtio::setup_queue(device, 0, queue, pages->memory(), 8, false).error(), Error::Busy);
}

TEST(Virtio, QueueSizeIsAPowerOfTwoAndMemoryIsChecked) {
  SimDevice device;
  device.queues[0].max = 100;  // not a power of two: the largest below is used
  auto pages = std::make_unique<Pages>();
  Queue queue;
  auto size = virtio::setup_queue(device, 0, queue, pages->memory(), 256, false);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size.value(), 64);
  QueueMemory bad = pages->memory();
  bad.descriptors_phys += 8;
  EXPECT_EQ(queue.init(bad, 8, false).error(), Error::InvalidArgument);
  EXPECT_EQ(queue.init(pages->memory(), 12, false).error(), Error::InvalidArgument);
  EXPECT_EQ(queue.init(pages->memory(), 512, false).error(), Error::InvalidArgument);

  // Initializing again (after a device reset) forgets everything in flight.
  uint8_t buffer[4];
  const Buffer one[] = {{phys_of(buffer), 4, true}};
  ASSERT_TRUE(queue.init(pages->memory(), 4, false).ok());
  ASSERT_TRUE(queue.submit(one, 1).ok());
  ASSERT_TRUE(queue.submit(one, 1).ok());
  ASSERT_TRUE(queue.init(pages->memory(), 8, false).ok());
  EXPECT_EQ(queue.free_descriptors(), 8);
  EXPECT_EQ(queue.in_flight(), 0);
  EXPECT_TRUE(queue.consistent());
  EXPECT_EQ(pages->rings[2], 0);  // the available index, cleared
}

TEST(Virtio, ChainsCompleteOutOfOrder) {
  Fixture f(16);
  Queue& q = f.queue;
  uint8_t request[3][16], reply[3][64];
  uint16_t heads[3];
  for (int i = 0; i < 3; ++i) {
    std::memset(request[i], 'a' + i, sizeof request[i]);
    const Buffer chain[] = {{phys_of(request[i]), 16, false}, {phys_of(reply[i]), 64, true}};
    auto head = q.submit(chain, 2);
    ASSERT_TRUE(head.ok());
    heads[i] = head.value();
  }
  EXPECT_EQ(q.free_descriptors(), 16 - 6);
  EXPECT_EQ(q.in_flight(), 3);
  EXPECT_TRUE(q.notify_needed());
  f.device.notify(0);

  // The device takes all three, answers the last first, then the first, then the second.
  SimDevice::Chain chains[3];
  for (auto& c : chains) ASSERT_TRUE(f.device.pop(0, c));
  SimDevice::Chain extra;
  EXPECT_FALSE(f.device.pop(0, extra));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(chains[i].head, heads[i]);
    ASSERT_EQ(chains[i].buffers.size(), 2u);
    EXPECT_FALSE(chains[i].buffers[0].device_writes);
    EXPECT_TRUE(chains[i].buffers[1].device_writes);
    EXPECT_EQ(virt_of(chains[i].buffers[0].phys)[0], 'a' + i);
  }
  for (int i : {2, 0, 1}) {
    std::memset(virt_of(chains[i].buffers[1].phys), 'A' + i, 10);
    f.device.push_used(0, chains[i].head, 10);
  }
  Completion c;
  for (int i : {2, 0, 1}) {
    ASSERT_TRUE(q.poll_used(c));
    EXPECT_EQ(c.head, heads[i]);
    EXPECT_EQ(c.length, 10u);
    EXPECT_EQ(reply[i][9], 'A' + i);
  }
  EXPECT_FALSE(q.poll_used(c));
  EXPECT_EQ(q.free_descriptors(), 16);
  EXPECT_EQ(q.in_flight(), 0);
  EXPECT_EQ(q.dropped(), 0u);
  EXPECT_TRUE(q.consistent());
}

TEST(Virtio, FullQueueAndBadChainsAreRefused) {
  Fixture f(8);
  Queue& q = f.queue;
  uint8_t buffer[8];
  const Buffer one[] = {{phys_of(buffer), 8, true}};
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(q.submit(one, 1).ok());
  EXPECT_EQ(q.submit(one, 1).error(), Error::NoResources);
  SimDevice::Chain c;
  ASSERT_TRUE(f.device.pop(0, c));
  ASSERT_TRUE(f.device.pop(0, c));
  f.device.push_used(0, c.head, 8);
  Completion done;
  ASSERT_TRUE(q.poll_used(done));
  const Buffer three[] = {
      {phys_of(buffer), 1, false}, {phys_of(buffer), 1, false}, {phys_of(buffer), 1, true}};
  EXPECT_EQ(q.submit(three, 3).error(), Error::NoResources);  // one free
  EXPECT_TRUE(q.submit(one, 1).ok());
  EXPECT_EQ(q.submit(one, 0).error(), Error::InvalidArgument);
  const Buffer backwards[] = {{phys_of(buffer), 1, true}, {phys_of(buffer), 1, false}};
  EXPECT_EQ(q.submit(backwards, 2).error(), Error::InvalidArgument);
  EXPECT_TRUE(q.consistent());
}

TEST(Virtio, NotificationSuppression) {
  Fixture f(8);
  Queue& q = f.queue;
  uint8_t buffer[8];
  const Buffer one[] = {{phys_of(buffer), 8, true}};
  EXPECT_FALSE(q.notify_needed());  // nothing submitted
  ASSERT_TRUE(q.submit(one, 1).ok());
  EXPECT_TRUE(q.notify_needed());
  EXPECT_FALSE(q.notify_needed());  // nothing new since
  f.device.set_used_flags(0, 1);    // VIRTQ_USED_F_NO_NOTIFY: the device is polling
  ASSERT_TRUE(q.submit(one, 1).ok());
  EXPECT_FALSE(q.notify_needed());
  f.device.set_used_flags(0, 0);
  ASSERT_TRUE(q.submit(one, 1).ok());
  EXPECT_TRUE(q.notify_needed());
}

TEST(Virtio, NotificationSuppressionWithEventIdx) {
  Fixture f(8, true);
  Queue& q = f.queue;
  uint8_t buffer[8];
  const Buffer one[] = {{phys_of(buffer), 8, true}};
  // The device wants a kick when the available index moves past 2 (to 3).
  f.device.set_avail_event(0, 2);
  ASSERT_TRUE(q.submit(one, 1).ok());  // idx 1
  EXPECT_FALSE(q.notify_needed());
  ASSERT_TRUE(q.submit(one, 1).ok());  // idx 2
  EXPECT_FALSE(q.notify_needed());
  ASSERT_TRUE(q.submit(one, 1).ok());  // idx 3: crosses avail_event + 1
  EXPECT_TRUE(q.notify_needed());
  // A batch that jumps past the event is still noticed.
  f.device.set_avail_event(0, 4);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.submit(one, 1).ok());  // idx 6
  EXPECT_TRUE(q.notify_needed());
}

TEST(Virtio, InterruptReenableRace) {
  Fixture f(8);
  Queue& q = f.queue;
  uint8_t buffer[8];
  const Buffer one[] = {{phys_of(buffer), 8, true}};
  ASSERT_TRUE(q.submit(one, 1).ok());
  ASSERT_TRUE(q.submit(one, 1).ok());
  q.disable_interrupts();
  EXPECT_EQ(f.device.avail_flags(0), 1);  // VIRTQ_AVAIL_F_NO_INTERRUPT
  // Nothing arrived: re-enabling is safe to sleep on.
  EXPECT_FALSE(q.enable_interrupts());
  EXPECT_EQ(f.device.avail_flags(0), 0);
  // The device finishes one while interrupts are off (it sees the flag, does not interrupt).
  q.disable_interrupts();
  SimDevice::Chain c;
  ASSERT_TRUE(f.device.pop(0, c));
  f.device.push_used(0, c.head, 4);
  EXPECT_TRUE(q.enable_interrupts());  // the caller must poll again
  Completion done;
  ASSERT_TRUE(q.poll_used(done));
  EXPECT_EQ(done.head, c.head);
  EXPECT_FALSE(q.enable_interrupts());
}

TEST(Virtio, InterruptSuppressionWithEventIdx) {
  Fixture f(8, true);
  Queue& q = f.queue;
  uint8_t buffer[8];
  const Buffer one[] = {{phys_of(buffer), 8, true}};
  ASSERT_TRUE(q.submit(one, 1).ok());
  ASSERT_TRUE(q.submit(one, 1).ok());
  q.disable_interrupts();
  EXPECT_EQ(f.device.avail_flags(0), 0);  // with EVENT_IDX flags stay 0
  EXPECT_EQ(f.device.used_event(0), 0xffff);
  SimDevice::Chain c;
  ASSERT_TRUE(f.device.pop(0, c));
  f.device.push_used(0, c.head, 1);
  EXPECT_TRUE(q.enable_interrupts());
  EXPECT_EQ(f.device.used_event(0), 0);  // interrupt at the next entry after those taken
  Completion done;
  ASSERT_TRUE(q.poll_used(done));
  EXPECT_EQ(f.device.used_event(0), 1);
  EXPECT_FALSE(q.enable_interrupts());
}

TEST(Virtio, MaliciousUsedEntriesAreDroppedAndCounted) {
  Fixture f(8);
  Queue& q = f.queue;
  uint8_t buffer[64];
  const Buffer chain[] = {{phys_of(buffer), 16, false}, {phys_of(buffer), 32, true}};
  auto a = q.submit(chain, 2);
  auto b = q.submit(chain, 2);
  ASSERT_TRUE(a.ok() && b.ok());
  SimDevice::Chain ca, cb;
  ASSERT_TRUE(f.device.pop(0, ca));
  ASSERT_TRUE(f.device.pop(0, cb));
  const uint16_t second_of_a = static_cast<uint16_t>((a.value() + 1) % 8);  // not a head
  f.device.push_used(0, 8, 0);                                              // id out of range
  f.device.push_used(0, 0xffffffff, 0);                                     // far out of range
  f.device.push_used(0, 6, 0);                                              // a free descriptor
  f.device.push_used(0, second_of_a, 0);  // inside a chain, not its head
  f.device.push_used(0, a.value(), 33);   // more than the 32 writable bytes
  f.device.push_used(0, b.value(), 0x80000000);
  f.device.push_used(0, a.value(), 32);  // the one true entry
  f.device.push_used(0, a.value(), 1);   // a again: no longer in flight
  Completion c;
  ASSERT_TRUE(q.poll_used(c));
  EXPECT_EQ(c.head, a.value());
  EXPECT_EQ(c.length, 32u);
  EXPECT_FALSE(q.poll_used(c));
  EXPECT_EQ(q.dropped(), 7u);
  EXPECT_EQ(q.in_flight(), 1);  // b: the device may still own it
  EXPECT_EQ(q.free_descriptors(), 6);
  EXPECT_TRUE(q.consistent());
  EXPECT_FALSE(q.broken());

  // Scribbling on the descriptor table does not change how chains are freed.
  std::memset(f.pages->descriptors, 0xff, sizeof f.pages->descriptors);
  f.device.push_used(0, b.value(), 5);
  ASSERT_TRUE(q.poll_used(c));
  EXPECT_EQ(c.head, b.value());
  EXPECT_EQ(q.free_descriptors(), 8);
  EXPECT_TRUE(q.consistent());

  // A used index that runs ahead of anything possible breaks the queue.
  f.device.set_used_idx(0, static_cast<uint16_t>(f.device.queues[0].used_idx + 9));
  EXPECT_FALSE(q.poll_used(c));
  EXPECT_TRUE(q.broken());
  EXPECT_EQ(q.submit(chain, 2).error(), Error::NotSupported);
  EXPECT_TRUE(q.consistent());
}

TEST(Virtio, RandomUsedRingsNeverCorruptTheQueue) {
  std::mt19937 rng(11);
  uint8_t buffer[256];
  for (int round = 0; round < 200; ++round) {
    Fixture f(static_cast<uint16_t>(1u << (rng() % 9)));
    Queue& q = f.queue;
    for (int step = 0; step < 64; ++step) {
      switch (rng() % 4) {
        case 0: {
          Buffer chain[4];
          const size_t n = 1 + rng() % 4;
          for (size_t k = 0; k < n; ++k)
            chain[k] = {phys_of(buffer), static_cast<uint32_t>(rng() % 256), k + 1 == n};
          (void)q.submit(chain, n);
          break;
        }
        case 1:  // garbage in one used entry, then publish it
          f.device.push_used(0, rng() % 2 ? rng() % (size_t{2} * q.size()) : rng(), rng() % 512);
          break;
        case 2: {  // garbage all over the used ring, index included
          auto* used = reinterpret_cast<uint8_t*>(f.device.used(0));
          const size_t bytes = 6 + 8 * size_t{q.size()};
          for (int k = 0; k < 8; ++k) used[rng() % bytes] = static_cast<uint8_t>(rng());
          f.device.queues[0].used_idx = f.device.used(0)[1];
          break;
        }
        default: {
          Completion c;
          while (q.poll_used(c)) EXPECT_LT(c.head, q.size());
          break;
        }
      }
      ASSERT_TRUE(q.consistent());
      ASSERT_LE(q.in_flight() + q.free_descriptors(), q.size());
    }
  }
}

TEST(Virtio, ConfigReadsRetryWhileTheGenerationChanges) {
  SimDevice device;
  const uint32_t mac_low = 0x56341200;
  std::memcpy(device.config, &mac_low, 4);
  device.config[8] = 0x77;
  device.generation_bumps = 1;  // the first read races with a change
  auto value = virtio::read_config(device, 0, 4);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value.value(), mac_low);
  EXPECT_EQ(device.generation, 1u);
  auto wide = virtio::read_config(device, 8, 8);
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(wide.value(), 0x77u);
  device.generation_bumps = 1000;
  EXPECT_EQ(virtio::read_config(device, 0, 4).error(), Error::Busy);
  EXPECT_EQ(virtio::read_config(device, 2, 4).error(), Error::InvalidArgument);
  EXPECT_EQ(virtio::read_config(device, 0, 3).error(), Error::InvalidArgument);
}

// --- virtio-mmio ---

struct MmioBlock {
  uint32_t regs[0x140 / 4] = {};
  uint32_t& at(uint32_t offset) { return regs[offset / 4]; }
  MmioBlock() {
    at(0x000) = 0x74726976;
    at(0x004) = 2;
    at(0x008) = 4;  // entropy
    at(0x00c) = 0x554d4551;
  }
};

TEST(Virtio, MmioRegisterMap) {
  MmioBlock block;
  auto created = virtio::MmioTransport::create(block.regs, sizeof block.regs);
  ASSERT_TRUE(created.ok());
  virtio::MmioTransport& t = created.value();
  EXPECT_EQ(t.device_id(), 4u);
  EXPECT_EQ(t.vendor_id(), 0x554d4551u);

  block.at(0x010) = 0xabcd;
  EXPECT_EQ(t.device_features(1), 0xabcdu);
  EXPECT_EQ(block.at(0x014), 1u);  // DeviceFeaturesSel
  t.set_driver_features(1, 0x1234);
  EXPECT_EQ(block.at(0x024), 1u);  // DriverFeaturesSel
  EXPECT_EQ(block.at(0x020), 0x1234u);

  t.select_queue(3);
  EXPECT_EQ(block.at(0x030), 3u);  // QueueSel
  block.at(0x034) = 128;           // QueueNumMax
  EXPECT_EQ(t.queue_size_max(), 128);
  t.set_queue_size(64);
  EXPECT_EQ(block.at(0x038), 64u);  // QueueNum
  t.set_queue_rings(0x1122334455667788, 0x99aabbccddeeff00, 0x0102030405060708);
  EXPECT_EQ(block.at(0x080), 0x55667788u);
  EXPECT_EQ(block.at(0x084), 0x11223344u);
  EXPECT_EQ(block.at(0x090), 0xddeeff00u);
  EXPECT_EQ(block.at(0x094), 0x99aabbccu);
  EXPECT_EQ(block.at(0x0a0), 0x05060708u);
  EXPECT_EQ(block.at(0x0a4), 0x01020304u);
  EXPECT_FALSE(t.queue_enabled());
  EXPECT_TRUE(t.enable_queue().ok());
  EXPECT_EQ(block.at(0x044), 1u);  // QueueReady
  EXPECT_TRUE(t.queue_enabled());
  t.notify(3);
  EXPECT_EQ(block.at(0x050), 3u);  // QueueNotify

  block.at(0x060) = 3;  // InterruptStatus: used buffer and config change
  EXPECT_EQ(t.interrupt_status(), 3u);
  EXPECT_EQ(block.at(0x064), 3u);  // InterruptACK
  t.set_status(virtio::kStatusAcknowledge);
  EXPECT_EQ(block.at(0x070), 1u);  // Status
  EXPECT_EQ(t.status(), 1);
  block.at(0x0fc) = 9;
  EXPECT_EQ(t.config_generation(), 9u);
  block.at(0x100) = 0x44332211;
  block.at(0x104) = 0x88776655;
  EXPECT_EQ(t.read_config(0, 4), 0x44332211u);
  EXPECT_EQ(t.read_config(1, 1), 0x22u);
  EXPECT_EQ(t.read_config(6, 2), 0x8877u);
  EXPECT_EQ(t.read_config(3, 2), 0u);     // misaligned
  EXPECT_EQ(t.read_config(0x40, 4), 0u);  // past the mapped block

  // The initialization sequence over the registers (they hold what was written last).
  block.at(0x010) = 1;  // both halves read 1: VERSION_1 and feature 0
  auto features = virtio::negotiate(t, feature(0));
  ASSERT_TRUE(features.ok());
  EXPECT_EQ(features.value(), feature(0) | feature(virtio::kFeatureVersion1));
  EXPECT_EQ(block.at(0x070), 11u);
}

TEST(Virtio, MmioRefusesLegacyAndEmptySlots) {
  MmioBlock legacy;
  legacy.at(0x004) = 1;
  EXPECT_EQ(virtio::MmioTransport::create(legacy.regs, sizeof legacy.regs).error(),
            Error::NotSupported);
  MmioBlock empty;
  empty.at(0x008) = 0;
  EXPECT_EQ(virtio::MmioTransport::create(empty.regs, sizeof empty.regs).error(), Error::NotFound);
  MmioBlock garbage;
  garbage.at(0x000) = 0x12345678;
  EXPECT_EQ(virtio::MmioTransport::create(garbage.regs, sizeof garbage.regs).error(),
            Error::NotFound);
  EXPECT_EQ(virtio::MmioTransport::create(garbage.regs, 0x40).error(), Error::InvalidArgument);
}

// --- virtio-pci ---

// A virtio capability as QEMU lays it out: at `at`, pointing to `next`.
void virtio_cap(unit::FakePciConfig::Fake& f, uint8_t at, uint8_t next, uint8_t type, uint8_t bar,
                uint32_t offset, uint32_t length, uint8_t cap_len = 16, uint32_t multiplier = 0) {
  unit::FakePciConfig::capability(f, at, lib::pci::kCapabilityVendor, next);
  f.regs[at / 4] |= uint32_t{cap_len} << 16 | uint32_t{type} << 24;
  f.regs[at / 4 + 1] = bar;
  f.regs[at / 4 + 2] = offset;
  f.regs[at / 4 + 3] = length;
  if (cap_len >= 20) f.regs[at / 4 + 4] = multiplier;
}

TEST(Virtio, ParsesPciCapabilities) {
  unit::FakePciConfig config;
  const lib::pci::Address a{0, 4, 0};
  auto& f = config.add(a, 0x1af4, 0x1044, 0x00ff0001, 0);
  f.regs[0x34 / 4] = 0x40;
  virtio_cap(f, 0x40, 0x50, virtio::pci::kCommonCfg, 7, 0, 0x1000);  // reserved BAR: skipped
  unit::FakePciConfig::capability(f, 0x50, lib::pci::kCapabilityMsiX, 0x60);
  virtio_cap(f, 0x60, 0x70, virtio::pci::kCommonCfg, 4, 0x0000, 0x1000);
  virtio_cap(f, 0x70, 0x80, virtio::pci::kIsrCfg, 4, 0x1000, 0x1000);
  virtio_cap(f, 0x80, 0x90, virtio::pci::kDeviceCfg, 4, 0x2000, 0x1000);
  virtio_cap(f, 0x90, 0xa8, virtio::pci::kNotifyCfg, 4, 0x3000, 0x1000, 20, 4);
  virtio_cap(f, 0xa8, 0xbc, virtio::pci::kPciCfg, 0, 0, 0, 20);
  virtio_cap(f, 0xbc, 0x00, virtio::pci::kCommonCfg, 2, 0, 0x100);  // a second one: first wins
  auto caps = virtio::parse_pci_capabilities(config, a);
  ASSERT_TRUE(caps.ok());
  const virtio::PciCapabilities& c = caps.value();
  EXPECT_EQ(c.common.bar, 4);
  EXPECT_EQ(c.common.offset, 0u);
  EXPECT_EQ(c.common.length, 0x1000u);
  EXPECT_EQ(c.isr.offset, 0x1000u);
  EXPECT_EQ(c.device.offset, 0x2000u);
  EXPECT_EQ(c.notify.offset, 0x3000u);
  EXPECT_EQ(c.notify_off_multiplier, 4u);

  // Without an ISR capability the device cannot be driven.
  f.regs[0x70 / 4] = (f.regs[0x70 / 4] & 0x00ffffff) | uint32_t{0x42} << 24;  // unknown type
  EXPECT_EQ(virtio::parse_pci_capabilities(config, a).error(), Error::NotFound);
  // A notify capability too short for its multiplier does not count either.
  f.regs[0x70 / 4] = (f.regs[0x70 / 4] & 0x00ffffff) | uint32_t{virtio::pci::kIsrCfg} << 24;
  f.regs[0x90 / 4] = (f.regs[0x90 / 4] & 0xff00ffff) | uint32_t{16} << 16;
  EXPECT_EQ(virtio::parse_pci_capabilities(config, a).error(), Error::NotFound);
}

TEST(Virtio, PciTransportReachesItsStructures) {
  std::vector<uint8_t> bar(0x4000);
  volatile uint8_t* bars[6] = {nullptr, nullptr, nullptr, nullptr, bar.data(), nullptr};
  const uint64_t sizes[6] = {0, 0, 0, 0, bar.size(), 0};
  virtio::PciCapabilities caps;
  caps.common = {4, 0x0000, 0x38};
  caps.isr = {4, 0x1000, 4};
  caps.device = {4, 0x2000, 8};
  caps.notify = {4, 0x3000, 0x100};
  caps.notify_off_multiplier = 4;
  auto created = virtio::PciTransport::create(caps, bars, sizes);
  ASSERT_TRUE(created.ok());
  virtio::PciTransport& t = created.value();
  auto u16 = [&](size_t at) { return static_cast<uint16_t>(bar[at] | bar[at + 1] << 8); };
  auto u32 = [&](size_t at) { return u16(at) | uint32_t{u16(at + 2)} << 16; };

  bar[18] = 3;  // num_queues
  EXPECT_EQ(t.num_queues(), 3);
  t.set_status(virtio::kStatusDriver);
  EXPECT_EQ(bar[20], virtio::kStatusDriver);  // device_status
  bar[4] = 0x01;                              // device_feature
  EXPECT_EQ(t.device_features(1), 1u);
  EXPECT_EQ(u32(0), 1u);  // device_feature_select
  t.set_driver_features(1, 0x21);
  EXPECT_EQ(u32(8), 1u);  // driver_feature_select
  EXPECT_EQ(u32(12), 0x21u);

  t.select_queue(2);
  EXPECT_EQ(u16(22), 2);  // queue_select
  bar[24] = 0;
  bar[25] = 1;  // queue_size 256
  EXPECT_EQ(t.queue_size_max(), 256);
  t.set_queue_size(128);
  EXPECT_EQ(u16(24), 128);
  t.set_queue_rings(0x1000000020000, 0x30000, 0x40000);
  EXPECT_EQ(u32(32), 0x20000u);
  EXPECT_EQ(u32(36), 0x10000u);
  EXPECT_EQ(u32(40), 0x30000u);
  EXPECT_EQ(u32(48), 0x40000u);
  bar[30] = 5;  // queue_notify_off
  ASSERT_TRUE(t.enable_queue().ok());
  EXPECT_EQ(u16(28), 1);  // queue_enable
  bar[30] = 0;            // changing it later does not move the doorbell
  t.notify(2);
  EXPECT_EQ(u16(0x3000 + 5 * 4), 2);  // notify base + queue_notify_off * multiplier

  t.select_queue(1);
  bar[30] = 0x40;  // 0x40 * 4 + 2 > 0x100: outside the notify structure
  EXPECT_EQ(t.enable_queue().error(), Error::OutOfRange);

  bar[0x1000] = 1;
  EXPECT_EQ(t.interrupt_status(), 1u);
  bar[21] = 7;
  EXPECT_EQ(t.config_generation(), 7u);
  bar[0x2004] = 0xaa;
  EXPECT_EQ(t.read_config(4, 1), 0xaau);
  EXPECT_EQ(t.read_config(8, 1), 0u);  // past the device structure

  caps.isr = {4, 0x3ffe, 4};  // runs past the BAR
  EXPECT_EQ(virtio::PciTransport::create(caps, bars, sizes).error(), Error::OutOfRange);
  caps.isr = {2, 0, 4};  // BAR 2 not mapped
  EXPECT_EQ(virtio::PciTransport::create(caps, bars, sizes).error(), Error::NotFound);
  caps.isr = {4, 0x1000, 4};
  caps.common.length = 0x20;  // too short for the common layout
  EXPECT_EQ(virtio::PciTransport::create(caps, bars, sizes).error(), Error::OutOfRange);
}

}  // namespace
