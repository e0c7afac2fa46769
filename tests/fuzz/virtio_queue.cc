// The split virtqueue (lib/src/virtio.cc) against a hostile device: the input is a script of
// what the driver submits and what the "device" writes into the used ring and the
// descriptor table (any id, any length, any index, even a used index far ahead). The queue
// must never take a chain twice, free a descriptor it does not own or report more bytes
// than the chain could hold, and its books must always balance (consistent()).
#include <lib/virtio.h>

#include <cstring>

#include "tests/fuzz/script.h"

namespace {

using fuzz::check;
using fuzz::Script;

constexpr uint16_t kSize = 16;
alignas(4096) uint8_t descriptors[lib::virtio::Queue::descriptor_bytes(kSize)];
alignas(4096) uint8_t rings[lib::virtio::Queue::ring_bytes(kSize)];

// The device's side: the used ring, as the device would write it.
void write_used(Script& s) {
  uint8_t* used = rings + lib::virtio::Queue::used_offset(kSize);
  const size_t slot = s.byte() % kSize;
  const uint32_t id = s.byte() % 2 ? s.byte() % kSize : s.u32();
  const uint32_t length = s.byte() % 2 ? s.byte() : s.u32();
  std::memcpy(used + 4 + 8 * slot, &id, 4);
  std::memcpy(used + 8 + 8 * slot, &length, 4);
}

void bump_used_index(Script& s) {
  uint8_t* used = rings + lib::virtio::Queue::used_offset(kSize);
  uint16_t index;
  std::memcpy(&index, used + 2, 2);
  index = static_cast<uint16_t>(index + (s.byte() % 4 == 0 ? s.u16() : s.byte() % 3));
  std::memcpy(used + 2, &index, 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Script s(data, size);
  const bool event_idx = s.byte() % 2;
  lib::virtio::Queue queue;
  const lib::virtio::QueueMemory memory{descriptors, 0x100000, rings, 0x200000};
  check(queue.init(memory, kSize, event_idx).ok());
  uint32_t writable[kSize] = {};  // what each chain in flight may be written with
  while (!s.done()) {
    switch (s.byte() % 6) {
      case 0: {  // the driver submits a chain
        lib::virtio::Buffer buffers[4];
        const size_t count = s.byte() % 4 + 1;
        const size_t readable = s.byte() % (count + 1);
        uint32_t room = 0;
        for (size_t i = 0; i < count; ++i) {
          buffers[i] = {0x300000 + 0x1000 * i, s.byte() + 1u, i >= readable};
          if (i >= readable) room += buffers[i].len;
        }
        auto head = queue.submit(buffers, count);
        if (head.ok()) writable[head.value()] = room;
        (void)queue.notify_needed();
        break;
      }
      case 1: write_used(s); break;
      case 2: bump_used_index(s); break;
      case 3: {  // the device scribbles on the descriptor table
        const size_t at = s.byte() % sizeof(descriptors);
        descriptors[at] = s.byte();
        break;
      }
      case 4: {
        lib::virtio::Completion done;
        for (int i = 0; i < kSize + 2 && queue.poll_used(done); ++i) {
          check(done.head < kSize && done.length <= writable[done.head]);
        }
        break;
      }
      default:
        if (s.byte() % 2) {
          queue.disable_interrupts();
        } else {
          (void)queue.enable_interrupts();
        }
        break;
    }
    check(queue.consistent());
    check(queue.free_descriptors() <= kSize && queue.in_flight() <= kSize);
  }
  return 0;
}
