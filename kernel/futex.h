#pragma once
// Futexes: threads waiting on a 32-bit word of user memory until another thread wakes them
// (the primitive under Linux's futex call, usable by any server). A private futex is named
// by (address space, user address). A shared one (Scope::Shared) in memory that a folio
// mapping holds (Linux's MAP_SHARED, shared across fork) is named by (folio, offset in it),
// so every process mapping the folio names it alike, at whatever address; elsewhere a shared
// futex is named as a private one. A waiter holds a reference to the folio its name holds,
// so an unmap while it waits leaves no name of freed memory, and a waiter that times out or
// is killed takes its name away with it (a wake passes by a waiter whose thread is killed or
// whose process has ended: it is on its way out). A waiter sleeps only if the word still
// holds the value it expects, checked under sched_lock, so a wake that follows a change of
// the word cannot slip in between the check and the sleep. Each waiter carries a bitset, and
// a wake reaches only waiters whose bitset shares a bit with its own (Linux's
// FUTEX_WAIT_BITSET/FUTEX_WAKE_BITSET; plain waits and wakes use every bit).
//
// Waiters live on their own kernel stacks (nothing is allocated), in a hash of lists. At most
// kMaxWaiters threads of one process wait at once (kernel threads without a process count
// as one): a bound per process, not across the system, so one silo cannot take every slot
// from the others. Every waiter is a blocked thread its silo was charged for, so the lists,
// and what a wake walks, are bounded by the silos' thread quotas as well.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace kernel::futex {

constexpr size_t kMaxWaiters = 1024;
constexpr uint32_t kAllBits = ~uint32_t{0};

// How a word is named (see above). Shared needs space to be an AddressSpace.
enum class Scope { Private, Shared };

// Blocks the calling thread while the word at address in space holds expected, until a wake
// reaches it or the deadline (ns on the monotonic clock; 0: none) passes. Errors:
// InvalidArgument (address not 4-byte aligned, bitset 0), Fault (the word cannot be read),
// WouldBlock (it does not hold expected), NoResources (kMaxWaiters of the calling thread's
// process are waiting), TimedOut,
// Killed (the thread's process is ending).
lib::Result<void> wait(const void* space, uintptr_t address, uint32_t expected, uint32_t bitset,
                       uint64_t deadline_ns, Scope scope = Scope::Private);

// Wakes up to count of the threads waiting on the word at address in space (named as scope
// says) whose bitset shares a bit with bitset, oldest first. Returns how many it woke.
size_t wake(const void* space, uintptr_t address, uint32_t count, uint32_t bitset,
            Scope scope = Scope::Private);

// Threads waiting now, of every process (for tests).
size_t waiting();

}  // namespace kernel::futex
