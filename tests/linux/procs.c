/* Processes and threads under the Linux personality, compared with the host line by line
 * (tests/linux/linux_run.py): fork and wait4 with exit codes and deaths by signal, the
 * isolation of a forked child's memory, vfork, wait4's errors, futex waits and timeouts,
 * pthreads with a mutex and a condition variable, and EFAULT for bad pointers. Every line
 * printed is a fact the host prints alike; the exit status is 0 when every check held.
 *
 * With the argument "bomb" (Stellina only: the host has no silo) it forks until fork fails,
 * its children sleeping, and prints which error stopped it; the silo's quota must stop it.
 * With "limits" (Stellina only: Linux's limits are others) it checks the personality's own
 * bounds at and beyond: 64 children not yet reaped, 64 threads besides the first. With
 * "races" (Stellina only) it checks fork at its edges: threads forking at once for the last
 * free child slot, a process ending (exit_group) while another of its threads forks, fork of
 * a process with terabytes mapped but untouched, and fork's CLONE_SETTLS with an address
 * the CPU cannot load. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char* what) {
  printf("%s: %s\n", what, ok ? "ok" : "FAILED");
  if (!ok) ++failures;
}

static void describe(const char* who, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", who, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", who, WTERMSIG(status));
  else printf("%s: status %#x\n", who, status);
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

static void exit_codes(void) {
  pid_t pids[4];
  for (int i = 0; i < 4; ++i) {
    pids[i] = fork();
    if (pids[i] == 0) _exit(i * 10 + 1);
    check(pids[i] > 0, "fork returns a pid");
  }
  for (int i = 3; i >= 0; --i) {  /* reaped out of order, by pid */
    int status = -1;
    check(waitpid(pids[i], &status, 0) == pids[i], "wait4 by pid");
    char who[32];
    snprintf(who, sizeof(who), "child %d", i);
    describe(who, status);
  }
  /* Any child: -1. */
  pid_t a = fork();
  if (a == 0) _exit(7);
  int status = 0;
  pid_t reaped = wait(&status);
  check(reaped == a, "wait4(-1) reaps the one child");
  describe("any child", status);
}

static void deaths(void) {
  pid_t sleeper = fork();
  if (sleeper == 0) {
    for (;;) sleep_ms(1000);
  }
  check(kill(sleeper, SIGKILL) == 0, "kill SIGKILL");
  int status = 0;
  waitpid(sleeper, &status, 0);
  describe("killed child", status);

  pid_t faulter = fork();
  if (faulter == 0) {
    *(volatile int*)16 = 1;
    _exit(0);
  }
  waitpid(faulter, &status, 0);
  describe("faulting child", status);

  pid_t terminated = fork();
  if (terminated == 0) {
    kill(getpid(), SIGTERM);
    _exit(0);
  }
  waitpid(terminated, &status, 0);
  describe("SIGTERM to itself", status);
}

static int global_value = 1;

static void isolation(void) {
  int* heap = malloc(64 * 1024);
  char* mapped = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  heap[1000] = 1;
  mapped[5000] = 'p';
  int stack_value = 1;
  pid_t pid = fork();
  if (pid == 0) {
    global_value = 2, heap[1000] = 2, mapped[5000] = 'c', stack_value = 2;
    mapped[9000] = 'n'; /* a page the parent never touched */
    printf("child sees %d %d %c %d %c\n", global_value, heap[1000], mapped[5000], stack_value,
           mapped[9000]);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("parent sees %d %d %c %d %d\n", global_value, heap[1000], mapped[5000], stack_value,
         mapped[9000]);
  global_value = 3;
  check(global_value == 3, "parent writes after the child ended");
  free(heap);
}

/* Three generations share pages: each writes in turn and sees only its own writes. */
static void generations(void) {
  static int shared_page[1024];
  shared_page[0] = 1;
  pid_t child = fork();
  if (child == 0) {
    pid_t grandchild = fork();
    if (grandchild == 0) {
      shared_page[0] = 3;
      _exit(shared_page[0]);
    }
    int status;
    waitpid(grandchild, &status, 0);
    const int mine = shared_page[0];
    shared_page[0] = 2;
    _exit(WEXITSTATUS(status) * 10 + mine);
  }
  int status;
  waitpid(child, &status, 0);
  printf("generations: grandchild and child saw %d, parent sees %d\n", WEXITSTATUS(status),
         shared_page[0]);
  shared_page[0] = 4;
  check(shared_page[0] == 4, "the parent writes its page after both ended");
}

static void parent_ids(void) {
  pid_t me = getpid();
  pid_t pid = fork();
  if (pid == 0) _exit(getppid() == me && getpid() != me && syscall(SYS_gettid) == getpid() ? 0 : 1);
  int status;
  waitpid(pid, &status, 0);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: getppid, getpid, gettid");
}

static void vforked(void) {
  pid_t pid = vfork();
  if (pid == 0) _exit(5);
  int status;
  check(waitpid(pid, &status, 0) == pid, "vfork's child reaped");
  describe("vfork child", status);
}

static void wait_errors(void) {
  int status;
  check(wait(&status) == -1 && errno == ECHILD, "wait4 with no child: ECHILD");
  check(waitpid(999999, &status, 0) == -1 && errno == ECHILD, "wait4 for a stranger: ECHILD");
  pid_t pid = fork();
  if (pid == 0) {
    sleep_ms(200);
    _exit(0);
  }
  check(waitpid(pid, &status, WNOHANG) == 0, "WNOHANG with a live child: 0");
  check(waitpid(pid, &status, 0x40 | 0x1000) == -1 && errno == EINVAL, "unknown options: EINVAL");
  sleep_ms(400);
  /* The child has ended: the status cannot be written. */
  check(syscall(SYS_wait4, pid, (int*)8, 0, NULL) == -1 && errno == EFAULT, "bad status: EFAULT");
  check(wait(&status) == -1 && errno == ECHILD, "reaped even so");
}

static void describe_info(const char* who, const siginfo_t* info, pid_t pid) {
  printf("%s: signo %d code %d status %d pid right %s\n", who, info->si_signo, info->si_code,
         info->si_status, info->si_pid == pid ? "yes" : "no");
}

static void waitids(void) {
  siginfo_t info;
  pid_t pid = fork();
  if (pid == 0) _exit(12);
  memset(&info, 0x55, sizeof(info));
  check(waitid(P_PID, pid, &info, WEXITED | WNOWAIT) == 0, "waitid WNOWAIT");
  describe_info("waitid, not reaped", &info, pid);
  memset(&info, 0x55, sizeof(info));
  check(waitid(P_ALL, 0, &info, WEXITED) == 0, "waitid P_ALL");
  describe_info("waitid, reaped", &info, pid);
  check(waitid(P_ALL, 0, &info, WEXITED) == -1 && errno == ECHILD, "waitid: ECHILD");

  pid = fork();
  if (pid == 0) {
    for (;;) sleep_ms(1000);
  }
  memset(&info, 0x55, sizeof(info));
  check(waitid(P_PID, pid, &info, WEXITED | WNOHANG) == 0 && info.si_pid == 0,
        "waitid WNOHANG with a live child: 0, si_pid 0");
  check(waitid(P_PID, pid, &info, WNOHANG) == -1 && errno == EINVAL, "waitid no WEXITED: EINVAL");
  check(waitid(7, pid, &info, WEXITED) == -1 && errno == EINVAL, "waitid bad idtype: EINVAL");
  kill(pid, SIGKILL);
  check(waitid(P_PID, pid, (siginfo_t*)8, WEXITED) == -1 && errno == EFAULT,
        "waitid bad siginfo: EFAULT");
  check(waitid(P_PID, pid, &info, WEXITED) == -1 && errno == ECHILD, "reaped even so");
  pid = fork();
  if (pid == 0) {
    for (;;) sleep_ms(1000);
  }
  kill(pid, SIGKILL);
  waitid(P_PID, pid, &info, WEXITED);
  describe_info("waitid, killed", &info, pid);
}

static void futexes(void) {
  uint32_t word = 5;
  struct timespec t = {0, 20 * 1000000L};
  check(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 4, NULL) == -1 && errno == EAGAIN,
        "futex wait on a changed word: EAGAIN");
  check(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &t) == -1 && errno == ETIMEDOUT,
        "futex wait times out: ETIMEDOUT");
  check(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1) == 0, "futex wake with no waiter: 0");
  check(syscall(SYS_futex, (uint32_t*)8, FUTEX_WAIT, 0, NULL) == -1 && errno == EFAULT,
        "futex on a bad address: EFAULT");
  check(syscall(SYS_futex, (char*)&word + 1, FUTEX_WAKE, 1) == -1 && errno == EINVAL,
        "futex unaligned: EINVAL");
  check(syscall(SYS_futex, &word, FUTEX_WAIT_BITSET, 5, NULL, NULL, 0) == -1 && errno == EINVAL,
        "futex bitset 0: EINVAL");
  struct timespec bad = {0, 2000000000L};
  check(syscall(SYS_futex, &word, FUTEX_WAIT, 5, &bad) == -1 && errno == EINVAL,
        "futex bad timeout: EINVAL");
  check(nanosleep((struct timespec*)8, NULL) == -1 && errno == EFAULT, "nanosleep bad: EFAULT");
  check(nanosleep(&bad, NULL) == -1 && errno == EINVAL, "nanosleep bad nsec: EINVAL");
}

enum { kThreads = 4, kRounds = 20000 };
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;
static int go, ready;
static long counter;
static pid_t thread_ids[kThreads];

static void* worker(void* arg) {
  const int index = (int)(intptr_t)arg;
  pthread_mutex_lock(&lock);
  thread_ids[index] = (pid_t)syscall(SYS_gettid);
  ++ready;
  pthread_cond_broadcast(&go_cond);
  while (!go) pthread_cond_wait(&go_cond, &lock);
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < kRounds; ++i) {
    pthread_mutex_lock(&lock);
    ++counter;
    if (i % 1000 == 0) sched_yield();
    pthread_mutex_unlock(&lock);
  }
  return (void*)(intptr_t)(getpid() == getpid() ? index + 100 : -1);
}

static pthread_mutex_t never_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_cond = PTHREAD_COND_INITIALIZER;

/* Waits for good: exit_group (main's return) must end it with the process. */
static void* lingering(void* arg) {
  (void)arg;
  pthread_mutex_lock(&never_lock);
  for (;;) pthread_cond_wait(&never_cond, &never_lock);
  return NULL;
}

static void threads(void) {
  pthread_t t[kThreads];
  for (int i = 0; i < kThreads; ++i)
    check(pthread_create(&t[i], NULL, worker, (void*)(intptr_t)i) == 0, "pthread_create");
  pthread_mutex_lock(&lock);
  while (ready < kThreads) pthread_cond_wait(&go_cond, &lock);
  go = 1;
  pthread_cond_broadcast(&go_cond);
  pthread_mutex_unlock(&lock);
  int joined_right = 1;
  for (int i = 0; i < kThreads; ++i) {
    void* result;
    pthread_join(t[i], &result);
    joined_right &= (intptr_t)result == i + 100;
  }
  check(joined_right, "pthread_join returns each thread's value");
  printf("threads counted %ld\n", counter);
  int distinct = 1;
  for (int i = 0; i < kThreads; ++i) {
    distinct &= thread_ids[i] != getpid() && thread_ids[i] > 0;
    for (int j = 0; j < i; ++j) distinct &= thread_ids[i] != thread_ids[j];
  }
  check(distinct, "each thread has its own id, not the process's");
  /* A forked child of a process that had threads runs on with one. */
  pid_t pid = fork();
  if (pid == 0) _exit(counter == kThreads * kRounds ? 9 : 8);
  int status;
  waitpid(pid, &status, 0);
  describe("child after threads", status);
}

static int bomb(void) {
  int made = 0, error = 0;
  for (int i = 0; i < 100000; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      sleep_ms(2000);
      _exit(3);
    }
    if (pid < 0) {
      error = errno;
      break;
    }
    ++made;
  }
  printf("bomb: fork failed with %s after at least one child: %s\n",
         error == EAGAIN ? "EAGAIN" : error == ENOMEM ? "ENOMEM" : "no error",
         made > 0 ? "yes" : "no");
  int status, all_three = 1, reaped = 0;
  while (wait(&status) > 0) {
    ++reaped;
    all_three &= WIFEXITED(status) && WEXITSTATUS(status) == 3;
  }
  printf("bomb: every child reaped with its code: %s\n", reaped == made && all_three ? "yes" : "no");
  pid_t again = fork();
  if (again == 0) _exit(4);
  waitpid(again, &status, 0);
  printf("bomb: fork works again once they are gone: %s\n",
         again > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 4 ? "yes" : "no");
  return error == EAGAIN || error == ENOMEM ? 0 : 1;
}

enum { kMaxChildren = 64, kMaxThreads = 64 };
static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t release_cond = PTHREAD_COND_INITIALIZER;
static int released;

static void* held(void* arg) {
  (void)arg;
  pthread_mutex_lock(&hold_lock);
  while (!released) pthread_cond_wait(&release_cond, &hold_lock);
  pthread_mutex_unlock(&hold_lock);
  return NULL;
}

static int limits(void) {
  int made = 0;
  for (; made < kMaxChildren; ++made) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) break;
  }
  pid_t beyond = fork();
  if (beyond == 0) _exit(0);
  const int refused = beyond < 0 && errno == EAGAIN;
  printf("limits: %d children forked, one more: %s\n", made, refused ? "EAGAIN" : "made");
  int reaped = 0, status;
  while (wait(&status) > 0) ++reaped;
  const pid_t again = fork();
  if (again == 0) _exit(0);
  printf("limits: %d reaped, then fork works: %s\n", reaped, again > 0 ? "yes" : "no");
  waitpid(again, &status, 0);

  pthread_t threads[kMaxThreads + 1];
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  /* No guard pages: the stacks' mappings then merge into one region of the address space,
   * whose table (32 regions) would otherwise bound the threads first. */
  pthread_attr_setguardsize(&attr, 0);
  int started = 0;
  for (; started < kMaxThreads; ++started)
    if (pthread_create(&threads[started], &attr, held, NULL) != 0) break;
  const int more = pthread_create(&threads[kMaxThreads], &attr, held, NULL);
  printf("limits: %d threads made, one more: %s\n", started, more == EAGAIN ? "EAGAIN" : "made");
  pthread_mutex_lock(&hold_lock);
  released = 1;
  pthread_cond_broadcast(&release_cond);
  pthread_mutex_unlock(&hold_lock);
  for (int i = 0; i < started; ++i) pthread_join(threads[i], NULL);
  if (more == 0) pthread_join(threads[kMaxThreads], NULL);
  const int remade = pthread_create(&threads[0], &attr, held, NULL);
  if (remade == 0) pthread_join(threads[0], NULL);
  printf("limits: after the joins a thread can be made: %s\n", remade == 0 ? "yes" : "no");
  return 0;
}

enum { kRacers = 8, kRaceRounds = 5 };
static pthread_barrier_t racers_ready;
static int race_results[kRacers];

/* Forks once as soon as every racer is ready: the child ends at once, unreaped. */
static void* racer(void* arg) {
  pthread_barrier_wait(&racers_ready);
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  *(int*)arg = pid > 0 ? 0 : errno;
  return NULL;
}

/* 63 children unreaped, then kRacers threads fork at once for the one slot left. Returns
 * whether one fork was made and the others refused, and every child reaped. */
static int last_slot(void) {
  int made = 0;
  for (; made < kMaxChildren - 1; ++made) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) break;
  }
  pthread_t threads[kRacers];
  pthread_barrier_init(&racers_ready, NULL, kRacers);
  for (int i = 0; i < kRacers; ++i) pthread_create(&threads[i], NULL, racer, &race_results[i]);
  int won = 0, refused = 0;
  for (int i = 0; i < kRacers; ++i) {
    pthread_join(threads[i], NULL);
    won += race_results[i] == 0;
    refused += race_results[i] == EAGAIN;
  }
  pthread_barrier_destroy(&racers_ready);
  int reaped = 0, status;
  while (wait(&status) > 0) ++reaped;
  return made == kMaxChildren - 1 && won == 1 && refused == kRacers - 1 && reaped == made + won;
}

/* Forks until the process ends under it; each grandchild ends at once. */
static void* forker(void* arg) {
  (void)arg;
  for (;;) {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
  }
  return NULL;
}

/* A child whose main thread calls exit_group while its other thread forks, many times. */
static void exit_during_fork(void) {
  enum { kRounds = 20 };
  int ended_with_7 = 0;
  for (int round = 0; round < kRounds; ++round) {
    const pid_t pid = fork();
    if (pid == 0) {
      pthread_t thread;
      pthread_create(&thread, NULL, forker, NULL);
      sleep_ms(round % 5);
      _exit(7);
    }
    int status;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
        WEXITSTATUS(status) == 7)
      ++ended_with_7;
  }
  sleep_ms(200); /* the grandchildren end after their parents: the kernel must carry on */
  printf("races: exit_group while a thread forks, %d times: each ended with 7: %s\n", kRounds,
         ended_with_7 == kRounds ? "yes" : "no");
}

/* Fork, mprotect and munmap over 16 TiB readable and 16 TiB inaccessible, one page touched:
 * their cost must follow the pages mapped, not the size (a walk of every page would take
 * hours here, far beyond the test's timeout). */
static void huge_untouched(void) {
  const size_t size = (size_t)16 << 40;
  char* readable = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  char* none = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  const int mapped = readable != MAP_FAILED && none != MAP_FAILED;
  int sum = mapped ? readable[size / 2] : 1; /* one page made present */
  const pid_t pid = mapped ? fork() : -1;
  if (pid == 0) _exit(5 + readable[size / 2] + readable[size - 1]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  printf("races: fork with 32 TiB mapped, untouched: the child ended with 5: %s\n",
         pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 5 && sum == 0 ? "yes" : "no");
  const int protected = mapped && mprotect(none, size, PROT_READ) == 0 &&
                        mprotect(readable, size, PROT_NONE) == 0;
  const int unmapped = mapped && munmap(readable, size) == 0 && munmap(none, size) == 0;
  printf("races: mprotect and munmap over them: %s\n", protected && unmapped ? "yes" : "no");
}

/* fork (clone without CLONE_VM) with CLONE_SETTLS and a non-canonical address: EPERM, as
 * arch_prctl(ARCH_SET_FS) gives. */
static void bad_tls(void) {
  const unsigned long tls = 0x8000000000000000ul;
  const long r = syscall(SYS_clone, SIGCHLD | CLONE_SETTLS, 0, NULL, NULL, tls);
  if (r == 0) syscall(SYS_exit_group, 0);
  const int error = errno;
  if (r > 0) waitpid((pid_t)r, NULL, 0);
  printf("races: fork with a non-canonical CLONE_SETTLS address: %s\n",
         r < 0 && error == EPERM ? "EPERM" : "made");
}

static int races(void) {
  int every_round = 1;
  for (int round = 0; round < kRaceRounds; ++round) every_round &= last_slot();
  printf("races: %d rounds of 63 children and %d threads forking for the last slot: one made, "
         "the rest EAGAIN, all reaped: %s\n",
         kRaceRounds, kRacers, every_round ? "yes" : "no");
  exit_during_fork();
  huge_untouched();
  bad_tls();
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1 && strcmp(argv[1], "bomb") == 0) return bomb();
  if (argc > 1 && strcmp(argv[1], "limits") == 0) return limits();
  if (argc > 1 && strcmp(argv[1], "races") == 0) return races();
  exit_codes();
  deaths();
  isolation();
  generations();
  parent_ids();
  vforked();
  wait_errors();
  waitids();
  futexes();
  threads();
  pthread_t lingerer;
  check(pthread_create(&lingerer, NULL, lingering, NULL) == 0, "a thread left waiting at exit");
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
