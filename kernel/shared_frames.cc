#include "kernel/shared_frames.h"

#include "kernel/arch_hooks.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"

namespace kernel {
namespace shared_frames {
namespace {

// Open addressing with linear probing; a removal shifts the run after it back, so there are
// no tombstones. The table is twice the capacity: runs stay short.
struct Entry {
  uintptr_t frame;  // 0: free (frame 0 is never a user page)
  uint32_t mappings;
};
constexpr size_t kSlots = 2 * kCapacity;
Spinlock lock;
Entry slots[kSlots] GUARDED_BY(lock);
size_t used GUARDED_BY(lock) = 0;

size_t home(uintptr_t frame) { return ((frame >> 12) * 0x9e3779b97f4a7c15u) >> 49; }  // 15 bits
static_assert(kSlots == size_t{1} << 15);

size_t next(size_t i) { return (i + 1) % kSlots; }

Entry* find(uintptr_t frame) REQUIRES(lock) {
  for (size_t i = home(frame); slots[i].frame; i = next(i))
    if (slots[i].frame == frame) return &slots[i];
  return nullptr;
}

void remove(Entry* e) REQUIRES(lock) {
  size_t hole = static_cast<size_t>(e - slots);
  slots[hole] = {};
  --used;
  // Entries after the hole whose home is not strictly between hole and them move into it.
  for (size_t i = next(hole); slots[i].frame; i = next(i)) {
    const size_t h = home(slots[i].frame);
    const bool stays = hole < i ? (hole < h && h <= i) : (hole < h || h <= i);
    if (stays) continue;
    slots[hole] = slots[i];
    slots[i] = {};
    hole = i;
  }
}

}  // namespace

lib::Result<void> share(uintptr_t phys) {
  SpinlockGuard guard(lock);
  if (Entry* e = find(phys)) {
    ++e->mappings;
    return {};
  }
  if (used == kCapacity) return lib::Error::NoResources;
  size_t i = home(phys);
  while (slots[i].frame) i = next(i);
  slots[i] = {phys, 2};
  ++used;
  return {};
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
