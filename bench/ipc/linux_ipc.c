/*
 * linux_ipc: the Linux half of Stellina's IPC benchmark (bench/ipc).
 *
 * Built by bench/ipc/bench.py with `gcc -static -O2` and run as part of the /init of the
 * Debian guest (1 vCPU, TCG). Measures, each over ITERS iterations after WARMUP untimed ones:
 *
 *   getppid          the null system call: syscall(SYS_getppid) (glibc never caches it, the
 *                    raw syscall makes sure)
 *   getppid_batched  cross-check free of timer cost: BATCH calls per timed batch, per-call
 *                    mean of each batch
 *   pipe             round trip between two processes over two pipes: the parent writes one
 *                    byte, the child reads it and writes it back, the parent reads it
 *   futex            round trip between two processes on a shared anonymous MAP_SHARED word:
 *                    FUTEX_WAKE / FUTEX_WAIT (the shared, non-_PRIVATE variants)
 *   clock            two back-to-back clock_gettime calls: the cost a timed sample carries
 *
 * Timing: every sample is one operation (one call, one round trip) bracketed by two
 * clock_gettime(CLOCK_MONOTONIC) calls, so the median and 99th percentile are those of
 * individual round trips, not of batch averages. Each sample therefore includes one timer
 * read (reported as `clock`), which the figures do not subtract.
 *
 * Both processes are pinned to CPU 0 (sched_setaffinity, inherited over fork): every round
 * trip is two context switches on one CPU.
 *
 * Output, one line per measurement, then a marker:
 *   ipc: <name> median_ns=<n> p99_ns=<n> n=<samples> mean_ns=<n> min_ns=<n> max_ns=<n>
 *   ipc: done
 * Lines starting with "ipc: info" carry context (clock source at start and end, resolution);
 * "ipc: error" reports a failure (exit status 1), e.g. when the guest's clocksource is not the
 * TSC (bench.py boots the guest with tsc=reliable so that the clocksource watchdog, which
 * under TCG compares the TSC with lagging jiffies, does not switch to refined-jiffies).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ITERS 100000
#define WARMUP 10000
#define BATCH 1000

static uint64_t samples[ITERS];

static void die(const char *what)
{
    printf("ipc: error %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted s[0..n), p in 1..100: the ceil(p * n / 100)-th
 * smallest sample. */
static uint64_t percentile(const uint64_t *s, size_t n, unsigned p)
{
    size_t k = (p * n + 99) / 100;
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return s[k - 1];
}

static void report(const char *name, uint64_t *s, size_t n)
{
    long double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += s[i];
    qsort(s, n, sizeof *s, cmp_u64);
    printf("ipc: %s median_ns=%llu p99_ns=%llu n=%zu mean_ns=%llu min_ns=%llu max_ns=%llu\n",
           name, (unsigned long long)percentile(s, n, 50), (unsigned long long)percentile(s, n, 99),
           n, (unsigned long long)(sum / n + 0.5L), (unsigned long long)s[0],
           (unsigned long long)s[n - 1]);
    fflush(stdout);
}

static void pin_cpu0(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        die("sched_setaffinity");
}

/* --- clock and null syscall ------------------------------------------------------------ */

static void bench_clock(void)
{
    for (int i = 0; i < WARMUP; i++)
        now_ns();
    for (int i = 0; i < ITERS; i++) {
        uint64_t t0 = now_ns();
        uint64_t t1 = now_ns();
        samples[i] = t1 - t0;
    }
    report("clock", samples, ITERS);
}

static void bench_getppid(void)
{
    for (int i = 0; i < WARMUP; i++)
        syscall(SYS_getppid);
    for (int i = 0; i < ITERS; i++) {
        uint64_t t0 = now_ns();
        syscall(SYS_getppid);
        samples[i] = now_ns() - t0;
    }
    report("getppid", samples, ITERS);

    /* ITERS calls in all, in ITERS/BATCH timed batches: per-call mean of each batch. */
    size_t nb = ITERS / BATCH;
    for (size_t b = 0; b < nb; b++) {
        uint64_t t0 = now_ns();
        for (int i = 0; i < BATCH; i++)
            syscall(SYS_getppid);
        samples[b] = (now_ns() - t0 + BATCH / 2) / BATCH;
    }
    report("getppid_batched", samples, nb);
}

/* --- pipe ping-pong -------------------------------------------------------------------- */

static void xwrite(int fd, const char *c)
{
    while (write(fd, c, 1) != 1)
        if (errno != EINTR)
            die("pipe write");
}

static void xread(int fd, char *c)
{
    ssize_t r;
    while ((r = read(fd, c, 1)) != 1)
        if (r == 0 || errno != EINTR) {
            errno = r == 0 ? EPIPE : errno;
            die("pipe read");
        }
}

static void reap(pid_t pid, const char *what)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = ECHILD;
        die(what);
    }
}

static void bench_pipe(void)
{
    int ping[2], pong[2]; /* parent -> child, child -> parent */
    if (pipe(ping) || pipe(pong))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    char c = 'x';
    if (pid == 0) {
        pin_cpu0();
        close(ping[1]);
        close(pong[0]);
        for (int i = 0; i < WARMUP + ITERS; i++) {
            xread(ping[0], &c);
            xwrite(pong[1], &c);
        }
        _exit(0);
    }
    close(ping[0]);
    close(pong[1]);
    for (int i = 0; i < WARMUP; i++) {
        xwrite(ping[1], &c);
        xread(pong[0], &c);
    }
    for (int i = 0; i < ITERS; i++) {
        uint64_t t0 = now_ns();
        xwrite(ping[1], &c);
        xread(pong[0], &c);
        samples[i] = now_ns() - t0;
    }
    close(ping[1]);
    close(pong[0]);
    reap(pid, "pipe child");
    report("pipe", samples, ITERS);
}

/* --- futex ping-pong ------------------------------------------------------------------- */

/* The shared word says whose turn it is: 0 the parent's, 1 the child's. */
static long futex(_Atomic int *word, int op, int val)
{
    return syscall(SYS_futex, (int *)word, op, val, NULL, NULL, 0);
}

static void wait_for(_Atomic int *word, int want)
{
    int v;
    while ((v = atomic_load_explicit(word, memory_order_acquire)) != want)
        if (futex(word, FUTEX_WAIT, v) != 0 && errno != EAGAIN && errno != EINTR)
            die("FUTEX_WAIT");
}

static void hand_over(_Atomic int *word, int to)
{
    atomic_store_explicit(word, to, memory_order_release);
    if (futex(word, FUTEX_WAKE, 1) < 0)
        die("FUTEX_WAKE");
}

static void bench_futex(void)
{
    _Atomic int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                             -1, 0);
    if (word == MAP_FAILED)
        die("mmap");
    atomic_store(word, 0);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        pin_cpu0();
        for (int i = 0; i < WARMUP + ITERS; i++) {
            wait_for(word, 1);
            hand_over(word, 0);
        }
        _exit(0);
    }
    for (int i = 0; i < WARMUP; i++) {
        hand_over(word, 1);
        wait_for(word, 0);
    }
    for (int i = 0; i < ITERS; i++) {
        uint64_t t0 = now_ns();
        hand_over(word, 1);
        wait_for(word, 0);
        samples[i] = now_ns() - t0;
    }
    reap(pid, "futex child");
    munmap((void *)word, 4096);
    report("futex", samples, ITERS);
}

/* --- main ------------------------------------------------------------------------------ */

static void clocksource(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    if (f) {
        if (fgets(buf, (int)len, f))
            buf[strcspn(buf, "\n")] = 0;
        fclose(f);
    }
}

/* The samples are only meaningful if clock_gettime reads the TSC (tsc-early or tsc): on the
 * jiffies clocksources it advances in 4 ms steps. */
static void check_clock(const char *when)
{
    char src[64];
    clocksource(src, sizeof src);
    printf("ipc: info clocksource_%s=%s\n", when, src);
    if (strncmp(src, "tsc", 3) != 0) {
        printf("ipc: error the guest clocksource at %s is %s, not the TSC; timings would have "
               "jiffy resolution\n", when, src);
        fflush(stdout);
        exit(1);
    }
}

static void info(void)
{
    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("ipc: info resolution_ns=%ld cpus=%ld iterations=%d warmup=%d\n", res.tv_nsec,
           sysconf(_SC_NPROCESSORS_ONLN), ITERS, WARMUP);
    check_clock("start");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    pin_cpu0();
    info();
    bench_clock();
    bench_getppid();
    bench_pipe();
    bench_futex();
    check_clock("end");
    printf("ipc: done\n");
    fflush(stdout);
    return 0;
}
