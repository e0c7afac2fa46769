#pragma once
// The slots behind a process's handle table: up to N entries of (object, rights). A handle
// value encodes the slot and a generation, so a closed handle that is used again is refused
// even after its slot was reused.
//
// A syscall that hands out new handles reserves their slots before it does its work and fills
// them once nothing can fail any more: a full table is found before anything was done, and no
// handle is ever installed and then taken back. A reserved slot counts as used but names
// nothing until it is filled.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace lib {

template <size_t N>
class HandleSlots {
 public:
  struct Entry {
    void* object = nullptr;
    uint32_t rights = 0;
  };

  // Stores an entry; returns its handle (never 0). NoResources when every slot is used.
  Result<uint32_t> insert(void* object, uint32_t rights) {
    if (!object) return Error::InvalidArgument;
    const uint32_t handle = TRY(reserve());
    (void)fill(handle, object, rights);  // cannot fail: the slot was just reserved
    return handle;
  }

  // Holds a free slot; returns the handle it will be (never 0). NoResources when every slot
  // is used or reserved.
  Result<uint32_t> reserve() {
    for (size_t n = 0; n < N; ++n) {
      const size_t i = (next_ + n) % N;
      if (slots_[i].entry.object || slots_[i].reserved) continue;
      slots_[i].reserved = true;
      next_ = i + 1;
      ++count_;
      return encode(i, slots_[i].generation);
    }
    return Error::NoResources;
  }

  // Puts an entry in a reserved slot. BadHandle if handle is not a reservation (a bug in the
  // caller: the slot is left as it was).
  Result<void> fill(uint32_t handle, void* object, uint32_t rights) {
    if (!object) return Error::InvalidArgument;
    const size_t i = TRY(reserved_index_of(handle));
    slots_[i].entry = Entry{object, rights};
    slots_[i].reserved = false;
    return {};
  }

  // Gives a reserved slot back unused.
  Result<void> cancel(uint32_t handle) {
    const size_t i = TRY(reserved_index_of(handle));
    slots_[i].reserved = false;
    slots_[i].generation = (slots_[i].generation + 1) & kGenerationMask;
    --count_;
    return {};
  }

  // Takes the entry out but keeps its slot reserved under the same handle: fill(handle, ...)
  // puts it back, cancel(handle) lets the slot go. Meanwhile the handle names nothing (a
  // request that moves it has it).
  Result<Entry> detach(uint32_t handle) {
    const size_t i = TRY(index_of(handle));
    const Entry e = slots_[i].entry;
    slots_[i].entry = Entry{};
    slots_[i].reserved = true;
    return e;
  }

  // The entry a handle names; BadHandle for 0, a closed handle or a made-up value.
  Result<Entry> lookup(uint32_t handle) const {
    const size_t i = TRY(index_of(handle));
    return slots_[i].entry;
  }

  // Removes and returns the entry; the handle (and any copy of its value) is dead after.
  Result<Entry> remove(uint32_t handle) {
    const size_t i = TRY(index_of(handle));
    const Entry e = slots_[i].entry;
    slots_[i].entry = Entry{};
    slots_[i].generation = (slots_[i].generation + 1) & kGenerationMask;
    --count_;
    return e;
  }

  // Removes every entry, calling f(entry) for each. Reservations stay: their syscall still
  // fills or cancels them.
  template <typename F>
  void drain(F&& f) {
    for (size_t i = 0; i < N; ++i) {
      if (!slots_[i].entry.object) continue;
      const Entry e = slots_[i].entry;
      slots_[i].entry = Entry{};
      slots_[i].generation = (slots_[i].generation + 1) & kGenerationMask;
      --count_;
      f(e);
    }
  }

  size_t count() const { return count_; }
  static constexpr size_t capacity() { return N; }

 private:
  static constexpr unsigned kIndexBits = 12;
  static constexpr uint32_t kGenerationMask = (1u << (32 - kIndexBits)) - 1;

  static uint32_t encode(size_t index, uint32_t generation) {
    return (generation << kIndexBits) | static_cast<uint32_t>(index + 1);
  }
  Result<size_t> reserved_index_of(uint32_t handle) const {
    const uint32_t slot = handle & ((1u << kIndexBits) - 1);
    if (slot == 0 || slot > N) return Error::BadHandle;
    const size_t i = slot - 1;
    if (!slots_[i].reserved || slots_[i].generation != handle >> kIndexBits)
      return Error::BadHandle;
    return i;
  }
  Result<size_t> index_of(uint32_t handle) const {
    const uint32_t slot = handle & ((1u << kIndexBits) - 1);
    if (slot == 0 || slot > N) return Error::BadHandle;
    const size_t i = slot - 1;
    if (!slots_[i].entry.object || slots_[i].generation != handle >> kIndexBits)
      return Error::BadHandle;
    return i;
  }

  struct Slot {
    Entry entry;
    uint32_t generation = 0;
    bool reserved = false;
  };
  static_assert(N > 0 && N < (1u << kIndexBits) - 1, "slot index must fit");
  Slot slots_[N];
  size_t next_ = 0;
  size_t count_ = 0;
};

}  // namespace lib
