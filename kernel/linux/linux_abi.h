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
  kOpen = 2,
  kClose = 3,
  kStat = 4,
  kFstat = 5,
  kLstat = 6,
  kPoll = 7,
  kLseek = 8,
  kMmap = 9,
  kMprotect = 10,
  kMunmap = 11,
  kBrk = 12,
  kRtSigaction = 13,
  kRtSigprocmask = 14,
  kIoctl = 16,
  kPread64 = 17,
  kPwrite64 = 18,
  kReadv = 19,
  kWritev = 20,
  kAccess = 21,
  kPipe = 22,
  kDup = 32,
  kDup2 = 33,
  kGetpid = 39,
  kSendfile = 40,
  kExit = 60,
  kUname = 63,
  kFcntl = 72,
  kFsync = 74,
  kFdatasync = 75,
  kTruncate = 76,
  kFtruncate = 77,
  kGetcwd = 79,
  kChdir = 80,
  kFchdir = 81,
  kRename = 82,
  kMkdir = 83,
  kRmdir = 84,
  kLink = 86,
  kUnlink = 87,
  kSymlink = 88,
  kReadlink = 89,
  kChmod = 90,
  kFchmod = 91,
  kUmask = 95,
  kGetrlimit = 97,
  kSysinfo = 99,
  kGetuid = 102,
  kGetgid = 104,
  kGeteuid = 107,
  kGetegid = 108,
  kSetpgid = 109,
  kGetppid = 110,
  kGetpgrp = 111,
  kSetsid = 112,
  kGetpgid = 121,
  kGetsid = 124,
  kArchPrctl = 158,
  kGettid = 186,
  kGetdents64 = 217,
  kSetTidAddress = 218,
  kClockGettime = 228,
  kExitGroup = 231,
  kOpenat = 257,
  kMkdirat = 258,
  kNewfstatat = 262,
  kUnlinkat = 263,
  kRenameat = 264,
  kLinkat = 265,
  kSymlinkat = 266,
  kReadlinkat = 267,
  kFchmodat = 268,
  kFaccessat = 269,
  kPpoll = 271,
  kSetRobustList = 273,
  kUtimensat = 280,
  kDup3 = 292,
  kPipe2 = 293,
  kPrlimit64 = 302,
  kRenameat2 = 316,
  kGetrandom = 318,
  kStatx = 332,
  kFaccessat2 = 439,
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
  kEnxio = 6,
  kEbadf = 9,
  kEagain = 11,
  kEnomem = 12,
  kEacces = 13,
  kEfault = 14,
  kEbusy = 16,
  kEexist = 17,
  kExdev = 18,
  kEnodev = 19,
  kEnotdir = 20,
  kEisdir = 21,
  kEinval = 22,
  kEmfile = 24,
  kEnotty = 25,
  kEfbig = 27,
  kEnospc = 28,
  kEspipe = 29,
  kErofs = 30,
  kEpipe = 32,
  kErange = 34,
  kEnametoolong = 36,
  kEnosys = 38,
  kEnotempty = 39,
  kEloop = 40,
  kEopnotsupp = 95,
  kEuclean = 117,  // "structure needs cleaning": what Linux's file systems say of corruption
};

// open's flags (x86_64 values).
constexpr uint64_t kOAccmode = 03, kORdonly = 0, kOWronly = 01, kORdwr = 02, kOCreat = 0100,
                   kOExcl = 0200, kONoctty = 0400, kOTrunc = 01000, kOAppend = 02000,
                   kONonblock = 04000, kODsync = 010000, kOAsync = 020000, kODirect = 040000,
                   kOLargefile = 0100000, kODirectory = 0200000, kONofollow = 0400000,
                   kONoatime = 01000000, kOCloexec = 02000000, kOSync = 04010000,
                   kOPath = 010000000, kOTmpfile = 020200000;
// The *at calls.
constexpr int64_t kAtFdcwd = -100;
constexpr uint64_t kAtSymlinkNofollow = 0x100, kAtRemovedir = 0x200, kAtEaccess = 0x200,
                   kAtSymlinkFollow = 0x400, kAtNoAutomount = 0x800, kAtEmptyPath = 0x1000,
                   kAtStatxSyncType = 0x6000;
// fcntl.
constexpr uint64_t kFDupfd = 0, kFGetfd = 1, kFSetfd = 2, kFGetfl = 3, kFSetfl = 4,
                   kFDupfdCloexec = 1030, kFdCloexec = 1;
// lseek.
constexpr uint64_t kSeekSet = 0, kSeekCur = 1, kSeekEnd = 2;
// access.
constexpr uint64_t kFOk = 0, kXOk = 1, kWOk = 2, kROk = 4;
// utimensat's special nanoseconds.
constexpr int64_t kUtimeNow = (1l << 30) - 1, kUtimeOmit = (1l << 30) - 2;
// getdents64's d_type.
constexpr uint8_t kDtUnknown = 0, kDtChr = 2, kDtDir = 4, kDtReg = 8, kDtLnk = 10;
constexpr size_t kPathMax = 4096;  // bytes of a path with its NUL

// struct stat for stat, fstat, lstat, newfstatat.
struct Stat {
  uint64_t dev;
  uint64_t ino;
  uint64_t nlink;
  uint32_t mode;
  uint32_t uid;
  uint32_t gid;
  uint32_t pad0;
  uint64_t rdev;
  int64_t size;
  int64_t blksize;
  int64_t blocks;
  int64_t atime_sec, atime_nsec;
  int64_t mtime_sec, mtime_nsec;
  int64_t ctime_sec, ctime_nsec;
  int64_t unused[3];
};
static_assert(sizeof(Stat) == 144);

struct StatxTimestamp {
  int64_t sec;
  uint32_t nsec;
  int32_t reserved;
};
struct Statx {
  uint32_t mask;
  uint32_t blksize;
  uint64_t attributes;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint16_t mode;
  uint16_t spare0;
  uint64_t ino;
  uint64_t size;
  uint64_t blocks;
  uint64_t attributes_mask;
  StatxTimestamp atime, btime, ctime, mtime;
  uint32_t rdev_major, rdev_minor;
  uint32_t dev_major, dev_minor;
  uint64_t spare2[14];
};
static_assert(sizeof(Statx) == 256);
// What statx fills: type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks.
constexpr uint32_t kStatxBasicStats = 0x7ff;

// getdents64's record header; the name and its NUL follow, the record padded to 8 bytes.
struct Dirent64 {
  uint64_t ino;
  int64_t off;
  uint16_t reclen;
  uint8_t type;
};
constexpr size_t kDirent64NameOffset = 19;

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
constexpr uint64_t kRlimitNofile = 7, kRlimitStack = 3, kRlimitSigpending = 11, kRlimits = 16;
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

struct Timeval {
  int64_t sec;
  int64_t usec;
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
