#pragma once
// Linux's x86_64 ABI for processes and threads, as far as the personality serves it: call
// numbers (arch/x86/entry/syscalls/syscall_64.tbl), clone's flags, wait's status encoding
// and options (include/uapi/linux/sched.h, wait.h), futex operations (linux/futex.h).

#include <stdint.h>

namespace kernel::linux_abi {

enum TaskSys : uint64_t {
  kSchedYield = 24,
  kNanosleep = 35,
  kClone = 56,
  kFork = 57,
  kVfork = 58,
  kWait4 = 61,
  kKill = 62,
  kFutex = 202,
  kClockNanosleep = 230,
  kTgkill = 234,
  kWaitid = 247,
  kClone3 = 435,
};

constexpr int64_t kEchild = 10;
constexpr int64_t kEtimedout = 110;

// clone's flags: the low byte is the signal sent to the parent when the child ends.
constexpr uint64_t kCsignal = 0xff;
constexpr uint64_t kCloneVm = 0x100, kCloneFs = 0x200, kCloneFiles = 0x400, kCloneSighand = 0x800,
                   kClonePidfd = 0x1000, kClonePtrace = 0x2000, kCloneVfork = 0x4000,
                   kCloneParent = 0x8000, kCloneThread = 0x10000, kCloneNewns = 0x20000,
                   kCloneSysvsem = 0x40000, kCloneSettls = 0x80000, kCloneParentSettid = 0x100000,
                   kCloneChildCleartid = 0x200000, kCloneDetached = 0x400000,
                   kCloneUntraced = 0x800000, kCloneChildSettid = 0x1000000;
// What a thread shares with the thread that made it: glibc's pthread_create asks for all.
constexpr uint64_t kCloneThreadShares =
    kCloneVm | kCloneFs | kCloneFiles | kCloneSighand | kCloneThread | kCloneSysvsem;

// wait4's and waitid's options, waitid's id types and the codes of its siginfo.
constexpr uint64_t kWnohang = 1, kWuntraced = 2, kWexited = 4, kWcontinued = 8,
                   kWnowait = 0x01000000, kWnothread = 0x20000000, kWall = 0x40000000,
                   kWclone = 0x80000000;
constexpr uint64_t kPAll = 0, kPPid = 1, kPPgid = 2;
constexpr int32_t kCldExited = 1, kCldKilled = 2;

// siginfo_t as waitid fills it for SIGCHLD (128 bytes).
struct Siginfo {
  int32_t signo;
  int32_t errno_value;
  int32_t code;
  int32_t pad;
  int32_t pid;
  uint32_t uid;
  int32_t status;
  int32_t rest[25];
};
static_assert(sizeof(Siginfo) == 128);

// futex's operations and flags.
constexpr uint64_t kFutexWait = 0, kFutexWake = 1, kFutexWaitBitset = 9, kFutexWakeBitset = 10;
constexpr uint64_t kFutexPrivateFlag = 128, kFutexClockRealtime = 256;

// clock_nanosleep's flag.
constexpr uint64_t kTimerAbstime = 1;

// Signals the personality acts on (kill, tgkill).
constexpr int kSigSegv = 11, kSigChld = 17, kSigCont = 18, kSigTstp = 20, kSigTtin = 21,
              kSigTtou = 22, kSigUrg = 23, kSigWinch = 28;
constexpr uint64_t kSigDfl = 0, kSigIgn = 1;

struct Rusage {
  uint64_t words[18];  // struct rusage: two timevals and fourteen longs, all reported as 0
};

}  // namespace kernel::linux_abi
