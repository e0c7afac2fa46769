// Signals as a static glibc program sees them, run under Stellina's Linux personality and on
// the host (tests/linux/linux_run.py compares the two): handlers that run and return, masks,
// SA_SIGINFO's fields, the alternate stack, faults caught by handlers (SIGSEGV, SIGFPE,
// SIGILL) that siglongjmp out, SIGCHLD, SIGPIPE, alarm and setitimer interrupting blocking
// calls (EINTR, and SA_RESTART's restart), kill of children and their wait statuses, and
// hostile frames given to rt_sigreturn (the process dies of SIGSEGV; the kernel carries on).
// Every line printed must be the same on both systems.

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t count;
static volatile sig_atomic_t last_signal;
static siginfo_t last_info;
static sigjmp_buf jump;

static void counting(int signal) {
  ++count;
  last_signal = signal;
}

static void recording(int signal, siginfo_t* info, void* context) {
  (void)context;
  ++count;
  last_signal = signal;
  last_info = *info;
}

static void escaping(int signal, siginfo_t* info, void* context) {
  (void)context;
  last_info = *info;
  siglongjmp(jump, signal);
}

static void set_action(int signal, void (*handler)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  if (sigaction(signal, &sa, NULL) != 0) perror("sigaction");
}

static void set_info_action(int signal, void (*handler)(int, siginfo_t*, void*), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = handler;
  sa.sa_flags = flags | SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(signal, &sa, NULL) != 0) perror("sigaction");
}

static const char* yes(int b) { return b ? "yes" : "no"; }

static void describe_status(const char* what, int status) {
  if (WIFEXITED(status)) {
    printf("%s: exited %d\n", what, WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    printf("%s: killed by signal %d\n", what, WTERMSIG(status));
  } else {
    printf("%s: status %#x\n", what, status);
  }
}

static int on_stellina(void) {
  struct utsname u;
  return uname(&u) == 0 && strstr(u.release, "stellina") != NULL;
}

static void handler_runs_and_returns(void) {
  set_action(SIGUSR1, counting, 0);
  count = 0;
  raise(SIGUSR1);
  kill(getpid(), SIGUSR1);
  printf("handler: ran %d times, last signal %d\n", (int)count, (int)last_signal);
  set_action(SIGUSR1, SIG_IGN, 0);
  raise(SIGUSR1);
  printf("ignored: handler count still %d\n", (int)count);
}

static void masks_block_then_deliver(void) {
  set_action(SIGUSR1, counting, 0);
  count = 0;
  sigset_t block, old, pending;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old);
  raise(SIGUSR1);
  raise(SIGUSR1);  // merged with the first: one pending instance
  sigpending(&pending);
  printf("mask: blocked signal pending %s, handler ran %d\n", yes(sigismember(&pending, SIGUSR1)),
         (int)count);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("mask: after unblocking the handler ran %d\n", (int)count);
  sigpending(&pending);
  printf("mask: still pending %s\n", yes(sigismember(&pending, SIGUSR1)));
  // SIGKILL cannot be blocked: the mask read back leaves it out.
  sigset_t all, now;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  sigprocmask(SIG_SETMASK, &old, &now);
  printf("mask: SIGKILL blockable %s, SIGSTOP blockable %s\n", yes(sigismember(&now, SIGKILL)),
         yes(sigismember(&now, SIGSTOP)));
}

static void timed_wait(void) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  set_action(SIGUSR1, counting, 0);
  count = 0;
  kill(getpid(), SIGUSR1);
  siginfo_t info;
  struct timespec second = {1, 0};
  int got = sigtimedwait(&set, &info, &second);
  printf("sigtimedwait: took %d, SI_USER %s, handler ran %d\n", got, yes(info.si_code == SI_USER),
         (int)count);
  struct timespec short_wait = {0, 50000000};
  got = sigtimedwait(&set, &info, &short_wait);
  printf("sigtimedwait: nothing pending %d errno EAGAIN %s\n", got, yes(errno == EAGAIN));
  sigprocmask(SIG_SETMASK, &old, NULL);
}

static void siginfo_fields(void) {
  set_info_action(SIGUSR2, recording, 0);
  kill(getpid(), SIGUSR2);
  printf("siginfo: signo %d, code SI_USER %s, pid is mine %s\n", last_info.si_signo,
         yes(last_info.si_code == SI_USER), yes(last_info.si_pid == getpid()));
  syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
  printf("siginfo: tgkill code SI_TKILL %s, pid is mine %s\n", yes(last_info.si_code == SI_TKILL),
         yes(last_info.si_pid == getpid()));
}

static volatile uintptr_t handler_stack_address;
static volatile int handler_saw_onstack;
static volatile int handler_blocked_itself;

static void on_alternate(int signal) {
  int local;
  handler_stack_address = (uintptr_t)&local;
  stack_t now;
  sigaltstack(NULL, &now);
  handler_saw_onstack = (now.ss_flags & SS_ONSTACK) != 0;
  sigset_t mask;
  sigprocmask(SIG_SETMASK, NULL, &mask);
  handler_blocked_itself = sigismember(&mask, signal);
}

static void alternate_stack(void) {
  static char area[65536];
  stack_t ss = {.ss_sp = area, .ss_size = sizeof(area), .ss_flags = 0};
  printf("sigaltstack: set %d\n", sigaltstack(&ss, NULL));
  set_action(SIGUSR1, on_alternate, SA_ONSTACK);
  raise(SIGUSR1);
  const uintptr_t at = handler_stack_address;
  printf("sigaltstack: handler on it %s, SS_ONSTACK inside %s\n",
         yes(at >= (uintptr_t)area && at < (uintptr_t)area + sizeof(area)),
         yes(handler_saw_onstack));
  printf("sigaltstack: handler's own signal blocked inside %s\n", yes(handler_blocked_itself));
  set_action(SIGUSR1, on_alternate, SA_NODEFER);
  raise(SIGUSR1);
  printf("sigaltstack: without SA_ONSTACK on it %s; SA_NODEFER blocked inside %s\n",
         yes(handler_stack_address >= (uintptr_t)area &&
             handler_stack_address < (uintptr_t)area + sizeof(area)),
         yes(handler_blocked_itself));
  stack_t small = {.ss_sp = area, .ss_size = 100, .ss_flags = 0};
  int r = sigaltstack(&small, NULL);
  printf("sigaltstack: too small %d errno ENOMEM %s\n", r, yes(errno == ENOMEM));
  stack_t bad_flags = {.ss_sp = area, .ss_size = sizeof(area), .ss_flags = 0x40};
  r = sigaltstack(&bad_flags, NULL);
  printf("sigaltstack: bad flags %d errno EINVAL %s\n", r, yes(errno == EINVAL));
  stack_t off = {.ss_flags = SS_DISABLE};
  stack_t old;
  sigaltstack(&off, &old);
  printf("sigaltstack: old size %zu, now disabled\n", old.ss_size);
}

static void faults_caught(void) {
  set_info_action(SIGSEGV, escaping, 0);
  int got = sigsetjmp(jump, 1);
  if (got == 0) *(volatile int*)0 = 1;
  printf("fault: null write -> signal %d, SEGV_MAPERR %s, address 0 %s\n", got,
         yes(last_info.si_code == SEGV_MAPERR), yes(last_info.si_addr == NULL));
  char* page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  got = sigsetjmp(jump, 1);
  if (got == 0) page[8] = 1;
  printf("fault: read-only write -> signal %d, SEGV_ACCERR %s, address right %s\n", got,
         yes(last_info.si_code == SEGV_ACCERR), yes(last_info.si_addr == page + 8));
  // Twice: siglongjmp restored the mask, so the handler runs again.
  got = sigsetjmp(jump, 1);
  if (got == 0) page[16] = 1;
  printf("fault: again -> signal %d\n", got);
  munmap(page, 4096);

  set_info_action(SIGFPE, escaping, 0);
  volatile int zero = 0;
  volatile int result = 0;
  got = sigsetjmp(jump, 1);
  if (got == 0) result = 10 / zero;
  printf("fault: divide by zero -> signal %d, FPE_INTDIV %s (%d)\n", got,
         yes(last_info.si_code == FPE_INTDIV), result);

  set_info_action(SIGILL, escaping, 0);
  got = sigsetjmp(jump, 1);
  if (got == 0) __asm__ volatile("ud2");
  printf("fault: ud2 -> signal %d, ILL_ILLOPN %s\n", got, yes(last_info.si_code == ILL_ILLOPN));
  set_action(SIGSEGV, SIG_DFL, 0);
  set_action(SIGFPE, SIG_DFL, 0);
  set_action(SIGILL, SIG_DFL, 0);
}

// A child's end status after body runs in it.
static int child_status(void (*body)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

static void segfault_without_handler(void) { *(volatile int*)8 = 1; }

static void fault_in_handler_handler(int signal) {
  (void)signal;
  *(volatile int*)16 = 1;  // SIGSEGV blocked while its handler runs: the process ends
}
static void fault_inside_handler(void) {
  set_action(SIGSEGV, fault_in_handler_handler, 0);
  *(volatile int*)8 = 1;
}

static void reset_hand(void) {
  set_action(SIGUSR2, counting, SA_RESETHAND);
  raise(SIGUSR2);
  if (count != 1) _exit(9);
  raise(SIGUSR2);  // the default action now: the end
  _exit(8);
}

static void aborting(void) { abort(); }

static void fault_deaths(void) {
  describe_status("death: segfault without handler", child_status(segfault_without_handler));
  describe_status("death: fault inside the SIGSEGV handler", child_status(fault_inside_handler));
  count = 0;
  describe_status("death: SA_RESETHAND's second signal", child_status(reset_hand));
  const int status = child_status(aborting);
  describe_status("death: abort", status);
  // Linux sets the core flag only when it wrote a core file (a host's limit decides);
  // Stellina writes none but reports the flag of the signals whose default dumps core.
  printf("death: core flag as expected %s\n", yes(!on_stellina() || WCOREDUMP(status)));
}

static volatile sig_atomic_t reaped;
static volatile int reaped_status;

static void reaper(int signal) {
  (void)signal;
  int status;
  while (waitpid(-1, &status, WNOHANG) > 0) {
    reaped_status = status;
    ++reaped;
  }
}

static void sigchld_reaping(void) {
  set_action(SIGCHLD, reaper, 0);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  reaped = 0;
  fflush(stdout);
  if (fork() == 0) _exit(7);
  while (!reaped) sigsuspend(&old);
  sigprocmask(SIG_SETMASK, &old, NULL);
  describe_status("sigchld: handler reaped", reaped_status);
  set_action(SIGCHLD, SIG_DFL, 0);
}

static void pipe_writer(void) {
  int fds[2];
  pipe(fds);
  close(fds[0]);
  write(fds[1], "x", 1);
  _exit(5);  // not reached: SIGPIPE's default ends the process
}

static void sigpipe_cases(void) {
  describe_status("sigpipe: default", child_status(pipe_writer));
  set_action(SIGPIPE, SIG_IGN, 0);
  int fds[2];
  pipe(fds);
  close(fds[0]);
  const ssize_t n = write(fds[1], "x", 1);
  printf("sigpipe: ignored, write %zd errno EPIPE %s\n", n, yes(errno == EPIPE));
  close(fds[1]);
  set_info_action(SIGPIPE, recording, 0);
  pipe(fds);
  close(fds[0]);
  count = 0;
  const ssize_t m = write(fds[1], "x", 1);
  printf("sigpipe: handled, write %zd errno EPIPE %s, handler ran %d, signo %d\n", m,
         yes(errno == EPIPE), (int)count, last_info.si_signo);
  close(fds[1]);
  set_action(SIGPIPE, SIG_DFL, 0);
}

static int restart_pipe[2];
static void write_on_alarm(int signal) {
  (void)signal;
  ++count;
  write(restart_pipe[1], "r", 1);
}

static void alarms_interrupt(void) {
  set_action(SIGALRM, counting, 0);
  int fds[2];
  pipe(fds);
  char c;
  count = 0;
  alarm(1);
  const ssize_t n = read(fds[0], &c, 1);
  printf("alarm: read %zd errno EINTR %s, handler ran %d\n", n, yes(errno == EINTR), (int)count);
  printf("alarm: none left %u\n", alarm(0));

  struct itimerval t = {.it_interval = {0, 0}, .it_value = {0, 200000}};
  setitimer(ITIMER_REAL, &t, NULL);
  struct itimerval now;
  getitimer(ITIMER_REAL, &now);
  printf("itimer: armed %s, no interval %s\n",
         yes(now.it_value.tv_sec == 0 && now.it_value.tv_usec > 0),
         yes(now.it_interval.tv_sec == 0 && now.it_interval.tv_usec == 0));
  struct timespec want = {5, 0}, left = {0, 0};
  const int slept = nanosleep(&want, &left);
  printf("itimer: nanosleep %d errno EINTR %s, time left between 4 and 5 s %s\n", slept,
         yes(errno == EINTR), yes(left.tv_sec == 4 || (left.tv_sec == 5 && left.tv_nsec == 0)));
  getitimer(ITIMER_REAL, &now);
  printf("itimer: disarmed after firing %s\n",
         yes(now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0));

  // SA_RESTART: the read goes on after the handler, and gets the byte the handler wrote.
  pipe(restart_pipe);
  set_action(SIGALRM, write_on_alarm, SA_RESTART);
  count = 0;
  struct itimerval soon = {.it_interval = {0, 0}, .it_value = {0, 100000}};
  setitimer(ITIMER_REAL, &soon, NULL);
  const ssize_t got = read(restart_pipe[0], &c, 1);
  printf("restart: read %zd byte '%c', handler ran %d\n", got, got == 1 ? c : '?', (int)count);

  // Without it, a wait4 for a child that never ends is interrupted.
  set_action(SIGALRM, counting, 0);
  fflush(stdout);
  pid_t sleeper = fork();
  if (sleeper == 0) {
    pause();
    _exit(0);
  }
  setitimer(ITIMER_REAL, &soon, NULL);
  int status;
  const pid_t w = waitpid(sleeper, &status, 0);
  printf("alarm: waitpid %d errno EINTR %s\n", (int)w, yes(errno == EINTR));
  kill(sleeper, SIGKILL);
  waitpid(sleeper, &status, 0);
  describe_status("kill: SIGKILL to a pausing child", status);
  int r = setitimer(99, &soon, NULL);
  printf("itimer: bad which %d errno EINVAL %s\n", r, yes(errno == EINVAL));
  struct itimerval bad = {.it_interval = {0, 0}, .it_value = {0, 2000000}};
  r = setitimer(ITIMER_REAL, &bad, NULL);
  printf("itimer: bad microseconds %d errno EINVAL %s\n", r, yes(errno == EINVAL));
  set_action(SIGALRM, SIG_DFL, 0);
}

static void exit_three(int signal) {
  (void)signal;
  _exit(3);
}

static void kill_children(void) {
  int ready[2];
  pipe(ready);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    set_action(SIGUSR1, exit_three, 0);
    write(ready[1], "r", 1);
    for (;;) pause();
  }
  char c;
  read(ready[0], &c, 1);
  kill(child, SIGUSR1);
  int status;
  waitpid(child, &status, 0);
  describe_status("kill: SIGUSR1 to a child whose handler exits 3", status);
  child = fork();
  if (child == 0) {
    write(ready[1], "r", 1);
    for (;;) pause();
  }
  read(ready[0], &c, 1);
  kill(child, SIGTERM);
  waitpid(child, &status, 0);
  describe_status("kill: SIGTERM to a pausing child", status);
  const int r = kill(getpid(), 65);
  printf("kill: a bad signal %d errno EINVAL %s\n", r, yes(errno == EINVAL));
  printf("kill: probe 0 %d\n", kill(getpid(), 0));
}

static volatile double handler_result;
static void fpu_user(int signal) {
  (void)signal;
  volatile double x = 1.0;
  for (int i = 0; i < 10; ++i) x = x * 3.0 + 0.5;
  handler_result = x;
  __asm__ volatile("ldmxcsr %0" ::"m"((unsigned){0x7f80}));  // round toward zero, in here
}

static void fpu_kept(void) {
  set_action(SIGUSR1, fpu_user, 0);
  volatile double mine = 2.5;
  unsigned before, after;
  __asm__ volatile("stmxcsr %0" : "=m"(before));
  raise(SIGUSR1);
  __asm__ volatile("stmxcsr %0" : "=m"(after));
  printf("fpu: handler computed %.1f, mine %.1f, MXCSR kept %s\n", handler_result, mine,
         yes(before == after));
}

// Hostile frames: each in a child, which must die of SIGSEGV (or, for privileged flags,
// carry on without them).
static void corrupt_rip(int signal, siginfo_t* info, void* context) {
  (void)signal, (void)info;
  ((ucontext_t*)context)->uc_mcontext.gregs[REG_RIP] = (greg_t)0x8000000000000000ull;
}
static void frame_with_bad_rip(void) {
  set_info_action(SIGUSR1, corrupt_rip, 0);
  raise(SIGUSR1);
}

static void corrupt_mxcsr(int signal, siginfo_t* info, void* context) {
  (void)signal, (void)info;
  ((ucontext_t*)context)->uc_mcontext.fpregs->mxcsr = 0xffffffffu;
}
static void frame_with_bad_mxcsr(void) {
  set_info_action(SIGUSR1, corrupt_mxcsr, 0);
  raise(SIGUSR1);
}

static void sigreturn_from_garbage(void) {
  // rt_sigreturn with the stack pointer at an unmapped address.
  __asm__ volatile("mov $0x10000, %%rsp\n mov $15, %%eax\n syscall" ::: "memory");
}

static void set_iopl(int signal, siginfo_t* info, void* context) {
  (void)signal, (void)info;
  ((ucontext_t*)context)->uc_mcontext.gregs[REG_EFL] |= 0x3000 | 0x20000;  // IOPL 3, VM
}
static void frame_with_privileged_flags(void) {
  set_info_action(SIGUSR1, set_iopl, 0);
  raise(SIGUSR1);
  uint64_t flags;
  __asm__ volatile("pushf\n pop %0" : "=r"(flags));
  _exit((flags & 0x23000) ? 1 : 4);
}

static void hostile_frames(void) {
  describe_status("hostile: non-canonical rip in the frame", child_status(frame_with_bad_rip));
  describe_status("hostile: reserved MXCSR bits in the frame", child_status(frame_with_bad_mxcsr));
  describe_status("hostile: rt_sigreturn from an unmapped stack",
                  child_status(sigreturn_from_garbage));
  describe_status("hostile: IOPL and VM asked for (4: not given)",
                  child_status(frame_with_privileged_flags));
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  handler_runs_and_returns();
  masks_block_then_deliver();
  siginfo_fields();
  timed_wait();
  alternate_stack();
  faults_caught();
  fault_deaths();
  sigchld_reaping();
  sigpipe_cases();
  alarms_interrupt();
  kill_children();
  fpu_kept();
  hostile_frames();
  printf("done\n");
  return 0;
}
