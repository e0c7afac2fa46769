/* The cost of a system call through Stellina's Linux personality, measured from a static
 * Linux program (bench/linux/bench.py runs it under the personality): getppid, Linux's null
 * system call, timed one call at a time with the cycle counter, whose rate is calibrated
 * against CLOCK_MONOTONIC over the run. Prints
 *   linux: getppid median_ns=N p99_ns=N n=N
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

enum { kWarmup = 1000, kCalls = 20000 };

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

int main(void) {
  for (int i = 0; i < kWarmup; ++i) syscall(SYS_getppid);
  const uint64_t t0 = now_ns(), c0 = __rdtsc();
  for (int i = 0; i < kCalls; ++i) {
    const uint64_t before = __rdtsc();
    syscall(SYS_getppid);
    samples[i] = __rdtsc() - before;
  }
  const uint64_t t1 = now_ns(), c1 = __rdtsc();
  const double ns_per_cycle = (double)(t1 - t0) / (double)(c1 - c0);
  qsort(samples, kCalls, sizeof(samples[0]), by_value);
  printf("linux: getppid median_ns=%.0f p99_ns=%.0f n=%d\n", samples[kCalls / 2] * ns_per_cycle,
         samples[kCalls * 99 / 100] * ns_per_cycle, kCalls);
  return 0;
}
