#pragma once
// Linux's x86_64 signal ABI, as far as the personality delivers signals: numbers, sigaction's
// flags, sigaltstack's, the codes of siginfo_t, the restart codes a call interrupted by a
// signal returns inside the kernel, and the rt signal frame a handler runs on
// (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h, signal.h; include/uapi/asm-generic/
// siginfo.h; arch/x86/kernel/signal.c's layout).

#include <stddef.h>
#include <stdint.h>

#include "kernel/linux/linux_abi.h"  // Timeval

namespace kernel::linux_abi {

enum SignalSys : uint64_t {
  kRtSigpending = 127,
  kRtSigsuspend = 130,
  kSigaltstack = 131,
  kRtSigreturn = 15,
  kPause = 34,
  kGetitimer = 36,
  kAlarm = 37,
  kSetitimer = 38,
  kTkill = 200,
  kRtSigtimedwait = 128,
  kRtSigqueueinfo = 129,
  kRtTgsigqueueinfo = 297,
};

constexpr int kSigHup = 1, kSigInt = 2, kSigQuit = 3, kSigIll = 4, kSigTrap = 5, kSigAbrt = 6,
              kSigBus = 7, kSigFpe = 8, kSigUsr1 = 10, kSigPipe = 13, kSigAlrm = 14, kSigTerm = 15,
              kSigXcpu = 24, kSigXfsz = 25, kSigSys = 31;
// The real-time signals: each one sent is queued with its siginfo.
constexpr int kSigRtmin = 32, kSigRtmax = 64;

// sigaction's flags.
constexpr uint64_t kSaNocldstop = 1, kSaSiginfo = 4, kSaOnstack = 0x08000000,
                   kSaRestart = 0x10000000, kSaNodefer = 0x40000000, kSaResethand = 0x80000000,
                   kSaRestorer = 0x04000000;

// sigaltstack: its flags and the smallest stack it takes.
constexpr int32_t kSsOnstack = 1, kSsDisable = 2;
constexpr uint32_t kSsAutodisarm = 1u << 31;
constexpr uint64_t kMinSigstksz = 2048;

// si_code values.
constexpr int32_t kSiUser = 0, kSiKernel = 0x80, kSiQueue = -1, kSiTkill = -6;
constexpr int32_t kSegvMaperr = 1, kSegvAccerr = 2, kBusAdraln = 1, kIllIllopn = 2, kFpeIntdiv = 1,
                  kFpeFltinv = 7, kTrapBrkpt = 1;
constexpr int32_t kCldDumped = 3, kCldStopped = 5, kCldContinued = 6;

// What a call interrupted by a signal returns on its way out (never seen by user code):
// restarted if no handler runs; with a handler, EINTR, or restarted under SA_RESTART
// (kErestartsys) or always (kErestartnointr).
constexpr int64_t kErestartsys = 512, kErestartnointr = 513, kErestartnohand = 514;

constexpr int32_t kIntrErrno = 4;  // EINTR

// setitimer's timers: only ITIMER_REAL is served.
constexpr uint64_t kItimerReal = 0;
struct Itimerval {
  Timeval interval;
  Timeval value;
};

struct StackT {
  uint64_t sp;
  int32_t flags;
  int32_t pad;
  uint64_t size;
};
static_assert(sizeof(StackT) == 24);

// struct sigcontext: the registers in Linux's order.
struct Sigcontext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;  // the FPU state's address (0: none, the initial state)
  uint64_t reserved[8];
};
static_assert(sizeof(Sigcontext) == 256);

// The kernel's struct ucontext (not libc's larger ucontext_t, whose head it is).
struct Ucontext {
  uint64_t flags;
  uint64_t link;
  StackT stack;
  Sigcontext mcontext;
  uint64_t sigmask;
};
static_assert(sizeof(Ucontext) == 304);
constexpr uint64_t kUcFpXstate = 1, kUcSigcontextSs = 2, kUcStrictRestoreSs = 4;

// siginfo_t: 128 bytes, the union at offset 16.
struct SignalSiginfo {
  int32_t signo;
  int32_t errno_value;
  int32_t code;
  int32_t pad;
  uint64_t word;   // si_pid and si_uid, or si_addr
  uint64_t value;  // SIGCHLD's si_status (the low half), or sigqueue's si_value
  int32_t rest[24];
};
static_assert(sizeof(SignalSiginfo) == 128);

// What the kernel writes below the interrupted stack: the return address (sa_restorer,
// which calls rt_sigreturn), the context and the siginfo; the FPU state lies above it.
struct RtSigframe {
  uint64_t pretcode;
  Ucontext uc;
  SignalSiginfo info;
};
static_assert(sizeof(RtSigframe) == 440);
static_assert(offsetof(RtSigframe, info) == 312);

// The FPU state's software bytes (struct _fpx_sw_bytes at byte 464 of the legacy area) and
// the word after the XSAVE area, which tell a reader the state is XSAVE's.
constexpr uint32_t kFpXstateMagic1 = 0x46505853, kFpXstateMagic2 = 0x46505845;
constexpr size_t kFpxSwBytesOffset = 464;
struct FpxSwBytes {
  uint32_t magic1;
  uint32_t extended_size;
  uint64_t xfeatures;
  uint32_t xstate_size;
  uint32_t padding[7];
};
static_assert(sizeof(FpxSwBytes) == 48);

// Linux's selectors for 64-bit user code and data, as a frame reports them.
constexpr uint16_t kLinuxUserCs = 0x33, kLinuxUserDs = 0x2b;

// The red zone below a function's stack pointer (the System V ABI's 128 bytes), which a
// frame on the same stack skips.
constexpr uint64_t kRedZone = 128;

}  // namespace kernel::linux_abi
