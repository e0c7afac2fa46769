// The handle table's reservations, as the syscalls use them: a reserved slot names nothing and
// holds no reference until it is filled, takes room while reserved, and comes back when
// cancelled; a filled one is an ordinary handle. And its growth: kFirstSlots to start with,
// doubled on demand up to kCapacity, each step charged to the process's silo, a step that
// cannot be had (quota, memory) a clean error.

#include <stellina/types.h>

#include "kernel/alloc_failure.h"
#include "kernel/channel.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/process.h"
#include "kernel/silo.h"

namespace kernel {
namespace {

namespace abi = stellina::abi;

void check_reservations(HandleTable& table, Channel* mine, Ref<Channel>& theirs)
    REQUIRES(sched_lock) {
  auto h = table.reserve();
  KREQUIRE(h.ok());
  KEXPECT(table.count() == 1);
  KEXPECT(table.lookup(h.value(), 0).error() == lib::Error::BadHandle);
  table.fill(h.value(), theirs.get(), abi::kRightRead);
  KEXPECT(table.get<Channel>(h.value(), abi::kRightRead).ok());
  theirs = Ref<Channel>();  // the table's handle keeps the end alive and open
  KEXPECT(!(mine->signals() & abi::kSignalPeerClosed));
  KEXPECT(table.close(h.value()).ok());  // the last handle: the peer hears of it
  KEXPECT(mine->signals() & abi::kSignalPeerClosed);

  // Reservations take room: a full table refuses more, and cancelling gives it back.
  static Handle reserved[HandleTable::kCapacity];
  KREQUIRE(table.reserve(reserved, HandleTable::kCapacity).ok());
  KEXPECT(table.reserve().error() == lib::Error::NoResources);
  table.cancel(reserved, HandleTable::kCapacity);
  KEXPECT(table.count() == 0);
  // All or none: when the second cannot be had, the first is given back.
  KREQUIRE(table.reserve(reserved, HandleTable::kCapacity - 1).ok());
  Handle two[2];
  KEXPECT(table.reserve(two, 2).error() == lib::Error::NoResources);
  KEXPECT(table.count() == HandleTable::kCapacity - 1);
  table.cancel(reserved, HandleTable::kCapacity - 1);
  KEXPECT(table.count() == 0);
}

KTEST(handle_table_reserve_fill_cancel) {
  auto created = Process::create_in_kernel("handles", {});
  KREQUIRE(created.ok());
  Ref<Process> process = Ref<Process>::adopt(created.value());
  Ref<Channel> mine, theirs;
  KREQUIRE(Channel::create_pair(&mine, &theirs).ok());
  {
    SpinlockGuard guard(sched_lock);
    check_reservations(process->handles(), mine.get(), theirs);
  }
  ktest_user::drop(process, mine, theirs);
}

constexpr size_t kSlotBytes = sizeof(HandleTable::Slots::Slot);

// Bytes the table's steps take once it has grown to capacity slots.
constexpr size_t grown_bytes_at(size_t capacity) {
  return (capacity - HandleTable::kFirstSlots) * kSlotBytes;
}

Ref<Process> process_in(Ref<Silo> silo) {
  auto created = Process::create_in_kernel("handles", {}, static_cast<Ref<Silo>&&>(silo));
  KASSERT(created.ok());
  return Ref<Process>::adopt(created.value());
}

Ref<Silo> silo_of(uint64_t pages) {
  auto created = Silo::create(Silo::root(), {pages, 0, 0});
  KASSERT(created.ok());
  return Ref<Silo>::adopt(created.value());
}

// Reserves until the table is full at its present size; returns how many it took.
size_t fill_up(HandleTable& table, Handle* reserved, size_t from) REQUIRES(sched_lock) {
  size_t n = from;
  while (table.count() < table.capacity()) reserved[n++] = table.reserve().value();
  return n;
}

KTEST(handle_table_doubles_up_to_its_limit_charged_to_its_silo) {
  static_assert(kSlotBytes == 16);
  Ref<Silo> silo = silo_of(0);  // no limit: only counted
  Ref<Process> process = process_in(silo);
  static Handle reserved[HandleTable::kCapacity];
  {
    SpinlockGuard guard(sched_lock);
    HandleTable& table = process->handles();
    KEXPECT(table.capacity() == HandleTable::kFirstSlots && table.grown_bytes() == 0);
    size_t n = 0;
    for (size_t capacity = HandleTable::kFirstSlots; capacity <= HandleTable::kCapacity;
         capacity *= 2) {
      n = fill_up(table, reserved, n);
      // At each boundary: full at this size, nothing grown past it yet.
      KEXPECT(n == capacity && table.capacity() == capacity);
      KEXPECT(table.grown_bytes() == grown_bytes_at(capacity));
      KEXPECT(silo->stats().memory_bytes == grown_bytes_at(capacity));
      if (capacity == HandleTable::kCapacity) break;
      // One more: the table doubles, and the new slot is a usable handle.
      reserved[n] = table.reserve().value();
      table.fill(reserved[n], process.get(), abi::kRightRead);
      KEXPECT(table.get<Process>(reserved[n], abi::kRightRead).ok());
      KEXPECT(table.close(reserved[n]).ok());
      reserved[n] = table.reserve().value();  // its slot again, for the count
      ++n;
      KEXPECT(table.capacity() == 2 * capacity);
    }
    // Past the limit: the error it always was.
    KEXPECT(table.reserve().error() == lib::Error::NoResources);
    KEXPECT(table.install(process.get(), 0).error() == lib::Error::NoResources);
    table.cancel(reserved, n);
    // The steps stay until the process goes.
    KEXPECT(table.count() == 0 && table.capacity() == HandleTable::kCapacity);
  }
  ktest_user::drop(process);
  KEXPECT(silo->stats().memory_bytes == 0);
  ktest_user::drop(silo);
}

KTEST(handle_table_growth_refused_by_quota_or_memory_is_a_clean_error) {
  // One page of quota holds the steps to 256 slots (3,584 bytes) but not the next (4,096).
  Ref<Silo> silo = silo_of(1);
  Ref<Process> process = process_in(silo);
  static Handle reserved[HandleTable::kCapacity];
  {
    SpinlockGuard guard(sched_lock);
    HandleTable& table = process->handles();
    size_t n = 0;
    while (table.capacity() < 256) {
      n = fill_up(table, reserved, n);
      reserved[n++] = table.reserve().value();
    }
    n = fill_up(table, reserved, n);
    KEXPECT(n == 256 && silo->stats().memory_bytes == grown_bytes_at(256));
    KEXPECT(table.reserve().error() == lib::Error::QuotaExceeded);
    Handle two[2];
    KEXPECT(table.reserve(two, 2).error() == lib::Error::QuotaExceeded);
    KEXPECT(table.install(process.get(), 0).error() == lib::Error::QuotaExceeded);
    // Nothing changed: same size, same handles, no charge past the quota.
    KEXPECT(table.count() == 256 && table.capacity() == 256);
    KEXPECT(silo->stats().memory_bytes == grown_bytes_at(256));
    KEXPECT(silo->stats().quota_failures == 3);  // reserve, reserve(2), install
    table.cancel(reserved, n);
  }
  ktest_user::drop(process);
  KEXPECT(silo->stats().memory_bytes == 0);

  // Out of memory: the allocation of the step fails, nothing is charged or changed.
  process = process_in(silo);
  {
    SpinlockGuard guard(sched_lock);
    HandleTable& table = process->handles();
    const size_t n = fill_up(table, reserved, 0);
    alloc_failure::arm(1);
    const auto refused = table.reserve();
    KEXPECT(alloc_failure::disarm());
    KEXPECT(!refused.ok() && refused.error() == lib::Error::NoMemory);
    KEXPECT(table.capacity() == HandleTable::kFirstSlots && table.count() == n);
    KEXPECT(silo->stats().memory_bytes == 0);
    // The next try succeeds: the failure left nothing behind.
    const auto again = table.reserve();
    KEXPECT(again.ok() && table.capacity() == 2 * HandleTable::kFirstSlots);
    if (again.ok()) table.cancel(again.value());
    table.cancel(reserved, n);
  }
  ktest_user::drop(process);
  KEXPECT(silo->stats().memory_bytes == 0);
  ktest_user::drop(silo);
}

}  // namespace
}  // namespace kernel
