#pragma once
// Allocation-failure injection, for tests: once armed with n, the nth kernel allocation
// from then on (heap or physical pages, in any thread) fails with NoMemory, once. A test
// walks n from 1 up along a run of syscalls until the run no longer reaches the nth
// allocation: every allocation the run makes has then failed once, and each failure must
// come back as an error, never a panic, with everything the run made given back.
// Only the test build arms it; unarmed, an allocation pays one relaxed load.

#include <cstdint>

namespace kernel::alloc_failure {

// The nth allocation from now fails (n >= 1; UINT64_MAX: none, only count them).
void arm(uint64_t n);
// Allocations made since arm (up to the failed one).
uint64_t counted();
// Stops counting. Returns whether the armed allocation was reached (and failed).
bool disarm();
// Called by the allocators: whether this allocation must fail.
bool should_fail();

}  // namespace kernel::alloc_failure
