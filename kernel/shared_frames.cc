#include "kernel/shared_frames.h"

#include "kernel/arch_hooks.h"
#include "kernel/heap.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"

namespace kernel {
namespace shared_frames {
namespace {

// Open addressing with linear probing; a removal shifts the run after it back, so there are
// no tombstones. The slots are kept at least twice the frames in them (runs stay short); they
// come from the heap at the first share and double as forks need them, up to twice
// kCapacity (512 KiB), and are kept once grown: a system that never forks pays nothing.
struct Entry {
  uintptr_t frame;  // 0: free (frame 0 is never a user page)
  uint32_t mappings;
};
constexpr size_t kFirstSlots = 256;
static_assert((2 * kCapacity & (2 * kCapacity - 1)) == 0, "slot counts are powers of two");
Spinlock lock;
Entry* slots GUARDED_BY(lock) = nullptr;
size_t slot_count GUARDED_BY(lock) = 0;  // a power of two, or 0 before the first share
size_t used GUARDED_BY(lock) = 0;

size_t home(uintptr_t frame, size_t count) {
  const auto bits = static_cast<unsigned>(__builtin_ctzll(count));
  return ((frame >> 12) * 0x9e3779b97f4a7c15u) >> (64 - bits);
}

size_t next(size_t i) REQUIRES(lock) { return (i + 1) & (slot_count - 1); }

Entry* find(uintptr_t frame) REQUIRES(lock) {
  if (slot_count == 0) return nullptr;
  for (size_t i = home(frame, slot_count); slots[i].frame; i = next(i))
    if (slots[i].frame == frame) return &slots[i];
  return nullptr;
}

void insert(uintptr_t frame, uint32_t mappings) REQUIRES(lock) {
  size_t i = home(frame, slot_count);
  while (slots[i].frame) i = next(i);
  slots[i] = {frame, mappings};
  ++used;
}

void remove(Entry* e) REQUIRES(lock) {
  size_t hole = static_cast<size_t>(e - slots);
  slots[hole] = {};
  --used;
  // Entries after the hole whose home is not strictly between hole and them move into it.
  for (size_t i = next(hole); slots[i].frame; i = next(i)) {
    const size_t h = home(slots[i].frame, slot_count);
    const bool stays = hole < i ? (hole < h && h <= i) : (hole < h || h <= i);
    if (stays) continue;
    slots[hole] = slots[i];
    slots[i] = {};
    hole = i;
  }
}

// Moves every entry into `bigger` (count slots, zeroed) if it is still bigger than the
// table, and returns what the caller frees: the old slots, or `bigger` when another fork
// grew the table first.
Entry* adopt(Entry* bigger, size_t count) REQUIRES(lock) {
  if (count <= slot_count) return bigger;
  Entry* old = slots;
  const size_t old_count = slot_count;
  slots = bigger;
  slot_count = count;
  used = 0;
  for (size_t i = 0; i < old_count; ++i)
    if (old[i].frame) insert(old[i].frame, old[i].mappings);
  return old;
}

// Makes room for one more frame, outside the lock (the heap may take its own). Errors:
// NoResources when the heap has no block that large.
lib::Result<void> grow(size_t count) {
  const size_t bytes = count * sizeof(Entry);
  auto block = heap::alloc(bytes);
  if (!block.ok()) return lib::Error::NoResources;
  auto* bigger = static_cast<Entry*>(block.value());
  __builtin_memset(bigger, 0, bytes);
  Entry* unused;
  {
    SpinlockGuard guard(lock);
    unused = adopt(bigger, count);
  }
  if (unused) heap::free(unused);
  return {};
}

}  // namespace

lib::Result<void> share(uintptr_t phys) {
  for (;;) {
    size_t wanted;
    {
      SpinlockGuard guard(lock);
      if (Entry* e = find(phys)) {
        ++e->mappings;
        return {};
      }
      if (used == kCapacity) return lib::Error::NoResources;
      if (2 * (used + 1) <= slot_count) {
        insert(phys, 2);
        return {};
      }
      // used < kCapacity here, so this stays within kMaxSlots.
      wanted = slot_count == 0 ? kFirstSlots : 2 * slot_count;
    }
    TRY(grow(wanted));
  }
}

bool shared(uintptr_t phys) {
  SpinlockGuard guard(lock);
  return find(phys) != nullptr;
}

bool unshare(uintptr_t phys) {
  SpinlockGuard guard(lock);
  Entry* e = find(phys);
  if (!e) return true;
  if (--e->mappings == 1) remove(e);
  return false;
}

size_t count() {
  SpinlockGuard guard(lock);
  return used;
}

}  // namespace shared_frames

void release_user_frame(uintptr_t phys, bool maybe_shared, bool code) {
  if (maybe_shared && !shared_frames::unshare(phys)) return;
  (void)(code ? pmm::free_code_page(phys) : pmm::free_pages(phys));
}

}  // namespace kernel
