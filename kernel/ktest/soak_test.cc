// Manual: the soak. 100 preemptively scheduled threads sleep, wake and allocate for
// soak_seconds (default 60); afterwards heap and page counts must be back where they began.

#include <atomic>

#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/pmm.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

constexpr int kThreads = 100;
uint64_t soak_end_ns;
std::atomic<uint64_t> soak_cycles{0};
std::atomic<uint64_t> soak_errors{0};

void soak_worker(void* arg) {
  uint64_t rng = reinterpret_cast<uintptr_t>(arg) * 0x9e3779b97f4a7c15ull + 1;
  auto next = [&] {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  void* held[8] = {};
  size_t held_size[8] = {};
  while (arch::now_ns() < soak_end_ns) {
    const size_t slot = next() % 8;
    if (held[slot]) {
      const auto* bytes = static_cast<uint8_t*>(held[slot]);
      if (bytes[0] != static_cast<uint8_t>(slot) || bytes[held_size[slot] - 1] != 0xa5)
        soak_errors.fetch_add(1);
      heap::free(held[slot]);
      held[slot] = nullptr;
    } else {
      const size_t size = 2 + next() % (next() % 16 == 0 ? 32768 : 512);
      auto p = heap::alloc(size);
      if (p.ok()) {
        held[slot] = p.value();
        held_size[slot] = size;
        static_cast<uint8_t*>(held[slot])[0] = static_cast<uint8_t>(slot);
        static_cast<uint8_t*>(held[slot])[size - 1] = 0xa5;
      }
    }
    if (next() % 4 == 0) sched::sleep_ns(next() % 3'000'000);
    if (next() % 64 == 0) {  // a burst of computation: long enough to be preempted
      const uint64_t until = arch::now_ns() + next() % 20'000'000;
      while (arch::now_ns() < until) {
      }
    }
    soak_cycles.fetch_add(1);
  }
  for (void* p : held)
    if (p) heap::free(p);
}

KTEST(manual_soak) {
  char value[16];
  uint64_t seconds = 60;
  if (boot_info().option("soak_seconds", value, sizeof(value))) {
    seconds = 0;
    for (const char* c = value; *c >= '0' && *c <= '9'; ++c) seconds = seconds * 10 + (*c - '0');
  }
  static Thread* threads[kThreads];
  // Warm-up: a first round of threads makes the page tables for their stack slots, which
  // stay; the measured round below reuses them.
  soak_end_ns = 0;
  for (int i = 0; i < kThreads; ++i) {
    auto t = Thread::create("warmup", soak_worker, nullptr);
    KREQUIRE(t.ok());
    threads[i] = t.value();
  }
  for (Thread* t : threads) t->start();
  for (Thread* t : threads) t->join();

  const auto heap_before = heap::stats();
  const size_t pages_before = pmm::free_page_count();
  soak_end_ns = arch::now_ns() + seconds * 1'000'000'000;
  for (int i = 0; i < kThreads; ++i) {
    auto t =
        Thread::create("soak", soak_worker, reinterpret_cast<void*>(static_cast<uintptr_t>(i)));
    KREQUIRE(t.ok());
    threads[i] = t.value();
  }
  for (Thread* t : threads) t->start();
  for (uint64_t s = 0; s < seconds;) {
    const uint64_t step = seconds - s < 10 ? seconds - s : 10;
    sched::sleep_ns(step * 1'000'000'000);
    s += step;
    const auto h = heap::stats();
    print("ktest:   soak {} s: {} cycles, {} live allocations, {} free pages\n", s,
          soak_cycles.load(), h.live_allocations, pmm::free_page_count());
  }
  for (Thread* t : threads) t->join();
  const auto heap_after = heap::stats();
  const auto s = sched::stats();
  print("ktest:   soak done: {} cycles, {} context switches, {} preemptions\n", soak_cycles.load(),
        s.context_switches, s.preemptions);
  print(
      "ktest:   heap allocations {} -> {}, bytes {} -> {}, slab pages {} -> {}; free pages {} -> "
      "{}\n",
      heap_before.live_allocations, heap_after.live_allocations, heap_before.live_bytes,
      heap_after.live_bytes, heap_before.slab_pages, heap_after.slab_pages, pages_before,
      pmm::free_page_count());
  KEXPECT(soak_errors.load() == 0);
  KEXPECT(soak_cycles.load() > 1000);
  KEXPECT(heap_after.live_allocations == heap_before.live_allocations);
  KEXPECT(heap_after.live_bytes == heap_before.live_bytes);
  KEXPECT(pmm::free_page_count() == pages_before);
}

}  // namespace
}  // namespace kernel
