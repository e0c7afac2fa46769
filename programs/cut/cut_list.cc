#include "programs/cut/cut_list.h"

namespace text {

namespace {

// Digits at *at, saturating; false if there are none.
bool number(lib::StringView s, size_t* at, uint64_t* out) {
  if (*at >= s.size() || s[*at] < '0' || s[*at] > '9') return false;
  uint64_t v = 0;
  for (; *at < s.size() && s[*at] >= '0' && s[*at] <= '9'; ++*at) {
    const uint64_t d = static_cast<uint64_t>(s[*at] - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

bool CutList::parse(lib::StringView list, const char** why) {
  count_ = 0;
  size_t at = 0;
  *why = "invalid field or byte list";
  if (list.empty()) return false;
  for (;;) {
    Range r{1, 0};
    const bool has_from = number(list, &at, &r.from);
    if (at < list.size() && list[at] == '-') {
      ++at;
      if (!number(list, &at, &r.to)) {
        if (!has_from) return false;  // a lone '-'
        r.to = UINT64_MAX;
      }
    } else {
      if (!has_from) return false;
      r.to = r.from;
    }
    if (r.from == 0 || r.to == 0) {
      *why = "fields and positions are numbered from 1";
      return false;
    }
    if (r.to < r.from) {
      *why = "invalid decreasing range";
      return false;
    }
    // Insert in order of from, then merge overlapping or touching ranges.
    if (count_ == kMaxRanges) {
      *why = "too many ranges";
      return false;
    }
    size_t i = count_;
    while (i > 0 && ranges_[i - 1].from > r.from) {
      ranges_[i] = ranges_[i - 1];
      --i;
    }
    ranges_[i] = r;
    ++count_;
    if (at == list.size()) break;
    if (list[at] != ',' && list[at] != ' ') return false;
    ++at;
  }
  size_t out = 0;
  for (size_t i = 0; i < count_; ++i) {
    if (out > 0 &&
        (ranges_[out - 1].to == UINT64_MAX || ranges_[i].from <= ranges_[out - 1].to + 1)) {
      if (ranges_[i].to > ranges_[out - 1].to) ranges_[out - 1].to = ranges_[i].to;
    } else {
      ranges_[out++] = ranges_[i];
    }
  }
  count_ = out;
  return true;
}

bool CutList::has(uint64_t position) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (ranges_[mid].to < position) {
      lo = mid + 1;
    } else if (ranges_[mid].from > position) {
      hi = mid;
    } else {
      return true;
    }
  }
  return false;
}

}  // namespace text
