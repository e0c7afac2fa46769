#pragma once
// The Linux calls for processes and threads: linux_fork.cc (fork, vfork, clone, wait4,
// waitid),
// linux_thread.cc (exit of one thread, thread ids, set_tid_address, futex, sleeping and
// yielding); signals are linux_signal.h's. Each returns the call's value or -errno; arguments are
// the raw registers, checked here.

#include <stdint.h>

#include "kernel/linux/linux_process.h"

namespace kernel::linux_calls {

int64_t clone(LinuxProcess& lp, uint64_t flags, uint64_t stack, uint64_t parent_tid,
              uint64_t child_tid, uint64_t tls);
int64_t fork(LinuxProcess& lp);
int64_t vfork(LinuxProcess& lp);
int64_t wait4(LinuxProcess& lp, uint64_t pid, uint64_t status, uint64_t options, uint64_t rusage);
int64_t waitid(LinuxProcess& lp, uint64_t which, uint64_t id, uint64_t info, uint64_t options,
               uint64_t rusage);

// exit: ends the calling thread (the process ends with its last thread).
[[noreturn]] void exit_thread(LinuxProcess& lp, uint64_t status);
int64_t gettid(LinuxProcess& lp);
int64_t set_tid_address(LinuxProcess& lp, uint64_t address);
int64_t futex(uint64_t address, uint64_t op, uint64_t value, uint64_t timeout, uint64_t address2,
              uint64_t value3);
int64_t nanosleep(uint64_t request, uint64_t remaining);
int64_t clock_nanosleep(uint64_t clock, uint64_t flags, uint64_t request, uint64_t remaining);
int64_t sched_yield();

}  // namespace kernel::linux_calls
