#pragma once
// Linux's x86_64 system call ABI, as far as the personality serves it: call numbers
// (arch/x86/entry/syscalls/syscall_64.tbl), errno values (include/uapi/asm-generic/errno*.h)
// and the structures the calls copy in and out. These are Linux's facts, kept apart from
// Stellina's own ABI (abi/), which Linux programs never see.

#include <stddef.h>
#include <stdint.h>

namespace kernel::linux_abi {

// Call numbers.
enum Sys : uint64_t {
  kRead = 0,
  kWrite = 1,
  kMmap = 9,
  kMprotect = 10,
  kMunmap = 11,
  kBrk = 12,
  kRtSigaction = 13,
  kRtSigprocmask = 14,
  kIoctl = 16,
  kWritev = 20,
  kGetpid = 39,
  kExit = 60,
  kUname = 63,
  kGetuid = 102,
  kGetgid = 104,
  kGeteuid = 107,
  kGetegid = 108,
  kGetppid = 110,
  kArchPrctl = 158,
  kGettid = 186,
  kSetTidAddress = 218,
  kClockGettime = 228,
  kExitGroup = 231,
  kSetRobustList = 273,
  kPrlimit64 = 302,
  kGetrandom = 318,
};
// Numbers at or above this are counted together as one (no Linux call is numbered that high
// today but the x32 range, which the x86_64 ABI refuses).
constexpr uint64_t kCountedCalls = 512;

// Error numbers: a call returns -errno.
enum Errno : int64_t {
  kEperm = 1,
  kEnoent = 2,
  kEsrch = 3,
  kEintr = 4,
  kEio = 5,
  kEbadf = 9,
  kEagain = 11,
  kEnomem = 12,
  kEacces = 13,
  kEfault = 14,
  kEexist = 17,
  kEnodev = 19,
  kEinval = 22,
  kEnotty = 25,
  kEpipe = 32,
  kErange = 34,
  kEnosys = 38,
};

// mmap and mprotect.
constexpr uint64_t kProtRead = 1, kProtWrite = 2, kProtExec = 4;
constexpr uint64_t kMapShared = 0x01, kMapPrivate = 0x02, kMapFixed = 0x10, kMapAnonymous = 0x20,
                   kMapFixedNoReplace = 0x100000;
constexpr int64_t kMapFailed = -1;

// arch_prctl.
constexpr uint64_t kArchSetGs = 0x1001, kArchSetFs = 0x1002, kArchGetFs = 0x1003,
                   kArchGetGs = 0x1004;

// ioctl.
constexpr uint64_t kTcgets = 0x5401, kTiocgwinsz = 0x5413;

// rt_sigprocmask.
constexpr uint64_t kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;
constexpr uint64_t kSignals = 64;
constexpr int kSigKill = 9, kSigStop = 19;

// clock_gettime's clocks: the ones served.
constexpr uint64_t kClockRealtime = 0, kClockMonotonic = 1, kClockProcessCputime = 2,
                   kClockThreadCputime = 3, kClockMonotonicRaw = 4, kClockRealtimeCoarse = 5,
                   kClockMonotonicCoarse = 6, kClockBoottime = 7;

// getrandom's flags.
constexpr uint64_t kGrndNonblock = 1, kGrndRandom = 2, kGrndInsecure = 4;

// prlimit64's resources (RLIM_NLIMITS of them) and "no limit".
constexpr uint64_t kRlimitNofile = 7, kRlimitStack = 3, kRlimits = 16;
constexpr uint64_t kRlimInfinity = ~uint64_t{0};

struct Iovec {
  uint64_t base;
  uint64_t len;
};
constexpr size_t kIovMax = 1024;

struct Timespec {
  int64_t sec;
  int64_t nsec;
};

struct Utsname {
  char sysname[65];
  char nodename[65];
  char release[65];
  char version[65];
  char machine[65];
  char domainname[65];
};

// The kernel's struct sigaction for rt_sigaction (not libc's): handler, flags, restorer, mask.
struct Sigaction {
  uint64_t handler;
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};

struct Rlimit {
  uint64_t cur;
  uint64_t max;
};

struct Winsize {
  uint16_t rows, cols, xpixel, ypixel;
};

}  // namespace kernel::linux_abi
