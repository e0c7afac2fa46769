#pragma once
// Pending deadlines in time order. Entries are intrusive (embedded in their owner), so arming
// a timer never allocates. Equal deadlines fire in the order they were armed.

#include <cstdint>

#include <lib/intrusive_list.h>

namespace lib {

struct TimerEntry {
  uint64_t deadline = 0;
  ListNode node;
  bool armed() const { return node.linked(); }
};

class TimerQueue {
 public:
  void insert(TimerEntry* t) {
    TimerEntry* pos = list_.front();
    while (pos && pos->deadline <= t->deadline) pos = list_.next(pos);
    list_.insert_before(pos, t);
  }
  void remove(TimerEntry* t) {
    if (t->armed()) list_.remove(t);
  }
  // Removes and returns the earliest entry whose deadline is <= now, or nullptr.
  TimerEntry* pop_expired(uint64_t now) {
    TimerEntry* first = list_.front();
    if (!first || first->deadline > now) return nullptr;
    list_.remove(first);
    return first;
  }
  bool empty() const { return list_.empty(); }
  // The earliest deadline; only meaningful when !empty().
  uint64_t next_deadline() const { return list_.front()->deadline; }
  size_t size() const { return list_.size(); }

 private:
  IntrusiveList<TimerEntry, &TimerEntry::node> list_;
};

}  // namespace lib
