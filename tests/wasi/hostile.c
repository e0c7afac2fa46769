// WASI calls with arguments a well-behaved libc never passes: pointers outside linear memory,
// lengths past it, descriptors that are not open, a buffer too small, and a WASI name
// imported with the wrong type. Each is an errno, never a crash of the runner.
#include <stdint.h>
#include <stdio.h>
#include <wasi/api.h>

// fd_close, imported with a type that is not the ABI's: linked to ENOSYS.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_close"))) int64_t
fd_close_mistyped(int64_t fd);

// path_open itself: libc's wrapper measures the path with strlen first.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open"))) int32_t
raw_path_open(int32_t fd, int32_t lookup, int32_t path, int32_t path_len, int32_t oflags,
              int64_t base, int64_t inheriting, int32_t fdflags, int32_t out);

#define FAR ((void*)0xFFFFFF00u)  // past any linear memory a module here has

int main(void) {
  __wasi_size_t n = 0;
  __wasi_ciovec_t far_buffer = {FAR, 16};
  __wasi_iovec_t far_read = {FAR, 16};
  printf("fd_write, iovecs outside memory: %d\n", __wasi_fd_write(1, FAR, 1, &n));
  printf("fd_write, a buffer outside memory: %d\n", __wasi_fd_write(1, &far_buffer, 1, &n));
  printf("fd_write, the count outside memory: %d\n",
         __wasi_fd_write(1, &far_buffer, 0, (__wasi_size_t*)FAR));
  printf("fd_read, a descriptor not open: %d\n", __wasi_fd_read(999, &far_read, 1, &n));
  printf("fd_read, a negative descriptor: %d\n", __wasi_fd_read(-1, &far_read, 1, &n));
  printf("args_sizes_get outside memory: %d\n", __wasi_args_sizes_get(FAR, &n));
  printf("args_get outside memory: %d\n", __wasi_args_get(FAR, FAR));
  printf("clock_time_get outside memory: %d\n",
         __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, FAR));
  printf("random_get past the end of memory: %d\n", __wasi_random_get(FAR, 1024));
  __wasi_fd_t fd = 0;
  const int32_t out = (int32_t)(uintptr_t)&fd;
  printf("path_open, a path past the end of memory: %d\n",
         raw_path_open(3, 0, (int32_t)(uintptr_t)FAR, 4096, 0, 0, 0, 0, out));
  printf("path_open, a huge length: %d\n",
         raw_path_open(3, 0, (int32_t)(uintptr_t) "x", 0x7FFFFFFF, 0, 0, 0, 0, out));
  printf("path_open from a descriptor not open: %d\n",
         raw_path_open(40, 0, (int32_t)(uintptr_t) "x", 1, 0, 0, 0, 0, out));
  printf("path_open from stdout, not a directory: %d\n",
         raw_path_open(1, 0, (int32_t)(uintptr_t) "x", 1, 0, 0, 0, 0, out));
  printf("path_open, an absolute path: %d\n",
         raw_path_open(3, 0, (int32_t)(uintptr_t) "/etc/motd", 9, 0, 0, 0, 0, out));
  printf("path_open, the result outside memory: %d\n",
         raw_path_open(3, 0, (int32_t)(uintptr_t) ".", 1, 0, 0, 0, 0, (int32_t)(uintptr_t)FAR));
  char name[1];
  printf("fd_prestat_dir_name into 1 byte: %d\n", __wasi_fd_prestat_dir_name(3, (uint8_t*)name, 0));
  printf("fd_prestat_get of stdin: %d\n", __wasi_fd_prestat_get(0, FAR));
  printf("fd_readdir of stdout: %d\n", __wasi_fd_readdir(1, (uint8_t*)name, 1, 0, &n));
  printf("fd_seek of stdout: %d\n", __wasi_fd_seek(1, 0, __WASI_WHENCE_SET, (uint64_t*)&n));
  printf("poll_oneoff of nothing: %d\n", __wasi_poll_oneoff(FAR, FAR, 0, &n));
  printf("fd_close, mistyped: %lld\n", (long long)fd_close_mistyped(1));
  printf("still writing: yes\n");
  return 0;
}
