#pragma once
// The Linux calls the personality serves, grouped by file: linux_io.cc (the standard
// streams), linux_memory.cc (the break and anonymous mappings), linux_syscall.cc (the
// dispatcher, the process's identity, time, randomness, signal state, limits). Each returns
// the call's value or -errno; arguments are the raw registers, checked here.

#include <lib/result.h>

#include "kernel/linux/linux_abi.h"
#include "kernel/linux/linux_process.h"

namespace kernel::linux_calls {

// -errno for a kernel error, the one translation.
int64_t errno_of(lib::Error e);

int64_t read(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count);
int64_t write(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count);
int64_t writev(LinuxProcess& lp, uint64_t fd, uint64_t iov, uint64_t iovcnt);
int64_t ioctl(LinuxProcess& lp, uint64_t fd, uint64_t request, uint64_t argument);

int64_t brk(LinuxProcess& lp, uint64_t address);
int64_t mmap(LinuxProcess& lp, uint64_t address, uint64_t length, uint64_t prot, uint64_t flags,
             uint64_t fd, uint64_t offset);
int64_t munmap(uint64_t address, uint64_t length);
int64_t mprotect(uint64_t address, uint64_t length, uint64_t prot);

}  // namespace kernel::linux_calls
