// The handle table's reservations, as the syscalls use them: a reserved slot names nothing and
// holds no reference until it is filled, takes room while reserved, and comes back when
// cancelled; a filled one is an ordinary handle.

#include <stellina/types.h>

#include "kernel/channel.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/process.h"

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

}  // namespace
}  // namespace kernel
