#pragma once
// cut's LIST: positions (from 1) as "N", "N-M", "N-" and "-M", separated by commas.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace text {

class CutList {
 public:
  static constexpr size_t kMaxRanges = 256;

  // False (with *why) for a malformed list; numbers past UINT64_MAX are taken as "to the
  // end". Ranges are kept sorted and merged.
  bool parse(lib::StringView list, const char** why);
  bool has(uint64_t position) const;
  // Every selected range [from, to] in order (to == UINT64_MAX: to the end).
  size_t count() const { return count_; }
  uint64_t from(size_t i) const { return ranges_[i].from; }
  uint64_t to(size_t i) const { return ranges_[i].to; }

 private:
  struct Range {
    uint64_t from, to;
  };
  Range ranges_[kMaxRanges];
  size_t count_ = 0;
};

}  // namespace text
