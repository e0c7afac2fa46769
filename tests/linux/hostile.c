/* Bad arguments to every call the Linux personality serves: pointers the kernel cannot
 * reach, sizes and flags out of range, descriptors that do not exist. Each must come back
 * as Linux's errno (the same as on the host: tests/linux/linux_run.py compares), never as a
 * fault of the kernel or of the process. Raw system calls throughout: the C library's
 * wrappers would check some arguments themselves. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BAD ((long)8)              /* an unmapped page */
#define KERNEL ((long)-4096)       /* the kernel's half */
#define NONCANONICAL (1L << 47)

static void report(const char* what, long r) {
  printf("%s: %ld errno %d\n", what, r, r < 0 ? errno : 0);
}

#define CALL(what, ...) report(what, syscall(__VA_ARGS__))

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct timespec ts;
  struct iovec iov[1] = {{"x", 1}};
  char buffer[16];

  CALL("read into an unmapped page", SYS_read, 0, BAD, 4);
  CALL("read into the kernel", SYS_read, 0, KERNEL, 4);
  CALL("read the data after", SYS_read, 0, buffer, sizeof(buffer));
  CALL("read from fd 1", SYS_read, 1, buffer, 1);
  CALL("read from fd -1", SYS_read, -1, buffer, 1);
  CALL("write from the kernel", SYS_write, 1, KERNEL, 4);
  CALL("write of nothing", SYS_write, 1, 0, 0);
  CALL("write to fd 0", SYS_write, 0, "x", 1);
  CALL("writev of an unmapped vector", SYS_writev, 1, BAD, 1);
  CALL("writev of 1025 pieces", SYS_writev, 1, iov, 1025);
  CALL("writev of no piece", SYS_writev, 1, iov, 0);
  CALL("ioctl on fd 9", SYS_ioctl, 9, TCGETS, buffer);
  CALL("clock_gettime to an unmapped page", SYS_clock_gettime, CLOCK_MONOTONIC, BAD);
  CALL("clock_gettime of clock 99", SYS_clock_gettime, 99, &ts);
  CALL("uname to the kernel", SYS_uname, KERNEL);
  CALL("getrandom to an unmapped page", SYS_getrandom, BAD, 16, 0);
  CALL("getrandom with unknown flags", SYS_getrandom, buffer, 16, 0x100);
  CALL("getrandom of nothing", SYS_getrandom, buffer, 0, 0);
  CALL("arch_prctl SET_FS non-canonical", SYS_arch_prctl, ARCH_SET_FS, NONCANONICAL);
  CALL("arch_prctl GET_FS to an unmapped page", SYS_arch_prctl, ARCH_GET_FS, BAD);
  CALL("arch_prctl code 0x9999", SYS_arch_prctl, 0x9999, 0);
  CALL("rt_sigaction from an unmapped page", SYS_rt_sigaction, SIGINT, BAD, 0, 8);
  CALL("rt_sigaction with a 4-byte set", SYS_rt_sigaction, SIGINT, 0, 0, 4);
  CALL("rt_sigaction of signal 0", SYS_rt_sigaction, 0, 0, 0, 8);
  CALL("rt_sigaction of signal 65", SYS_rt_sigaction, 65, 0, 0, 8);
  struct { unsigned long handler, flags, restorer, mask; } act = {0};
  CALL("rt_sigaction for SIGKILL", SYS_rt_sigaction, SIGKILL, &act, 0, 8);
  CALL("rt_sigaction old to an unmapped page", SYS_rt_sigaction, SIGINT, 0, BAD, 8);
  CALL("rt_sigprocmask from an unmapped page", SYS_rt_sigprocmask, SIG_BLOCK, BAD, 0, 8);
  unsigned long set = 0;
  CALL("rt_sigprocmask how 7", SYS_rt_sigprocmask, 7, &set, 0, 8);
  CALL("rt_sigprocmask with a 16-byte set", SYS_rt_sigprocmask, SIG_BLOCK, &set, 0, 16);
  CALL("prlimit64 of resource 99", SYS_prlimit64, 0, 99, 0, buffer);
  CALL("prlimit64 old to an unmapped page", SYS_prlimit64, 0, RLIMIT_STACK, 0, BAD);
  CALL("set_robust_list of 10 bytes", SYS_set_robust_list, buffer, 10);
  CALL("mmap of a closed descriptor", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 9, 0);
  CALL("mmap of stdout", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 1, 0);
  CALL("mmap of stdin", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 0, 0);
  CALL("mmap shared and private", SYS_mmap, 0, 4096, PROT_READ,
       MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CALL("mmap neither shared nor private", SYS_mmap, 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0);
  CALL("mmap fixed at an odd address", SYS_mmap, 4097, 4096, PROT_READ,
       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  CALL("mmap with an odd offset", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
       7);
  printf("mmap ignores unknown prot bits: %s\n",
         syscall(SYS_mmap, 0, 4096, 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != -1 ? "yes" : "no");
  CALL("munmap at an odd address", SYS_munmap, 4097, 4096);
  CALL("munmap of nothing", SYS_munmap, 0x100000000, 0);
  CALL("munmap where nothing is mapped", SYS_munmap, 0x20000000000, 4096);
  CALL("mprotect at an odd address", SYS_mprotect, 4097, 4096, PROT_READ);
  CALL("mprotect where nothing is mapped", SYS_mprotect, 0x20000000000, 4096, PROT_READ);
  CALL("mprotect of nothing", SYS_mprotect, 0x20000000000, 0, PROT_READ);
  const long brk = syscall(SYS_brk, 0);
  printf("brk past the user half keeps the break: %s\n",
         syscall(SYS_brk, NONCANONICAL) == brk ? "yes" : "no");
  printf("brk below its start keeps the break: %s\n",
         syscall(SYS_brk, 4096) == brk ? "yes" : "no");
  if (argc > 1) {
    /* A write to a read-only page: Linux kills the program with SIGSEGV; Stellina ends it
     * with a page fault, and nothing else is disturbed. */
    char* page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("writing to a read-only page\n");
    *(volatile char*)page = 1;
    printf("still here\n");
  }
  (void)argv;
  return 0;
}
