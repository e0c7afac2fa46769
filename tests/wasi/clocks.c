// clock_time_get, clock_res_get and random_get: what can be compared across runners is
// their shape, not their values (the wall clock is after 2020, the monotonic clock does not go
// back, a sleep-free loop takes some time, random bytes differ from call to call).
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wasi/api.h>

int main(void) {
  struct timespec real, mono1, mono2, res;
  printf("realtime ok %d\n", clock_gettime(CLOCK_REALTIME, &real) == 0);
  printf("realtime after 2020 %d\n", real.tv_sec > 1577836800);
  printf("monotonic ok %d\n", clock_gettime(CLOCK_MONOTONIC, &mono1) == 0);
  volatile uint64_t sum = 0;
  for (int i = 0; i < 200000; ++i) sum = sum + (uint64_t)i * i;
  clock_gettime(CLOCK_MONOTONIC, &mono2);
  int64_t ns = (mono2.tv_sec - mono1.tv_sec) * 1000000000LL + (mono2.tv_nsec - mono1.tv_nsec);
  printf("monotonic advances %d\n", ns > 0);
  printf("resolution ok %d\n", clock_getres(CLOCK_MONOTONIC, &res) == 0);
  printf("resolution at most 1 ms %d\n", res.tv_sec == 0 && res.tv_nsec > 0 &&
                                             res.tv_nsec <= 1000000);
  __wasi_timestamp_t t = 0;
  printf("bad clock id: errno %d\n", __wasi_clock_time_get(99, 1, &t));
  uint8_t a[64], b[64];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  printf("random_get %d %d\n", __wasi_random_get(a, sizeof a), __wasi_random_get(b, sizeof b));
  int zero = 1;
  for (size_t i = 0; i < sizeof a; ++i) zero &= a[i] == 0;
  printf("random bytes all zero %d, the same twice %d\n", zero, memcmp(a, b, sizeof a) == 0);
  printf("random_get of nothing %d\n", __wasi_random_get(a, 0));
  return 0;
}
