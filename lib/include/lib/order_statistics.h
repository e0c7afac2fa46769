#pragma once
// The k-th smallest of n values, found in place (Hoare partitioning, expected linear time):
// medians and percentiles for benchmarks without sorting or allocating.

#include <cstddef>

namespace lib {

// Reorders v[0..n); returns the value that sorting would put at index k (k < n).
template <typename T>
T kth_smallest(T* v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    const T pivot = v[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) ++i;
      while (pivot < v[j]) --j;
      if (i <= j) {
        const T t = v[i];
        v[i] = v[j];
        v[j] = t;
        ++i;
        if (j == 0) break;
        --j;
      }
    }
    if (k <= j) {
      hi = j;
    } else if (k >= i) {
      lo = i;
    } else {
      return v[k];
    }
  }
  return v[k];
}

// The nearest-rank p-th percentile (0 < p <= 100) of v[0..n), n > 0; reorders v.
template <typename T>
T percentile(T* v, size_t n, unsigned p) {
  const size_t rank = (n * p + 99) / 100;  // ceil(p * n / 100), at least 1
  return kth_smallest(v, n, rank ? rank - 1 : 0);
}

}  // namespace lib
