/* The cost of a system call through Stellina's Linux personality, measured from a static
 * Linux program (bench/linux/bench.py runs it under the personality): getppid, Linux's null
 * system call, timed one call at a time with the cycle counter, whose rate is calibrated
 * against CLOCK_MONOTONIC over the run; a fork whose child exits at once, up to wait4's
 * return in the parent; and the first touch of a page of fresh anonymous memory (mmap'd,
 * then written one 4 KiB page at a time); a byte sent to a forked child over one pipe and
 * back over another; and, given a program's path (personality PROGRAM), a fork whose child
 * execs PROGRAM (bench/linux/exit0.c: it exits at once), up to wait4's return. Prints
 *   linux: getppid median_ns=N p99_ns=N n=N
 *   linux: fork median_ns=N p99_ns=N n=N
 *   linux: fault median_ns=N p99_ns=N n=N
 *   linux: pipe median_ns=N p99_ns=N n=N
 *   linux: forkexec median_ns=N p99_ns=N n=N      (with PROGRAM)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

enum {
  kWarmup = 1000,
  kCalls = 20000,
  kForks = 200,
  kFaultPages = 1024,
  kFaultRounds = 4,
  kRoundTrips = 2000,
  kExecs = 100
};

static uint64_t samples[kCalls];

static int by_value(const void* a, const void* b) {
  const uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void report(const char* name, uint64_t* cycles, int n, double ns_per_cycle) {
  qsort(cycles, n, sizeof(cycles[0]), by_value);
  printf("linux: %s median_ns=%.0f p99_ns=%.0f n=%d\n", name, cycles[n / 2] * ns_per_cycle,
         cycles[n * 99 / 100] * ns_per_cycle, n);
}

/* fork, the child's exit, and wait4 in the parent: one sample each. */
static int time_forks(uint64_t* cycles) {
  for (int i = 0; i < kForks; ++i) {
    const uint64_t before = __rdtsc();
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) return -1;
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    cycles[i] = __rdtsc() - before;
  }
  return kForks;
}

/* A byte to a forked child over one pipe, and back over another: one sample a round trip. */
static int time_pipes(uint64_t* cycles) {
  int to_child[2], to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) return -1;
  const pid_t pid = fork();
  if (pid < 0) return -1;
  char byte = 'x';
  if (pid == 0) {
    close(to_child[1]);
    close(to_parent[0]);
    while (read(to_child[0], &byte, 1) == 1)
      if (write(to_parent[1], &byte, 1) != 1) break;
    _exit(0);
  }
  for (int i = 0; i < kWarmup / 10 + kRoundTrips; ++i) {
    const uint64_t before = __rdtsc();
    if (write(to_child[1], &byte, 1) != 1 || read(to_parent[0], &byte, 1) != 1) return -1;
    if (i >= kWarmup / 10) cycles[i - kWarmup / 10] = __rdtsc() - before;
  }
  close(to_child[1]);  /* the child reads the end and exits */
  int status;
  waitpid(pid, &status, 0);
  close(to_child[0]);
  close(to_parent[0]);
  close(to_parent[1]);
  return kRoundTrips;
}

/* fork, the child's execve of program (which exits at once), and wait4: one sample each.
 * exec's own cost is this less a fork's (bench/linux/bench.py subtracts the medians). */
static int time_execs(uint64_t* cycles, const char* program) {
  char* const argv[] = {(char*)program, NULL};
  char* const envp[] = {NULL};
  for (int i = 0; i < kExecs; ++i) {
    const uint64_t before = __rdtsc();
    const pid_t pid = fork();
    if (pid == 0) {
      execve(program, argv, envp);
      _exit(127);
    }
    if (pid < 0) return -1;
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      return -1;
    cycles[i] = __rdtsc() - before;
  }
  return kExecs;
}

/* The first write to each page of fresh anonymous memory. */
static int time_faults(uint64_t* cycles) {
  int n = 0;
  for (int round = 0; round < kFaultRounds; ++round) {
    volatile char* p = mmap(NULL, (size_t)kFaultPages * 4096, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    for (int i = 0; i < kFaultPages; ++i) {
      const uint64_t before = __rdtsc();
      p[(size_t)i * 4096] = 1;
      cycles[n++] = __rdtsc() - before;
    }
    munmap((void*)p, (size_t)kFaultPages * 4096);
  }
  return n;
}

int main(int argc, char** argv) {
  for (int i = 0; i < kWarmup; ++i) syscall(SYS_getppid);
  const uint64_t t0 = now_ns(), c0 = __rdtsc();
  for (int i = 0; i < kCalls; ++i) {
    const uint64_t before = __rdtsc();
    syscall(SYS_getppid);
    samples[i] = __rdtsc() - before;
  }
  static uint64_t fork_cycles[kForks], fault_cycles[kFaultPages * kFaultRounds];
  const int forks = time_forks(fork_cycles);
  const int faults = time_faults(fault_cycles);
  static uint64_t pipe_cycles[kRoundTrips], exec_cycles[kExecs];
  const int trips = time_pipes(pipe_cycles);
  const int execs = argc > 1 ? time_execs(exec_cycles, argv[1]) : 0;
  const uint64_t t1 = now_ns(), c1 = __rdtsc();
  const double ns_per_cycle = (double)(t1 - t0) / (double)(c1 - c0);
  report("getppid", samples, kCalls, ns_per_cycle);
  if (forks < 0 || faults < 0) {
    printf("linux: fork or mmap failed\n");
    return 1;
  }
  report("fork", fork_cycles, forks, ns_per_cycle);
  report("fault", fault_cycles, faults, ns_per_cycle);
  if (trips < 0 || execs < 0) {
    printf("linux: %s failed\n", trips < 0 ? "the pipe round trip" : "exec");
    return 1;
  }
  report("pipe", pipe_cycles, trips, ns_per_cycle);
  if (execs) report("forkexec", exec_cycles, execs, ns_per_cycle);
  return 0;
}
