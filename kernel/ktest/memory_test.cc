// Paging, the physical allocator and the heap, on the real kernel.

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/pmm.h"
#include "kernel/stack.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

constexpr uintptr_t kVirt = arch::kTestRegionBase;

// A small deterministic generator for stress tests.
uint64_t next_random(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

KTEST(paging_map_unmap_protect) {
  const size_t free_before = pmm::free_page_count();
  auto page = pmm::alloc_zeroed_page();
  KREQUIRE(page.ok());
  uint8_t byte = 0xff;
  KEXPECT(!arch::probe_read(kVirt, &byte));  // nothing mapped yet

  KREQUIRE(arch::map_page(kVirt, page.value(), arch::kPageWrite).ok());
  KEXPECT(arch::map_page(kVirt, page.value(), arch::kPageWrite).error() ==
          lib::Error::AlreadyExists);
  auto phys = arch::translate(kVirt + 123);
  KEXPECT(phys.ok() && phys.value() == page.value() + 123);
  KEXPECT(arch::probe_write(kVirt + 7, 0x5a));
  KEXPECT(arch::probe_read(kVirt + 7, &byte) && byte == 0x5a);
  // The same frame seen through the direct map.
  KEXPECT(static_cast<uint8_t*>(arch::phys_to_virt(page.value()))[7] == 0x5a);

  KREQUIRE(arch::protect_page(kVirt, arch::kPageRead).ok());
  KEXPECT(!arch::probe_write(kVirt + 7, 0x11));  // read-only now: the write faults
  KEXPECT(arch::probe_read(kVirt + 7, &byte) && byte == 0x5a);
  KREQUIRE(arch::protect_page(kVirt, arch::kPageWrite).ok());
  KEXPECT(arch::probe_write(kVirt + 7, 0x11));

  auto unmapped = arch::unmap_page(kVirt);
  KEXPECT(unmapped.ok() && unmapped.value() == page.value());
  KEXPECT(!arch::probe_read(kVirt + 7, &byte));  // the TLB entry is gone too
  KEXPECT(arch::unmap_page(kVirt).error() == lib::Error::NotFound);
  KEXPECT(arch::protect_page(kVirt, arch::kPageRead).error() == lib::Error::NotFound);
  KEXPECT(pmm::free_pages(page.value()).ok());
  // Page-table pages made for the mapping stay; everything else is back.
  KEXPECT(pmm::free_page_count() + 3 >= free_before);
}

KTEST(paging_kernel_image_rights) {
  // Kernel text is readable but not writable: check through the fault path.
  uint8_t byte;
  const auto text = reinterpret_cast<uintptr_t>(&next_random);
  KEXPECT(arch::probe_read(text, &byte));
  KEXPECT(!arch::probe_write(text, byte));
}

KTEST(pmm_alloc_free_accounting) {
  const size_t before = pmm::free_page_count();
  uintptr_t blocks[11];
  for (unsigned order = 0; order <= 10; ++order) {
    auto b = pmm::alloc_pages(order);
    KREQUIRE(b.ok());
    KEXPECT((b.value() & ((arch::kPageSize << order) - 1)) == 0);  // naturally aligned
    blocks[order] = b.value();
  }
  KEXPECT(pmm::free_page_count() == before - 2047);
  KEXPECT(pmm::free_pages(blocks[3] + arch::kPageSize).error() == lib::Error::InvalidArgument);
  for (uintptr_t b : blocks) KEXPECT(pmm::free_pages(b).ok());
  KEXPECT(pmm::free_pages(blocks[0]).error() == lib::Error::InvalidArgument);  // double free
  KEXPECT(pmm::free_page_count() == before);
  KEXPECT(pmm::alloc_pages(11).error() == lib::Error::InvalidArgument);
}

KTEST(heap_stress_no_leaks) {
  const auto stats_before = heap::stats();
  const size_t pages_before = pmm::free_page_count();
  constexpr size_t kSlots = 512;
  static uint8_t* ptrs[kSlots];
  static size_t sizes[kSlots];
  uint64_t rng = 0x1234567;
  for (int round = 0; round < 20000; ++round) {
    const size_t i = next_random(rng) % kSlots;
    if (ptrs[i]) {
      for (size_t k = 0; k < sizes[i]; k += 61) KEXPECT(ptrs[i][k] == static_cast<uint8_t>(i + k));
      heap::free(ptrs[i]);
      ptrs[i] = nullptr;
      continue;
    }
    const uint64_t r = next_random(rng);
    sizes[i] = (r % 8 == 0) ? 1 + r % 20000 : 1 + r % 700;
    auto p = heap::alloc(sizes[i]);
    KREQUIRE(p.ok());
    ptrs[i] = static_cast<uint8_t*>(p.value());
    KEXPECT(reinterpret_cast<uintptr_t>(ptrs[i]) % 16 == 0);
    for (size_t k = 0; k < sizes[i]; k += 61) ptrs[i][k] = static_cast<uint8_t>(i + k);
  }
  for (size_t i = 0; i < kSlots; ++i) {
    if (ptrs[i]) heap::free(ptrs[i]);
    ptrs[i] = nullptr;
  }
  const auto stats_after = heap::stats();
  KEXPECT(stats_after.live_allocations == stats_before.live_allocations);
  KEXPECT(stats_after.live_bytes == stats_before.live_bytes);
  KEXPECT(stats_after.slab_pages == stats_before.slab_pages);
  KEXPECT(pmm::free_page_count() == pages_before);
}

KTEST(heap_exhaustion_is_an_error) {
  // Take every page, then ask the heap for more: an error, not a crash; then give it all back.
  const size_t pages_before = pmm::free_page_count();
  static uintptr_t taken[4096];
  size_t n = 0;
  for (unsigned order = 10;;) {
    auto b = pmm::alloc_pages(order);
    if (b.ok()) {
      KREQUIRE(n < 4096);
      taken[n++] = b.value();
    } else if (order == 0) {
      break;
    } else {
      --order;
    }
  }
  KEXPECT(pmm::free_page_count() == 0);
  auto big = heap::alloc(1 << 20);
  KEXPECT(!big.ok() && big.error() == lib::Error::NoMemory);
  auto thread = Thread::create(
      "never", [](void*) {}, nullptr);
  KEXPECT(!thread.ok() && thread.error() == lib::Error::NoMemory);
  for (size_t i = 0; i < n; ++i) KEXPECT(pmm::free_pages(taken[i]).ok());
  KEXPECT(pmm::free_page_count() == pages_before);
}

KTEST(stack_guard_page_faults) {
  auto t = Thread::create(
      "guarded", [](void*) {}, nullptr);
  KREQUIRE(t.ok());
  const KernelStack& stack = t.value()->stack();
  uint8_t byte;
  KEXPECT(arch::probe_read(stack.bottom(), &byte));       // lowest stack byte: mapped
  KEXPECT(!arch::probe_read(stack.bottom() - 1, &byte));  // one below: the guard page
  KEXPECT(!arch::probe_write(stack.guard_page(), 1));
  KEXPECT(KernelStack::is_guard_address(stack.guard_page() + 100));
  t.value()->start();
  KEXPECT(t.value()->join() == 0);
}

// Manual: overflows a thread's stack into its guard page. The expected outcome is a report
// naming the guard page and a failure exit (tests/qemu checks the text).
volatile bool keep_recursing = true;

[[gnu::noinline]] int recurse(int depth) {
  volatile char buffer[512];
  buffer[0] = static_cast<char>(depth);
  return keep_recursing ? recurse(depth + 1) + buffer[0] : 0;
}

KTEST(manual_stack_overflow) {
  auto t = Thread::create(
      "overflow", [](void*) { recurse(0); }, nullptr);
  KREQUIRE(t.ok());
  t.value()->start();
  (void)t.value()->join();
  KEXPECT(!"the overflow was not caught");
}

KTEST(manual_boot_stack_overflow) {
  recurse(0);  // on the boot thread's own stack
  KEXPECT(!"the overflow was not caught");
}

KTEST(manual_null_dereference) {
  volatile int* p = nullptr;
  *p = 1;
  KEXPECT(!"the fault was not caught");
}

}  // namespace
}  // namespace kernel
