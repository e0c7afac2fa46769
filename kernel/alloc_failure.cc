#include "kernel/alloc_failure.h"

#include <atomic>

#include "kernel/build.h"

namespace kernel::alloc_failure {
namespace {

// Allocations left before the one that fails; 0 when not armed. Atomic: allocators run in
// interrupt handlers too.
std::atomic<uint64_t> countdown{0};
std::atomic<bool> fired{false};
std::atomic<uint64_t> seen{0};

}  // namespace

void arm(uint64_t n) {
  if (!build::kTestBuild || n == 0) return;
  fired.store(false, std::memory_order_relaxed);
  seen.store(0, std::memory_order_relaxed);
  countdown.store(n, std::memory_order_relaxed);
}

bool disarm() {
  countdown.store(0, std::memory_order_relaxed);
  return fired.load(std::memory_order_relaxed);
}

uint64_t counted() { return seen.load(std::memory_order_relaxed); }

bool should_fail() {
  uint64_t left = countdown.load(std::memory_order_relaxed);
  while (left != 0) {
    if (countdown.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) {
      seen.fetch_add(1, std::memory_order_relaxed);
      if (left != 1) return false;
      fired.store(true, std::memory_order_relaxed);
      return true;
    }
  }
  return false;
}

}  // namespace kernel::alloc_failure
