// Futexes across processes, as a static glibc program sees them, run under Stellina's Linux
// personality and on the host (tests/linux/linux_run.py compares the two line by line):
// - a PTHREAD_PROCESS_SHARED mutex and condition variable in MAP_SHARED memory, used by
//   forked children: they wait on the condition variable until the parent starts them, then
//   count under the mutex (the sum is exact only if the mutex excludes across processes);
// - FUTEX_WAIT in a child woken by the parent's FUTEX_WAKE on the shared word, and the same
//   with FUTEX_PRIVATE_FLAG, which names the word by each process's own memory: no wake
//   reaches the child, which times out;
// - a waiter killed while it waits leaves nothing for a wake to find;
// - a thread waiting on a shared word that its process unmaps meanwhile is still woken by
//   a child that maps the word.

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

enum { kChildren = 3, kIncrements = 3000 };

struct Shared {
  pthread_mutex_t mutex;
  pthread_cond_t arrived;  // a child has come
  pthread_cond_t start;    // the parent says go
  int here;
  int go;
  long counter;
};

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

static long futex(uint32_t* word, int op, uint32_t value, const struct timespec* timeout) {
  return syscall(SYS_futex, word, op, value, timeout, NULL, 0);
}

static const char* error_name(long r) {
  if (r >= 0) return "0";
  switch (errno) {
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EINTR: return "EINTR";
    case EFAULT: return "EFAULT";
    default: return "other";
  }
}

static void* map_shared(size_t size) {
  void* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    printf("mmap failed\n");
    exit(1);
  }
  return p;
}

static int exit_code(pid_t child) {
  int status;
  if (waitpid(child, &status, 0) != child) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

static void mutex_and_condvar(void) {
  struct Shared* s = map_shared(sizeof(struct Shared));
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&s->mutex, &ma);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_cond_init(&s->arrived, &ca);
  pthread_cond_init(&s->start, &ca);
  pid_t children[kChildren];
  for (int i = 0; i < kChildren; ++i) {
    children[i] = fork();
    if (children[i] == 0) {
      pthread_mutex_lock(&s->mutex);
      ++s->here;
      pthread_cond_signal(&s->arrived);
      while (!s->go) pthread_cond_wait(&s->start, &s->mutex);
      pthread_mutex_unlock(&s->mutex);
      for (int n = 0; n < kIncrements; ++n) {
        pthread_mutex_lock(&s->mutex);
        const long v = s->counter;
        if (n % 64 == 0) sched_yield();  // another process may try the mutex meanwhile
        s->counter = v + 1;
        pthread_mutex_unlock(&s->mutex);
      }
      _exit(0);
    }
  }
  pthread_mutex_lock(&s->mutex);
  while (s->here < kChildren) pthread_cond_wait(&s->arrived, &s->mutex);
  printf("all %d children waiting\n", s->here);
  s->go = 1;
  pthread_cond_broadcast(&s->start);
  pthread_mutex_unlock(&s->mutex);
  int codes = 0;
  for (int i = 0; i < kChildren; ++i) codes += exit_code(children[i]);
  printf("counter %ld (expected %d), exit codes %d\n", s->counter, kChildren * kIncrements, codes);
  munmap(s, sizeof(struct Shared));
}

// Wakes word until one waiter is woken (the waiter may not be waiting yet); how many wakes
// it took is not printed: only that one was woken, within about 10 s.
static long wake_one_waiter(uint32_t* word, int op) {
  for (int i = 0; i < 1000; ++i) {
    const long woken = futex(word, op, 1, NULL);
    if (woken != 0) return woken;
    sleep_ms(10);
  }
  return 0;
}

static void wait_and_wake(void) {
  uint32_t* word = map_shared(4096);
  pid_t child = fork();
  if (child == 0) {
    long r;
    while ((r = futex(word, FUTEX_WAIT, 0, NULL)) != 0 && errno == EAGAIN && *word == 0) {
    }
    _exit(r == 0 ? 0 : 1);
  }
  printf("shared wake woke %ld\n", wake_one_waiter(word, FUTEX_WAKE));
  printf("shared waiter exit %d\n", exit_code(child));

  // Private futexes in shared memory are each process's own.
  child = fork();
  if (child == 0) {
    const struct timespec limit = {1, 0};
    const long r = futex(word, FUTEX_WAIT_PRIVATE, 0, &limit);
    printf("private waiter: %s\n", error_name(r));
    _exit(0);
  }
  long woken = 0;
  for (int i = 0; i < 20; ++i) {
    woken += futex(word, FUTEX_WAKE_PRIVATE, 1, NULL);
    sleep_ms(20);
  }
  const int code = exit_code(child);  // after the child's line
  printf("private wakes woke %ld, waiter exit %d\n", woken, code);

  // A waiter killed while waiting: nothing is left to wake.
  child = fork();
  if (child == 0) {
    for (;;) futex(word, FUTEX_WAIT, 0, NULL);
  }
  sleep_ms(200);
  kill(child, SIGKILL);
  printf("killed waiter exit %d\n", exit_code(child));
  printf("wake after the kill woke %ld\n", futex(word, FUTEX_WAKE, 1, NULL));
  munmap(word, 4096);
}

static uint32_t* unmapped_word;
static long unmapped_result;

static void* wait_on_word(void* arg) {
  (void)arg;
  unmapped_result = futex(unmapped_word, FUTEX_WAIT, 0, NULL);
  return NULL;
}

static void unmapped_while_waiting(void) {
  unmapped_word = map_shared(4096);
  int go[2];
  if (pipe(go) != 0) return;
  const pid_t child = fork();
  if (child == 0) {
    char c;
    if (read(go[0], &c, 1) != 1) _exit(2);
    _exit(wake_one_waiter(unmapped_word, FUTEX_WAKE) == 1 ? 0 : 1);
  }
  pthread_t waiter;
  pthread_create(&waiter, NULL, wait_on_word, NULL);
  sleep_ms(300);  // the thread waits by now
  printf("munmap under the waiter: %d\n", munmap(unmapped_word, 4096));
  if (write(go[1], "g", 1) != 1) return;
  pthread_join(waiter, NULL);
  printf("waiter woke: %s\n", error_name(unmapped_result));
  printf("waker exit %d\n", exit_code(child));
  close(go[0]);
  close(go[1]);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  mutex_and_condvar();
  wait_and_wake();
  unmapped_while_waiting();
  printf("done\n");
  return 0;
}
