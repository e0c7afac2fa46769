#pragma once
// Ready threads by priority: one FIFO per level and a bitmap of non-empty levels, so picking
// the next thread is a find-highest-bit and a list pop. Round-robin within a level comes from
// pushing a preempted thread to the back of its level.

#include <bit>
#include <cstdint>

#include <lib/intrusive_list.h>

namespace lib {

template <typename T, ListNode T::*Node>
class RunQueue {
 public:
  static constexpr unsigned kLevels = 32;  // 0 lowest (idle) .. 31 highest

  void push_back(T* item, unsigned level) {
    levels_[level].push_back(item);
    mask_ |= 1u << level;
  }
  void push_front(T* item, unsigned level) {
    levels_[level].push_front(item);
    mask_ |= 1u << level;
  }
  void remove(T* item, unsigned level) {
    levels_[level].remove(item);
    if (levels_[level].empty()) mask_ &= ~(1u << level);
  }
  bool empty() const { return mask_ == 0; }
  // The highest non-empty level; only meaningful when !empty().
  unsigned highest() const { return 31u - static_cast<unsigned>(std::countl_zero(mask_)); }
  T* pop_highest() {
    if (empty()) return nullptr;
    const unsigned level = highest();
    T* item = levels_[level].pop_front();
    if (levels_[level].empty()) mask_ &= ~(1u << level);
    return item;
  }
  size_t size() const {
    size_t n = 0;
    for (const auto& l : levels_) n += l.size();
    return n;
  }

 private:
  IntrusiveList<T, Node> levels_[kLevels];
  uint32_t mask_ = 0;
};

}  // namespace lib
