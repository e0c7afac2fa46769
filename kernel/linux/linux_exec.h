#pragma once
// execve and execveat (linux_exec.cc): the calling Linux process runs a new program read
// from its own namespace session. See docs/linux.md, "Exec".

#include <stdint.h>

#include "kernel/linux/linux_process.h"

namespace kernel {

namespace linux_abi {

constexpr uint64_t kExecve = 59;
constexpr uint64_t kExecveat = 322;
constexpr int64_t kE2big = 7;
constexpr int64_t kEnoexec = 8;

}  // namespace linux_abi

namespace linux_calls {

// -errno with the process unchanged, or 0 into the new program (the call's frame rewritten:
// its registers cleared, its stack and entry the new image's). A process ended meanwhile
// ends the calling thread here.
int64_t execve(LinuxProcess& lp, uint64_t path, uint64_t argv, uint64_t envp);
int64_t execveat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t argv, uint64_t envp,
                 uint64_t flags);

}  // namespace linux_calls

}  // namespace kernel
