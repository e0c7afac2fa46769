#pragma once
// The WASI preview 1 functions Stellina's runner implements, one host function each, named
// as the ABI names them (wasi_host.cc binds them by name). Arguments and results are those
// of wasi_snapshot_preview1; every pointer is checked against the module's memory (EFAULT
// when it is outside).
#include "wasi_host.h"

namespace wasi_host::calls {

using wasm::HostCall;
using wasm::Trap;

// NOLINTBEGIN(readability-identifier-naming): the ABI's names
// The process (wasi_calls.cc).
Trap args_sizes_get(HostCall& c);
Trap args_get(HostCall& c);
Trap environ_sizes_get(HostCall& c);
Trap environ_get(HostCall& c);
Trap clock_res_get(HostCall& c);
Trap clock_time_get(HostCall& c);
Trap random_get(HostCall& c);
Trap sched_yield(HostCall& c);
Trap poll_oneoff(HostCall& c);
Trap proc_exit(HostCall& c);
// Descriptors (wasi_files.cc).
Trap fd_read(HostCall& c);
Trap fd_pread(HostCall& c);
Trap fd_write(HostCall& c);
Trap fd_pwrite(HostCall& c);
Trap fd_seek(HostCall& c);
Trap fd_tell(HostCall& c);
Trap fd_close(HostCall& c);
Trap fd_sync(HostCall& c);
Trap fd_fdstat_get(HostCall& c);
Trap fd_fdstat_set_flags(HostCall& c);
Trap fd_filestat_get(HostCall& c);
Trap fd_filestat_set_size(HostCall& c);
Trap fd_prestat_get(HostCall& c);
Trap fd_prestat_dir_name(HostCall& c);
Trap fd_readdir(HostCall& c);
// Paths (wasi_files.cc).
Trap path_open(HostCall& c);
Trap path_filestat_get(HostCall& c);
Trap path_create_directory(HostCall& c);
Trap path_unlink_file(HostCall& c);
Trap path_remove_directory(HostCall& c);
Trap path_rename(HostCall& c);
Trap path_symlink(HostCall& c);
Trap path_readlink(HostCall& c);
Trap fd_filestat_set_times(HostCall& c);
Trap path_filestat_set_times(HostCall& c);
// NOLINTEND(readability-identifier-naming)

}  // namespace wasi_host::calls
