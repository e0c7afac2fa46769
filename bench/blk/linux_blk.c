/*
 * linux_blk: the Linux half of Stellina's block benchmark (bench/blk).
 *
 * Built by bench/blk/bench.py with `gcc -static -O2 -pthread` and run by the /init of the
 * Debian guest on the same QEMU machine and disk as Stellina's blkbench. It does what
 * blkbench does: four phases, each of REQUESTS requests of 4 KiB on /dev/vda opened with
 * O_DIRECT (no page cache: every request reaches the device), DEPTH in flight (one thread
 * per request in flight, each with its own buffer):
 *
 *   seq_write   blocks 0, 1, 2, ... taken in turn from a shared counter
 *   seq_read    the same blocks, read
 *   rand_write  blocks picked at random among the first RANDOM_BLOCKS
 *   rand_read   the same, read
 *
 * Output, one line per phase in blkbench's format, then a marker:
 *   <phase>: <requests> x <bytes> bytes in <us> us (<KB/s> KB/s, <IOPS> IOPS)
 *   blk: done
 * or "blk: error ..." (exit status 1).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEPTH 8
#define BYTES 4096
#define REQUESTS 4096
#define RANDOM_BLOCKS 8192

struct phase {
  const char* name;
  int write;
  int random;
};

static const struct phase phases[] = {
    {"seq_write", 1, 0}, {"seq_read", 0, 0}, {"rand_write", 1, 1}, {"rand_read", 0, 1}};

static int fd;
static const struct phase* current;
static atomic_long issued;
static atomic_int failed;

static uint64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static void* worker(void* arg) {
  uint64_t seed = 0xb10cbe4cULL + (uintptr_t)arg * 0x9e3779b97f4a7c15ULL;
  void* buffer;
  if (posix_memalign(&buffer, BYTES, BYTES) != 0) {
    atomic_store(&failed, 1);
    return NULL;
  }
  memset(buffer, 0x5a, BYTES);
  for (;;) {
    const long n = atomic_fetch_add(&issued, 1);
    if (n >= REQUESTS) break;
    uint64_t block = (uint64_t)n;
    if (current->random) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      block = seed % RANDOM_BLOCKS;
    }
    const off_t at = (off_t)(block * BYTES);
    const ssize_t done =
        current->write ? pwrite(fd, buffer, BYTES, at) : pread(fd, buffer, BYTES, at);
    if (done != BYTES) {
      atomic_store(&failed, 1);
      break;
    }
  }
  free(buffer);
  return NULL;
}

int main(void) {
  fd = open("/dev/vda", O_RDWR | O_DIRECT);
  if (fd < 0) {
    perror("blk: error open /dev/vda");
    return 1;
  }
  for (size_t p = 0; p < sizeof(phases) / sizeof(phases[0]); ++p) {
    current = &phases[p];
    atomic_store(&issued, 0);
    pthread_t threads[DEPTH];
    const uint64_t start = now_us();
    for (uintptr_t i = 0; i < DEPTH; ++i) pthread_create(&threads[i], NULL, worker, (void*)i);
    for (int i = 0; i < DEPTH; ++i) pthread_join(threads[i], NULL);
    uint64_t us = now_us() - start;
    if (atomic_load(&failed)) {
      printf("blk: error %s: a request failed\n", current->name);
      return 1;
    }
    if (us == 0) us = 1;
    printf("%s: %d x %d bytes in %llu us (%llu KB/s, %llu IOPS)\n", current->name, REQUESTS,
           BYTES, (unsigned long long)us, (unsigned long long)REQUESTS * BYTES * 1000 / us,
           (unsigned long long)REQUESTS * 1000000 / us);
    fflush(stdout);
  }
  printf("blk: done\n");
  return 0;
}
