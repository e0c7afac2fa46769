#include "kernel/futex.h"

#include <lib/intrusive_list.h>

#include "kernel/address_space.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"
#include "kernel/user_ptr.h"
#include "kernel/wait_queue.h"

namespace kernel::futex {

namespace {

// A word's name: (address space, address), or (folio, offset) for a shared futex in a
// folio mapping, whose reference the name then holds.
struct Key {
  const void* object;
  uintptr_t offset;
  Folio* folio;  // retained, or null
  bool operator==(const Key& o) const { return object == o.object && offset == o.offset; }
};

Key key_of(const void* space, uintptr_t address, Scope scope) REQUIRES(sched_lock) {
  if (scope == Scope::Shared) {
    size_t offset;
    if (Folio* folio = static_cast<const AddressSpace*>(space)->folio_at(address, &offset))
      return {folio, offset, folio};
  }
  return {space, address, nullptr};
}

// One waiting thread, on its own stack for as long as it waits.
struct Waiter {
  lib::ListNode node;
  Key key;
  uint32_t bitset;
  Thread* thread;  // the waiting thread
  bool woken;
  size_t* count;    // its process's waiters (waiters_of)
  WaitQueue queue;  // the waiter alone
};

using WaiterList = lib::IntrusiveList<Waiter, &Waiter::node>;
constexpr size_t kBuckets = 64;
WaiterList buckets[kBuckets] GUARDED_BY(sched_lock);
size_t waiter_count GUARDED_BY(sched_lock) = 0;    // every process's
size_t kernel_waiters GUARDED_BY(sched_lock) = 0;  // threads without a process

// The count the calling thread's wait is bounded by: its process's.
size_t& waiters_of_caller() REQUIRES(sched_lock) {
  Process* process = sched::current()->process();
  return process ? process->futex_waiters() : kernel_waiters;
}

void remove_waiter(WaiterList& list, Waiter* w) REQUIRES(sched_lock) {
  list.remove(w);
  --*w->count;
  --waiter_count;
}

// A waiter whose thread is killed, or whose process has ended, is on its way out (it takes
// itself off its list when it runs): a wake passes it by, as on Linux, where a process is
// not seen to have ended before its waits are gone.
bool ending(Thread& t) REQUIRES(sched_lock) {
  return t.killed() || (t.process() && t.process()->terminated());
}

WaiterList& bucket_of(const Key& key) REQUIRES(sched_lock) {
  const uint64_t h = (reinterpret_cast<uintptr_t>(key.object) >> 4) ^ (key.offset >> 2);
  return buckets[(h * 0x9e3779b97f4a7c15u) >> 58];  // the top 6 bits: kBuckets
}

}  // namespace

lib::Result<void> wait(const void* space, uintptr_t address, uint32_t expected, uint32_t bitset,
                       uint64_t deadline_ns, Scope scope) {
  if ((address & 3) || bitset == 0) return lib::Error::InvalidArgument;
  // A first read outside the lock takes any demand-zero fault (and reports a bad address);
  // the read that counts is the one under the lock.
  uint32_t value;
  TRY(UserIn<uint32_t>(address).read(&value));
  SpinlockGuard guard(sched_lock);
  TRY(UserIn<uint32_t>(address).read(&value));
  if (value != expected) return lib::Error::WouldBlock;
  size_t& count = waiters_of_caller();
  if (count == kMaxWaiters) return lib::Error::NoResources;
  Waiter w{{}, key_of(space, address, scope), bitset, sched::current(), false, &count, {}};
  if (w.key.folio) w.key.folio->retain();
  WaiterList& list = bucket_of(w.key);
  list.push_back(&w);
  ++count;
  ++waiter_count;
  auto waited = w.queue.wait(deadline_ns);
  // A wake that came with the timeout or the kill counts: it took this waiter off the list.
  if (!w.woken) remove_waiter(list, &w);
  if (w.key.folio) w.key.folio->release();
  if (w.woken) return {};
  return waited;
}

size_t wake(const void* space, uintptr_t address, uint32_t count, uint32_t bitset, Scope scope) {
  size_t woken = 0;
  {
    SpinlockGuard guard(sched_lock);
    const Key key = key_of(space, address, scope);
    WaiterList& list = bucket_of(key);
    list.for_each([&](Waiter* w) NO_THREAD_SAFETY_ANALYSIS {
      if (woken == count || !(w->key == key) || !(w->bitset & bitset) || ending(*w->thread)) return;
      remove_waiter(list, w);
      w->woken = true;
      (void)w->queue.wake_one();
      ++woken;
    });
  }
  if (woken) sched::preempt_point();
  return woken;
}

size_t waiting() {
  SpinlockGuard guard(sched_lock);
  return waiter_count;
}

}  // namespace kernel::futex
