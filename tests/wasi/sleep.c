// poll_oneoff's clock subscriptions: sleep, nanosleep, clock_nanosleep to an absolute time,
// and poll with a timeout, each measured on the monotonic clock (at least as long as asked;
// how much longer varies, so only the bound is printed). With "more", poll's wait too (node's
// runner returns from it early).
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char** argv) {
  int64_t t0 = now_ns();
  printf("usleep(150000): %d\n", usleep(150000));
  printf("slept at least 150 ms: %d\n", now_ns() - t0 >= 150000000LL);

  t0 = now_ns();
  struct timespec ask = {0, 120000000};
  printf("nanosleep 120 ms: %d\n", nanosleep(&ask, NULL));
  printf("slept at least 120 ms: %d\n", now_ns() - t0 >= 120000000LL);

  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += 100000000;
  if (until.tv_nsec >= 1000000000) {
    until.tv_nsec -= 1000000000;
    until.tv_sec += 1;
  }
  t0 = now_ns();
  printf("clock_nanosleep to 100 ms from now: %d\n",
         clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL));
  printf("slept at least 90 ms: %d\n", now_ns() - t0 >= 90000000LL);

  t0 = now_ns();
  printf("poll nothing for 80 ms: %d\n", poll(NULL, 0, 80));
  if (argc > 1) printf("waited at least 80 ms: %d\n", now_ns() - t0 >= 80000000LL);

  printf("sleep(1): %u\n", sleep(1));
  return 0;
}
