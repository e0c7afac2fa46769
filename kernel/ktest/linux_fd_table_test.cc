// The Linux personality's descriptor table (kernel/linux/linux_fd_table.h): its bound of
// kMaxFds descriptors at and past the limit, dup's shared descriptions, and copy_for_fork,
// which gives a child the same descriptors over duplicates of the parent's handles.

#include "kernel/linux/linux_fd_table.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/linux/linux_abi.h"
#include "kernel/process.h"

namespace kernel {
namespace {

namespace abi = stellina::abi;

KTEST(linux_fd_table_limit_dup_and_copy_for_fork) {
  auto parent_made = Process::create_in_kernel("fds-parent", {});
  auto child_made = Process::create_in_kernel("fds-child", {});
  KREQUIRE(parent_made.ok() && child_made.ok());
  Ref<Process> parent = Ref<Process>::adopt(parent_made.value());
  Ref<Process> child = Ref<Process>::adopt(child_made.value());
  Ref<Channel> mine, theirs;
  KREQUIRE(Channel::create_pair(&mine, &theirs).ok());

  static LinuxFdTable fds, copy;  // 2 KiB each: not on the kernel stack
  fds = LinuxFdTable();
  copy = LinuxFdTable();
  fds.init(&Silo::root());
  copy.init(&Silo::root());
  abi::Handle h;
  {
    SpinlockGuard guard(sched_lock);
    auto installed = parent->handles().install(mine.get(), abi::kRightsAll);
    KREQUIRE(installed.ok());
    h = installed.value();
  }
  auto stream = fds.make(LinuxFileKind::Stream, uint32_t(linux_abi::kOWronly), h);
  auto file = fds.make(LinuxFileKind::File, uint32_t(linux_abi::kORdonly), abi::kInvalidHandle,
                       "/a/file", 7);
  KREQUIRE(stream.ok() && file.ok());
  file.value()->position->offset = 42;
  {
    SpinlockGuard guard(sched_lock);
    KEXPECT(fds.install(stream.value()).value() == 0);
    KEXPECT(fds.install(file.value(), 3, true).value() == 3);
    fds.install_at(5, stream.value(), false, &parent->handles());  // dup2(0, 5)
  }
  KEXPECT(fds.get(5) == fds.get(0) && stream.value()->refs == 2);

  // Every free descriptor filled: the 256th is the last, then NoResources (EMFILE).
  int last = -1;
  for (;;) {
    auto device = fds.make(LinuxFileKind::Null, 0, abi::kInvalidHandle);
    KREQUIRE(device.ok());
    SpinlockGuard guard(sched_lock);
    auto fd = fds.install(device.value());
    if (!fd.ok()) {
      KEXPECT(fd.error() == lib::Error::NoResources);
      fds.release(device.value(), nullptr);
      break;
    }
    last = fd.value();
  }
  KEXPECT(last == LinuxFdTable::kMaxFds - 1);
  KEXPECT(fds.open_count() == LinuxFdTable::kMaxFds);
  KEXPECT(fds.get(LinuxFdTable::kMaxFds) == nullptr && fds.get(-1) == nullptr);

  {
    SpinlockGuard guard(sched_lock);
    KREQUIRE(fds.copy_for_fork(copy, parent->handles(), child->handles()).ok());
  }
  KEXPECT(copy.open_count() == LinuxFdTable::kMaxFds);
  // One description for 0 and 5 in the child too, over a handle of its own to the same
  // channel end.
  LinuxOpenFile* copied = copy.get(0);
  KREQUIRE(copied && copied != stream.value());
  KEXPECT(copy.get(5) == copied && copied->refs == 2);
  {
    SpinlockGuard guard(sched_lock);
    auto entry = child->handles().lookup(copied->handle, abi::kRightWrite);
    KEXPECT(entry.ok() && entry.value().object == static_cast<Object*>(mine.get()));
    KEXPECT(child->handles().count() == 1);
  }
  // The child's description shares the parent's position (fork: one offset for both).
  LinuxFilePosition* position = file.value()->position;
  KEXPECT(copy.get(3)->position == position && position->refs == 2);
  KEXPECT(position->offset == 42 && copy.close_on_exec(3) && !copy.close_on_exec(0));
  KEXPECT(copy.get(0)->position == nullptr);  // a stream has none
  KEXPECT(copy.get(3)->path_size == 7 && copy.get(3)->path[0] == '/');

  {
    SpinlockGuard guard(sched_lock);
    // exec closes only the close-on-exec ones; closing both tables closes the handles.
    copy.close_on_exec_all(&child->handles());
    KEXPECT(copy.get(3) == nullptr && copy.get(0) != nullptr);
    KEXPECT(position->refs == 1);  // the parent's still holds it
    KEXPECT(fds.close(3, &parent->handles()).ok());
    KEXPECT(!fds.close(3, &parent->handles()).ok());  // EBADF
    copy.close_all(&child->handles());
    fds.close_all(&parent->handles());
    KEXPECT(child->handles().count() == 0 && parent->handles().count() == 0);
  }
  KEXPECT(copy.open_count() == 0 && fds.open_count() == 0);
  ktest_user::drop(parent, child, mine, theirs);
}

}  // namespace
}  // namespace kernel
