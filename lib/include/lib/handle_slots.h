#pragma once
// The slots behind a process's handle table: up to N entries of (object, rights). A handle
// value encodes the slot and a generation, so a closed handle that is used again is refused
// even after its slot was reused.
//
// A syscall that hands out new handles reserves their slots before it does its work and fills
// them once nothing can fail any more: a full table is found before anything was done, and no
// handle is ever installed and then taken back. A reserved slot counts as used but names
// nothing until it is filled.
//
// The table starts with First slots held inline and grows on demand, each step doubling its
// capacity, up to N: most processes hold a few handles, and the few that hold hundreds pay for
// them. The owner allocates each step (growth() slots, handed to grow()), so allocation and
// its failure stay visible where the owner can charge and report them. A step adds a chunk of
// slots and never moves the ones before it: slot i stays where it is, handles stay valid.

#include <bit>
#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace lib {

template <size_t N, size_t First = (N < 32 ? N : 32)>
class HandleSlots {
 public:
  struct Entry {
    void* object = nullptr;
    uint32_t rights = 0;
  };
  // 16 bytes: the generation and the reservation live in what would be the entry's padding.
  struct Slot {
    void* object = nullptr;
    uint32_t rights = 0;
    uint32_t generation : 18 = 0;  // 32 bits less the index's 14
    uint32_t reserved : 1 = 0;
    Entry entry() const { return Entry{object, rights}; }
  };
  static_assert(sizeof(Slot) == 2 * sizeof(void*));

  HandleSlots() = default;
  HandleSlots(const HandleSlots&) = delete;
  HandleSlots& operator=(const HandleSlots&) = delete;

  // Stores an entry; returns its handle (never 0). NoResources when every slot is used.
  Result<uint32_t> insert(void* object, uint32_t rights) {
    if (!object) return Error::InvalidArgument;
    const uint32_t handle = TRY(reserve());
    (void)fill(handle, object, rights);  // cannot fail: the slot was just reserved
    return handle;
  }

  // Holds a free slot; returns the handle it will be (never 0). NoResources when every slot
  // the table has now is used or reserved (see growth()).
  Result<uint32_t> reserve() {
    for (size_t n = 0; n < capacity_; ++n) {
      const size_t i = (next_ + n) % capacity_;
      Slot& s = slot(i);
      if (s.object || s.reserved) continue;
      s.reserved = 1;
      next_ = i + 1;
      ++count_;
      return encode(i, s.generation);
    }
    return Error::NoResources;
  }

  // Puts an entry in a reserved slot. BadHandle if handle is not a reservation (a bug in the
  // caller: the slot is left as it was).
  Result<void> fill(uint32_t handle, void* object, uint32_t rights) {
    if (!object) return Error::InvalidArgument;
    Slot& s = slot(TRY(reserved_index_of(handle)));
    s.object = object;
    s.rights = rights;
    s.reserved = 0;
    return {};
  }

  // Gives a reserved slot back unused.
  Result<void> cancel(uint32_t handle) {
    Slot& s = slot(TRY(reserved_index_of(handle)));
    s.reserved = 0;
    s.generation = next_generation(s);
    --count_;
    return {};
  }

  // Takes the entry out but keeps its slot reserved under the same handle: fill(handle, ...)
  // puts it back, cancel(handle) lets the slot go. Meanwhile the handle names nothing (a
  // request that moves it has it).
  Result<Entry> detach(uint32_t handle) {
    Slot& s = slot(TRY(index_of(handle)));
    const Entry e = s.entry();
    s.object = nullptr;
    s.reserved = 1;
    return e;
  }

  // The entry a handle names; BadHandle for 0, a closed handle or a made-up value.
  Result<Entry> lookup(uint32_t handle) const { return slot(TRY(index_of(handle))).entry(); }

  // Removes and returns the entry; the handle (and any copy of its value) is dead after.
  Result<Entry> remove(uint32_t handle) {
    Slot& s = slot(TRY(index_of(handle)));
    const Entry e = s.entry();
    s.object = nullptr;
    s.generation = next_generation(s);
    --count_;
    return e;
  }

  // Removes every entry, calling f(entry) for each. Reservations stay: their syscall still
  // fills or cancels them.
  template <typename F>
  void drain(F&& f) {
    for (size_t i = 0; i < capacity_; ++i) {
      Slot& s = slot(i);
      if (!s.object) continue;
      const Entry e = s.entry();
      s.object = nullptr;
      s.generation = next_generation(s);
      --count_;
      f(e);
    }
  }

  // Used and reserved slots.
  size_t count() const { return count_; }
  // Slots the table has now (used or not), and the most it may ever have.
  size_t capacity() const { return capacity_; }
  static constexpr size_t limit() { return N; }
  // Whether every slot the table has now is taken: reserve() would fail until it grows.
  bool full() const { return count_ == capacity_; }

  // How many slots the next step adds (as many as the table has: it doubles), 0 at the limit.
  size_t growth() const { return capacity_ == N ? 0 : capacity_; }
  // Adds the next step: chunk holds growth() fresh slots, and stays the caller's to free
  // (take_chunks) once the table is no longer used.
  void grow(Slot* chunk) {
    chunks_[chunk_count_++] = chunk;
    capacity_ *= 2;
  }
  // Calls f(chunk, slots) for each chunk grow() was given, and forgets them: the table is back
  // to its First inline slots, all free. Only when it is no longer used (its owner is going).
  template <typename F>
  void take_chunks(F&& f) {
    for (size_t c = chunk_count_; c > 0; --c) f(chunks_[c - 1], First << (c - 1));
    chunk_count_ = 0;
    capacity_ = First;
    count_ = 0;
    next_ = 0;
    for (Slot& s : first_) s = Slot{};
  }

 private:
  static constexpr unsigned kIndexBits = 14;
  static_assert(First > 0 && N < (1u << kIndexBits) - 1, "slot index must fit");
  static_assert(N % First == 0 && std::has_single_bit(N / First),
                "the limit must be the first slots doubled a whole number of times");
  static constexpr size_t kMaxChunks = std::bit_width(N / First) - 1;

  static constexpr uint32_t kGenerationMask = (1u << (32 - kIndexBits)) - 1;

  static uint32_t next_generation(const Slot& s) { return (s.generation + 1u) & kGenerationMask; }
  static uint32_t encode(size_t index, uint32_t generation) {
    return (generation << kIndexBits) | static_cast<uint32_t>(index + 1);
  }
  // Slot i: the first First inline; then chunk c (from 1) holds slots [First << (c-1),
  // First << c).
  Slot& slot(size_t i) { return const_cast<Slot&>(static_cast<const HandleSlots*>(this)->slot(i)); }
  const Slot& slot(size_t i) const {
    if (i < First) return first_[i];
    const size_t c = std::bit_width(i / First);
    return chunks_[c - 1][i - (First << (c - 1))];
  }
  Result<size_t> reserved_index_of(uint32_t handle) const {
    const size_t i = TRY(slot_index(handle));
    if (!slot(i).reserved) return Error::BadHandle;
    return i;
  }
  Result<size_t> index_of(uint32_t handle) const {
    const size_t i = TRY(slot_index(handle));
    if (!slot(i).object) return Error::BadHandle;
    return i;
  }
  // The slot a handle names, if it is one the table has now and the generation matches.
  Result<size_t> slot_index(uint32_t handle) const {
    const uint32_t index_plus_one = handle & ((1u << kIndexBits) - 1);
    if (index_plus_one == 0 || index_plus_one > capacity_) return Error::BadHandle;
    const size_t i = index_plus_one - 1;
    if (slot(i).generation != handle >> kIndexBits) return Error::BadHandle;
    return i;
  }

  Slot first_[First];
  Slot* chunks_[kMaxChunks > 0 ? kMaxChunks : 1] = {};
  size_t chunk_count_ = 0;
  size_t capacity_ = First;
  size_t next_ = 0;
  size_t count_ = 0;
};

}  // namespace lib
