#include "programs/diff/diff_core.h"

namespace text {

namespace {

uint64_t hash_line(lib::StringView s) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (size_t i = 0; i < s.size(); ++i) {
    h ^= static_cast<uint8_t>(s[i]);
    h *= 1099511628211ull;
  }
  return h;
}

struct Snake {
  int64_t x0, y0, x1, y1;  // the split: [0,x0)x[0,y0) before, [x1,N)x[y1,M) after
};

class Myers {
 public:
  Myers(const uint32_t* a, const uint32_t* b, bool* removed, bool* added, int32_t* scratch,
        size_t n, size_t m, int64_t max_cost)
      : a_(a), b_(b), removed_(removed), added_(added), max_cost_(max_cost) {
    const int64_t span = static_cast<int64_t>(n + m);
    offset_ = span + span / 2 + 3;
    forward_ = scratch;
    backward_ = scratch + 2 * offset_ + 1;
  }

  void compare(int64_t a0, int64_t a1, int64_t b0, int64_t b1) {
    while (a0 < a1 && b0 < b1 && a_[a0] == b_[b0]) ++a0, ++b0;
    while (a0 < a1 && b0 < b1 && a_[a1 - 1] == b_[b1 - 1]) --a1, --b1;
    if (a0 == a1) {
      for (int64_t j = b0; j < b1; ++j) added_[j] = true;
      return;
    }
    if (b0 == b1) {
      for (int64_t i = a0; i < a1; ++i) removed_[i] = true;
      return;
    }
    Snake s;
    if (!middle_snake(a0, a1, b0, b1, &s)) {
      for (int64_t i = a0; i < a1; ++i) removed_[i] = true;
      for (int64_t j = b0; j < b1; ++j) added_[j] = true;
      return;
    }
    compare(a0, a0 + s.x0, b0, b0 + s.y0);
    compare(a0 + s.x1, a1, b0 + s.y1, b1);
  }

 private:
  int32_t& vf(int64_t k) { return forward_[k + offset_]; }
  int32_t& vb(int64_t k) { return backward_[k + offset_]; }

  // Myers' middle snake of a[a0,a1) against b[b0,b1) (both non-empty, first and last
  // lines differing). False when no split point that makes progress was found.
  bool middle_snake(int64_t a0, int64_t a1, int64_t b0, int64_t b1, Snake* s) {
    const uint32_t* a = a_ + a0;
    const uint32_t* b = b_ + b0;
    const int64_t n = a1 - a0, m = b1 - b0;
    const int64_t delta = n - m;
    const bool odd = delta & 1;
    vf(1) = 0;
    vb(delta - 1) = static_cast<int32_t>(n);
    vb(delta + 1) = static_cast<int32_t>(n + 1);
    for (int64_t d = 0; d <= (n + m + 1) / 2; ++d) {
      if (d > max_cost_) return give_up(n, m, d - 1, s);
      // Diagonals from the highest down, as GNU diff goes, so that among equally short
      // scripts the same one is found.
      for (int64_t k = d; k >= -d; k -= 2) {
        int64_t x = (k == -d || (k != d && vf(k - 1) < vf(k + 1))) ? vf(k + 1) : vf(k - 1) + 1;
        int64_t y = x - k;
        while (x < n && y < m && a[x] == b[y]) ++x, ++y;
        vf(k) = static_cast<int32_t>(x);
        if (odd && k >= delta - (d - 1) && k <= delta + (d - 1) && vf(k) >= vb(k)) {
          *s = Snake{x, y, x, y};
          return true;
        }
      }
      for (int64_t k = d; k >= -d; k -= 2) {
        const int64_t kk = k + delta;
        int64_t x =
            (k == -d || (k != d && vb(kk + 1) - 1 < vb(kk - 1))) ? vb(kk + 1) - 1 : vb(kk - 1);
        int64_t y = x - kk;
        while (x > 0 && y > 0 && a[x - 1] == b[y - 1]) --x, --y;
        vb(kk) = static_cast<int32_t>(x);
        if (!odd && kk >= -d && kk <= d && vb(kk) <= vf(kk)) {
          *s = Snake{x, y, x, y};
          return true;
        }
      }
    }
    return false;  // not reached: some d finds the overlap
  }

  // Too costly: split where the forward search went furthest.
  bool give_up(int64_t n, int64_t m, int64_t d, Snake* s) {
    int64_t best = -1, bx = 0, by = 0;
    for (int64_t k = -d; k <= d; k += 2) {
      const int64_t x = vf(k), y = x - k;
      if (x > n || y > m || y < 0) continue;
      if (x + y > best) best = x + y, bx = x, by = y;
    }
    if (best <= 0 || (bx == n && by == m)) return false;
    *s = Snake{bx, by, bx, by};
    return true;
  }

  const uint32_t* a_;
  const uint32_t* b_;
  bool* removed_;
  bool* added_;
  int64_t max_cost_;
  int64_t offset_;
  int32_t* forward_;
  int32_t* backward_;
};

// Runs of changed lines in one file are moved where GNU diff puts them, so that both print
// the same script: each run slides up while the line before it equals its last line, then
// down while the line after it equals its first (merging with the runs it meets), until
// it stops growing; then back up to the last place where it faces a change in the other
// file, if it passed one. j follows i in the other file: the line paired with line i.
void compact(const uint32_t* ids, int64_t n, bool* changed, const bool* other, int64_t m) {
  const auto ch = [&](int64_t i) { return i >= 0 && i < n && changed[i]; };
  const auto oc = [&](int64_t j) { return j >= 0 && j < m && other[j]; };
  int64_t i = 0, j = 0;
  for (;;) {
    while (i < n && !changed[i]) {  // an unchanged line and its partner
      while (oc(j)) ++j;
      ++j, ++i;
    }
    if (i == n) return;
    int64_t start = i;
    while (ch(i)) ++i;
    while (oc(j)) ++j;
    int64_t length = 0, facing = n;  // facing: where the run last ended facing a change
    do {
      length = i - start;
      while (start > 0 && ids[start - 1] == ids[i - 1]) {
        changed[--start] = true;
        changed[--i] = false;
        while (ch(start - 1)) --start;
        do --j;
        while (oc(j));
      }
      facing = oc(j - 1) ? i : n;
      while (i < n && ids[start] == ids[i]) {
        changed[start++] = false;
        changed[i++] = true;
        while (ch(i)) ++i;
        ++j;
        while (oc(j)) ++j, facing = i;
      }
    } while (length != i - start);
    while (facing < i) {
      changed[--start] = true;
      changed[--i] = false;
      do --j;
      while (oc(j));
    }
  }
}

void line_range(lib::Sink& out, size_t from, size_t to) {  // 1-based, inclusive
  if (from == to) {
    lib::format(out, "{}", from);
  } else {
    lib::format(out, "{},{}", from, to);
  }
}

void write_line(lib::Sink& out, const char* prefix, const DiffFile& f, size_t i) {
  lib::format(out, "{}", prefix);
  out.write(f.lines[i].data(), f.lines[i].size());
  out.write("\n", 1);
  if (i + 1 == f.count && f.missing_newline) lib::format(out, "\\ No newline at end of file\n");
}

// The next group of changes at or after (*i, *j): [i0, i1) of a and [j0, j1) of b.
bool next_change(const DiffFile& a, const DiffFile& b, const bool* removed, const bool* added,
                 size_t* i, size_t* j, size_t* i0, size_t* j0) {
  while (*i < a.count && *j < b.count && !removed[*i] && !added[*j]) ++*i, ++*j;
  if (*i >= a.count && *j >= b.count) return false;
  *i0 = *i;
  *j0 = *j;
  while (*i < a.count && removed[*i]) ++*i;
  while (*j < b.count && added[*j]) ++*j;
  return true;
}

void unified_range(lib::Sink& out, size_t first, size_t count) {  // first: 0-based
  if (count == 0) {
    lib::format(out, "{},0", first);
  } else if (count == 1) {
    lib::format(out, "{}", first + 1);
  } else {
    lib::format(out, "{},{}", first + 1, count);
  }
}

}  // namespace

void diff_line_ids(const DiffFile& a, const DiffFile& b, uint32_t* ids, uint32_t* table,
                   size_t table_size) {
  for (size_t i = 0; i < table_size; ++i) table[i] = UINT32_MAX;
  const size_t total = a.count + b.count;
  const auto line = [&](size_t i) { return i < a.count ? a.lines[i] : b.lines[i - a.count]; };
  // A last line without its newline differs from the same text with one, as in GNU diff.
  const auto incomplete = [&](size_t i) {
    return i < a.count ? a.missing_newline && i + 1 == a.count
                       : b.missing_newline && i + 1 == total;
  };
  for (size_t i = 0; i < total; ++i) {
    const lib::StringView s = line(i);
    size_t slot = (hash_line(s) + incomplete(i)) & (table_size - 1);
    for (;;) {
      const uint32_t at = table[slot];
      if (at == UINT32_MAX) {
        table[slot] = static_cast<uint32_t>(i);
        ids[i] = static_cast<uint32_t>(i);
        break;
      }
      if (line(at) == s && incomplete(at) == incomplete(i)) {
        ids[i] = ids[at];
        break;
      }
      slot = (slot + 1) & (table_size - 1);
    }
  }
}

size_t diff_scratch_size(size_t n, size_t m) {
  const size_t span = n + m;
  return 2 * (2 * (span + span / 2 + 3) + 1);
}

bool diff_mark(const uint32_t* a, size_t n, const uint32_t* b, size_t m, bool* removed, bool* added,
               int32_t* scratch, int64_t max_cost) {
  for (size_t i = 0; i < n; ++i) removed[i] = false;
  for (size_t j = 0; j < m; ++j) added[j] = false;
  Myers myers(a, b, removed, added, scratch, n, m, max_cost);
  myers.compare(0, static_cast<int64_t>(n), 0, static_cast<int64_t>(m));
  compact(a, static_cast<int64_t>(n), removed, added, static_cast<int64_t>(m));
  compact(b, static_cast<int64_t>(m), added, removed, static_cast<int64_t>(n));
  for (size_t i = 0; i < n; ++i)
    if (removed[i]) return true;
  for (size_t j = 0; j < m; ++j)
    if (added[j]) return true;
  return false;
}

void diff_write_normal(lib::Sink& out, const DiffFile& a, const DiffFile& b, const bool* removed,
                       const bool* added) {
  size_t i = 0, j = 0, i0, j0;
  while (next_change(a, b, removed, added, &i, &j, &i0, &j0)) {
    const char op = i0 == i ? 'a' : j0 == j ? 'd' : 'c';
    if (op == 'a') {
      lib::format(out, "{}", i0);
    } else {
      line_range(out, i0 + 1, i);
    }
    lib::format(out, "{:c}", op);
    if (op == 'd') {
      lib::format(out, "{}", j0);
    } else {
      line_range(out, j0 + 1, j);
    }
    out.write("\n", 1);
    for (size_t k = i0; k < i; ++k) write_line(out, "< ", a, k);
    if (op == 'c') lib::format(out, "---\n");
    for (size_t k = j0; k < j; ++k) write_line(out, "> ", b, k);
  }
}

void diff_write_unified(lib::Sink& out, const DiffFile& a, const DiffFile& b, const bool* removed,
                        const bool* added) {
  lib::format(out, "--- {}\n+++ {}\n", a.name, b.name);
  size_t i = 0, j = 0, i0 = 0, j0 = 0;
  bool have = next_change(a, b, removed, added, &i, &j, &i0, &j0);
  while (have) {
    // A hunk: this change and every next one closer than twice the context. The lines
    // around changes are common to both files, so b's start follows from a's.
    const size_t start_a = i0 > kDiffContext ? i0 - kDiffContext : 0;
    const size_t start_b = j0 - (i0 - start_a);
    size_t end_a = i, end_b = j;
    for (;;) {
      size_t si = end_a, sj = end_b, ni0 = 0, nj0 = 0;
      have = next_change(a, b, removed, added, &si, &sj, &ni0, &nj0);
      if (!have) break;
      if (ni0 - end_a > 2 * kDiffContext) {  // the next hunk's
        i = si, j = sj, i0 = ni0, j0 = nj0;
        break;
      }
      end_a = si, end_b = sj;
    }
    const size_t tail = a.count - end_a < kDiffContext ? a.count - end_a : kDiffContext;
    const size_t stop_a = end_a + tail, stop_b = end_b + tail;
    out.write("@@ -", 4);
    unified_range(out, start_a, stop_a - start_a);
    out.write(" +", 2);
    unified_range(out, start_b, stop_b - start_b);
    out.write(" @@\n", 4);
    size_t x = start_a, y = start_b;
    while (x < stop_a || y < stop_b) {
      if (x < stop_a && y < stop_b && !removed[x] && !added[y]) {
        write_line(out, " ", a, x);
        ++x, ++y;
        continue;
      }
      while (x < stop_a && removed[x]) write_line(out, "-", a, x++);
      while (y < stop_b && added[y]) write_line(out, "+", b, y++);
    }
  }
}

}  // namespace text
