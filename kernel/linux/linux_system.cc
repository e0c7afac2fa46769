// sysinfo, and link/linkat, which the file protocol cannot express (abi/stellina/file.h has
// no operation that gives a file a second name): refused with EPERM, as Linux refuses a
// hard link on a file system without them, after the checks Linux makes first.

#include "kernel/linux/linux_calls.h"
#include "kernel/pmm.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

namespace kernel::linux_calls {

using namespace linux_abi;

namespace {

// struct sysinfo on x86_64.
struct Sysinfo {
  int64_t uptime;
  uint64_t loads[3];
  uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
  uint16_t procs, pad;
  uint64_t totalhigh, freehigh;
  uint32_t mem_unit;
  char reserved[4];
};
static_assert(sizeof(Sysinfo) == 112);

constexpr uint64_t kFOk = 0;

}  // namespace

int64_t sysinfo(uint64_t address) {
  Sysinfo info{};
  info.uptime = int64_t(arch::now_ns() / 1'000'000'000);
  // No load average is kept: loads stay 0. Memory is the machine's, in bytes (mem_unit 1);
  // there is no swap, no high memory and no buffer cache in the kernel.
  info.totalram = pmm::total_page_count() * arch::kPageSize;
  info.freeram = pmm::free_page_count() * arch::kPageSize;
  const size_t threads = Thread::count();  // Linux counts tasks
  info.procs = threads > UINT16_MAX ? UINT16_MAX : uint16_t(threads);
  info.mem_unit = 1;
  return UserOut<Sysinfo>(address).write(&info).ok() ? 0 : -kEfault;
}

int64_t linkat(LinuxProcess& lp, int64_t olddirfd, uint64_t oldpath, int64_t newdirfd,
               uint64_t newpath, uint64_t flags) {
  if (flags & ~(kAtSymlinkFollow | kAtEmptyPath)) return -kEinval;
  // What Linux checks before it asks the file system: the old name exists (followed only
  // with AT_SYMLINK_FOLLOW), the new one does not.
  const uint64_t follow = (flags & kAtSymlinkFollow) ? 0 : kAtSymlinkNofollow;
  const uint64_t empty = flags & kAtEmptyPath;
  int64_t e = file_syscall(lp, kFaccessat2, uint64_t(olddirfd), oldpath, kFOk, follow | empty, 0);
  if (e) return e;
  e = file_syscall(lp, kFaccessat2, uint64_t(newdirfd), newpath, kFOk, kAtSymlinkNofollow, 0);
  if (e == 0) return -kEexist;
  if (e != -kEnoent) return e;
  return -kEperm;
}

}  // namespace kernel::linux_calls
