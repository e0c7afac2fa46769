/* A static Linux program that prints what it was started with and what the kernel did for
 * it, in a form that is the same on any Linux kernel: tests/linux/linux_run.py runs it under
 * Stellina's Linux personality and on the host and compares the two outputs line by line.
 * Addresses that differ between kernels (the break, mmap's choices) are never printed; what
 * is checked about them is printed as a fact ("yes"). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char** environ;
extern char __executable_start[];

static __thread int thread_local_counter = 41;

static const char* yes(int fact) { return fact ? "yes" : "no"; }

static void arguments(int argc, char** argv) {
  printf("argc %d\n", argc);
  for (int i = 0; i < argc; ++i) printf("argv[%d] %s\n", i, argv[i]);
  for (char** e = environ; *e; ++e) printf("env %s\n", *e);
}

static void auxiliary_vector(char** argv) {
  const unsigned char* random = (const unsigned char*)getauxval(AT_RANDOM);
  int random_nonzero = 0;
  for (int i = 0; random && i < 16; ++i) random_nonzero |= random[i];
  printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
  printf("AT_PHNUM %lu\n", getauxval(AT_PHNUM));
  printf("AT_PHDR is the image's program headers: %s\n",
         yes(getauxval(AT_PHDR) == (unsigned long)__executable_start + 64));
  printf("AT_ENTRY is _start: %s\n", yes(getauxval(AT_ENTRY) != 0));
  printf("AT_CLKTCK %lu\n", getauxval(AT_CLKTCK));
  errno = 0;
  (void)getauxval(AT_HWCAP);
  printf("AT_HWCAP given: %s\n", yes(errno != ENOENT));
  printf("AT_RANDOM 16 bytes, not all zero: %s\n", yes(random && random_nonzero));
  const char* execfn = (const char*)getauxval(AT_EXECFN);
  printf("AT_EXECFN is argv[0]: %s\n", yes(execfn && strcmp(execfn, argv[0]) == 0));
}

static void memory(void) {
  char* start = sbrk(0);
  char* grown = sbrk(3 * 4096);
  int brk_ok = grown == start && sbrk(0) == start + 3 * 4096;
  memset(grown, 0x5a, 3 * 4096);
  brk_ok = brk_ok && grown[3 * 4096 - 1] == 0x5a && sbrk(-3 * 4096) != (void*)-1 && sbrk(0) == start;
  printf("brk grows, is writable and shrinks: %s\n", yes(brk_ok));

  const size_t size = 1 << 20;
  unsigned char* m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int zero = 1;
  for (size_t i = 0; m != MAP_FAILED && i < size; i += 4096) zero &= m[i] == 0;
  unsigned long sum = 0;
  for (size_t i = 0; m != MAP_FAILED && i < size; ++i) m[i] = (unsigned char)i;
  for (size_t i = 0; m != MAP_FAILED && i < size; ++i) sum += m[i];
  printf("mmap 1 MiB: %s, zeroed: %s, sum %lu\n", yes(m != MAP_FAILED), yes(zero), sum);
  printf("mprotect read-only: %d\n", mprotect(m + 4096, 4096, PROT_READ));
  printf("mprotect back: %d, still holds: %s\n", mprotect(m + 4096, 4096, PROT_READ | PROT_WRITE),
         yes(m[4096 + 7] == 7));
  printf("munmap the middle: %d\n", munmap(m + 8192, 8192));
  printf("munmap the rest: %d %d\n", munmap(m, 8192), munmap(m + 16384, size - 16384));
  void* bad = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap of 0 bytes: %s errno %d\n", yes(bad == MAP_FAILED), bad == MAP_FAILED ? errno : 0);

  char* small = malloc(100);
  char* large = malloc(4 << 20);  /* glibc maps blocks this large */
  printf("malloc small and large: %s\n", yes(small && large));
  if (large) large[(4 << 20) - 1] = 1;
  free(large);
  free(small);
}

static void identity_and_time(void) {
  struct utsname u;
  printf("uname: %d %s %s\n", uname(&u), u.sysname, u.machine);
  printf("getpid is gettid: %s\n", yes(getpid() == (pid_t)syscall(SYS_gettid)));
  printf("ids readable: %s\n", yes(getuid() == geteuid() && getgid() == getegid()));
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("monotonic clock moves forward: %s\n",
         yes(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec)));
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  printf("wall clock after 2020: %s\n", yes(wall.tv_sec > 1577836800));
  unsigned char bytes[32];
  printf("getrandom: %zd\n", getrandom(bytes, sizeof(bytes), 0));
  thread_local_counter++;
  printf("thread-local storage: %d\n", thread_local_counter);
  volatile double x = 2.5;
  printf("floating point: %.3f\n", x * 1.5 + 0.125);
}

static void errors(void) {
  struct termios t;
  int rc = ioctl(1, TCGETS, &t);
  printf("ioctl TCGETS on stdout: %d errno %d\n", rc, rc < 0 ? errno : 0);
  struct winsize w;
  rc = ioctl(1, TIOCGWINSZ, &w);
  printf("ioctl TIOCGWINSZ on stdout: %d errno %d\n", rc, rc < 0 ? errno : 0);
  long r = syscall(SYS_write, 1, (void*)8, 5);
  printf("write from a bad pointer: %ld errno %d\n", r, r < 0 ? errno : 0);
  r = syscall(SYS_uname, (void*)16);
  printf("uname to a bad pointer: %ld errno %d\n", r, r < 0 ? errno : 0);
  r = syscall(400, 1, 2, 3);  /* no Linux call has this number on x86_64 */
  printf("call 400: %ld errno %d\n", r, r < 0 ? errno : 0);
  r = syscall(SYS_write, 7, "x", 1);
  printf("write to fd 7: %ld errno %d\n", r, r < 0 ? errno : 0);
}

static void streams(void) {
  char buffer[256];
  size_t total = 0;
  ssize_t n;
  while ((n = read(0, buffer + total, sizeof(buffer) - 1 - total)) > 0) total += (size_t)n;
  buffer[total] = '\0';
  printf("stdin: %zu bytes, last read %zd\n", total, n);
  fputs(buffer, stdout);
  fflush(stdout);
  struct iovec v[2] = {{"writev ", 7}, {"of two pieces\n", 14}};
  printf("writev: %zd\n", writev(1, v, 2));
  fflush(stdout);
  fprintf(stderr, "to stderr\n");
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  arguments(argc, argv);
  auxiliary_vector(argv);
  memory();
  identity_and_time();
  errors();
  streams();
  return argc > 1 && strcmp(argv[1], "fail") == 0 ? 3 : 0;
}
