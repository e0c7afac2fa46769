#pragma once
// What a ramfs may hold: its size limit and what it has taken so far, in bytes. Data pages,
// the page tree's nodes, inodes and directory entries are charged here before they are
// allocated and given back when they are freed, so a full file system refuses with
// kErrNoSpace before the component runs out of memory.

#include <stdint.h>

namespace stellina::fs::ramfs {

class Space {
 public:
  explicit Space(uint64_t limit) : limit_(limit) {}

  // Charges bytes; false (and nothing charged) past the limit.
  bool take(uint64_t bytes) {
    if (bytes > limit_ - used_) return false;
    used_ += bytes;
    return true;
  }
  void give(uint64_t bytes) { used_ -= bytes; }

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_; }

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
};

}  // namespace stellina::fs::ramfs
