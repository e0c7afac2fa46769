/*
 * linux_fs: the Linux half of Stellina's file system benchmark (bench/fs).
 *
 * Built by bench/fs/bench.py with `gcc -static -O2` and run by the /init of the Debian guest,
 * on the same QEMU machine as Stellina's fsbench, with the ext2 image mounted
 * (`mount -t ext2 /dev/vda DIR`) at DIR, its only argument. It does what fsbench does:
 *
 * - if DIR/fsbench.dat is not there (a fresh image): writes it, FILE_BYTES in write()s of
 *   CHUNK bytes through the page cache, then fsync()s it; then creates SMALL_FILES empty
 *   files in DIR/fsbench.d, stats each, and unlinks each;
 * - if it is there, whole (the next boot: the page cache is cold): reads it back in read()s
 *   of CHUNK bytes and checks the offset stamped at the start of each chunk.
 *
 * Output, in fsbench's format:
 *   seq_write: <bytes> bytes in <us> us (<KB/s> KB/s)      write and fsync
 *   seq_read: <bytes> bytes in <us> us (<KB/s> KB/s)
 *   files: <n> files in <us> us (create <us> us, stat <us> us, unlink <us> us)
 * or "fs: error ..." (exit status 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_BYTES (64ULL << 20)
#define CHUNK (1ULL << 20)
#define SMALL_FILES 1000

static char path[512];
static unsigned char* buffer;

static uint64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static int fail(const char* what) {
  printf("fs: error %s: %s\n", what, strerror(errno));
  return 1;
}

static uint64_t rate_kbps(uint64_t bytes, uint64_t us) { return bytes * 1000 / (us ? us : 1); }

static int write_big(const char* file) {
  const int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fail("open for writing");
  const uint64_t start = now_us();
  for (uint64_t at = 0; at < FILE_BYTES; at += CHUNK) {
    memcpy(buffer, &at, sizeof(at)); /* each chunk says where it belongs */
    if (write(fd, buffer, CHUNK) != (ssize_t)CHUNK) return fail("write");
  }
  if (fsync(fd) != 0) return fail("fsync");
  const uint64_t us = now_us() - start;
  close(fd);
  printf("seq_write: %llu bytes in %llu us (%llu KB/s)\n", FILE_BYTES, (unsigned long long)us,
         (unsigned long long)rate_kbps(FILE_BYTES, us));
  return 0;
}

static int read_big(const char* file) {
  const int fd = open(file, O_RDONLY);
  if (fd < 0) return fail("open for reading");
  const uint64_t start = now_us();
  for (uint64_t at = 0; at < FILE_BYTES; at += CHUNK) {
    if (read(fd, buffer, CHUNK) != (ssize_t)CHUNK) return fail("read");
    uint64_t stamp;
    memcpy(&stamp, buffer, sizeof(stamp));
    if (stamp != at) {
      printf("fs: error the chunk at %llu says %llu\n", (unsigned long long)at,
             (unsigned long long)stamp);
      return 1;
    }
  }
  const uint64_t us = now_us() - start;
  close(fd);
  printf("seq_read: %llu bytes in %llu us (%llu KB/s)\n", FILE_BYTES, (unsigned long long)us,
         (unsigned long long)rate_kbps(FILE_BYTES, us));
  return 0;
}

static int small_files(const char* dir) {
  if (mkdir(dir, 0755) != 0) return fail("mkdir");
  struct stat st;
  const uint64_t start = now_us();
  for (int i = 0; i < SMALL_FILES; ++i) {
    snprintf(path, sizeof(path), "%s/f%d", dir, i);
    const int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return fail("create");
    close(fd);
  }
  const uint64_t created = now_us();
  for (int i = 0; i < SMALL_FILES; ++i) {
    snprintf(path, sizeof(path), "%s/f%d", dir, i);
    if (stat(path, &st) != 0) return fail("stat");
    if (st.st_size != 0) {
      printf("fs: error %s is not empty\n", path);
      return 1;
    }
  }
  const uint64_t statted = now_us();
  for (int i = 0; i < SMALL_FILES; ++i) {
    snprintf(path, sizeof(path), "%s/f%d", dir, i);
    if (unlink(path) != 0) return fail("unlink");
  }
  const uint64_t end = now_us();
  printf("files: %d files in %llu us (create %llu us, stat %llu us, unlink %llu us)\n",
         SMALL_FILES, (unsigned long long)(end - start), (unsigned long long)(created - start),
         (unsigned long long)(statted - created), (unsigned long long)(end - statted));
  if (rmdir(dir) != 0) return fail("rmdir");
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2 || strlen(argv[1]) > 200) {
    printf("fs: error usage: linux_fs DIR\n");
    return 1;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  buffer = malloc(CHUNK);
  if (!buffer) return fail("malloc");
  for (uint64_t i = 0; i < CHUNK; ++i) buffer[i] = (unsigned char)(i * 7 + 1);
  char big[256], dir[256];
  snprintf(big, sizeof(big), "%s/fsbench.dat", argv[1]);
  snprintf(dir, sizeof(dir), "%s/fsbench.d", argv[1]);
  struct stat st;
  if (stat(big, &st) == 0 && (uint64_t)st.st_size == FILE_BYTES) return read_big(big);
  if (write_big(big)) return 1;
  return small_files(dir);
}
