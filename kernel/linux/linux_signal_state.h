#pragma once
// What a thread of a Linux process keeps of its signals (kernel/linux/linux_signal.h): its
// mask, the signals sent to it alone, its alternate stack. Kept in every Thread (a few
// words), used only by Linux processes' threads, read and changed under sched_lock.

#include <stdint.h>

namespace kernel {

// What a pending signal carries into its siginfo_t: who sent it or what faulted.
struct LinuxSignalInfo {
  int32_t code;    // si_code
  int32_t status;  // SIGCHLD: si_status
  uint64_t word;   // si_pid and si_uid (kill, SIGCHLD, sigqueue), or si_addr (a fault)
  uint64_t value;  // sigqueue's si_value (the same bytes of siginfo_t as si_status)
};

struct LinuxThreadSignals {
  static constexpr int kSignals = 64;
  uint64_t mask = 0;     // blocked
  uint64_t pending = 0;  // sent to this thread (tgkill, its own faults, SIGPIPE)
  // rt_sigtimedwait's set while it waits: unblocked so that they wake it, yet neither
  // ignored nor fatal on arrival, as blocked ones (Linux's real_blocked).
  uint64_t waited_for = 0;
  LinuxSignalInfo info[kSignals] = {};
  // sigaltstack: the base, size and flags (0, or SS_DISABLE).
  uint64_t altstack_sp = 0;
  uint64_t altstack_size = 0;
  bool altstack_enabled = false;
  // rt_sigsuspend's mask, put back once a handler has run (its frame saves the old mask).
  bool restore_mask = false;
  uint64_t saved_mask = 0;
};

}  // namespace kernel
