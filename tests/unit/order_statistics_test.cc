#include <lib/order_statistics.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace {

TEST(OrderStatistics, KthSmallestMatchesSorting) {
  std::mt19937 rng(42);
  for (size_t n : {1u, 2u, 3u, 10u, 101u, 1000u}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<uint32_t> v(n);
      for (auto& x : v) x = rng() % (round % 2 ? 5 : 1000000);  // with and without ties
      std::vector<uint32_t> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      for (size_t k : {size_t{0}, n / 2, n - 1}) {
        std::vector<uint32_t> work = v;
        EXPECT_EQ(lib::kth_smallest(work.data(), n, k), sorted[k]) << "n=" << n << " k=" << k;
      }
    }
  }
}

TEST(OrderStatistics, NearestRankPercentile) {
  std::vector<int> v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};  // 1..10
  EXPECT_EQ(lib::percentile(v.data(), v.size(), 50), 5);
  EXPECT_EQ(lib::percentile(v.data(), v.size(), 99), 10);
  EXPECT_EQ(lib::percentile(v.data(), v.size(), 10), 1);
  std::vector<int> one = {42};
  EXPECT_EQ(lib::percentile(one.data(), 1, 99), 42);
}

}  // namespace
