#pragma once
// A fixed number of slots, each free or taken, one bit each: for regions carved into equal
// slots (kernel stacks, in-kernel folio windows). First fit, so the lowest slots (and the
// page tables that map them) are reused rather than spread. The caller holds the lock.

#include <bit>
#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace lib {

template <size_t kSlots>
class SlotBitmap {
  static_assert(kSlots > 0 && kSlots % 64 == 0, "whole words of slots");

 public:
  // The lowest free slot, now taken. Errors: NoResources (every slot is taken).
  Result<size_t> take() {
    for (size_t word = 0; word < kSlots / 64; ++word) {
      if (used_[word] == ~uint64_t{0}) continue;
      const auto bit = static_cast<size_t>(std::countr_one(used_[word]));
      used_[word] |= uint64_t{1} << bit;
      return word * 64 + bit;
    }
    return Error::NoResources;
  }
  // Frees slot (taken before; a slot out of range is ignored).
  void give(size_t slot) {
    if (slot < kSlots) used_[slot / 64] &= ~(uint64_t{1} << (slot % 64));
  }
  bool taken(size_t slot) const { return slot < kSlots && (used_[slot / 64] >> (slot % 64)) & 1; }

 private:
  uint64_t used_[kSlots / 64] = {};
};

}  // namespace lib
