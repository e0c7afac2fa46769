// Stopping and continuing, and queued real-time signals, as a static glibc program sees them,
// run under Stellina's Linux personality and on the host (tests/linux/linux_run.py compares
// the two line by line):
// - real-time signals queued one instance each with its siginfo (sigqueue's value), taken by
//   sigwaitinfo and by handlers lowest number first and in order within a number, a blocked
//   one queued though ignored; rt_sigqueueinfo's and rt_tgsigqueueinfo's rule for si_code
//   (EPERM), rt_sigpending; sigwaitinfo taking a signal whose default is fatal; and, run as `stops limit` (Stellina only: the host counts every
//   signal its user has pending against the limit), the queue filled to its bound, 64
//   (RLIMIT_SIGPENDING), with EAGAIN past it (sigqueue, tgkill), kill's instance past it
//   pending without its siginfo, and all taken back in order;
// - SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU stopping a child of two spinning threads (neither
//   moves until SIGCONT), waitpid's WUNTRACED and WCONTINUED and waitid's WSTOPPED,
//   WCONTINUED and WNOWAIT, SIGCHLD's CLD_STOPPED and CLD_CONTINUED (none under
//   SA_NOCLDSTOP), SIGKILL and SIGTERM ending a stopped child, a handled SIGTSTP not
//   stopping, SIGCONT dropping a pending stop signal and a stop signal a pending SIGCONT.

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kQueueBound = 64 };

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

static const char* error_name(int e) {
  switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case ESRCH: return "ESRCH";
    case EFAULT: return "EFAULT";
    case ECHILD: return "ECHILD";
    default: return "other";
  }
}

static const char* result(long r) { return error_name(r < 0 ? errno : 0); }

static sigset_t set_of(int first, int last) {
  sigset_t set;
  sigemptyset(&set);
  for (int s = first; s <= last; ++s) sigaddset(&set, s);
  return set;
}

static void block(int first, int last) {
  sigset_t set = set_of(first, last);
  sigprocmask(SIG_BLOCK, &set, NULL);
}

static void unblock(int first, int last) {
  sigset_t set = set_of(first, last);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static int queue_value(pid_t pid, int signal, int value) {
  union sigval v = {.sival_int = value};
  return sigqueue(pid, signal, v);
}

// Takes what is pending of [first, last] without waiting: the signal (relative to
// SIGRTMIN), si_code and si_value of each, until none is left.
static void drain(int first, int last) {
  sigset_t set = set_of(first, last);
  const struct timespec none = {0, 0};
  siginfo_t info;
  int n = 0;
  for (;;) {
    const int s = sigtimedwait(&set, &info, &none);
    if (s < 0) {
      printf("  then %s after %d\n", error_name(errno), n);
      return;
    }
    printf("  RTMIN+%d code %d value %d\n", s - SIGRTMIN, info.si_code, info.si_value.sival_int);
    ++n;
  }
}

static int order[16][2];
static volatile int delivered;

static void record_order(int signal, siginfo_t* info, void* context) {
  (void)context;
  if (delivered < 16) {
    order[delivered][0] = signal - SIGRTMIN;
    order[delivered][1] = info->si_value.sival_int;
  }
  ++delivered;
}

static void queued_in_order(void) {
  printf("queued in order\n");
  block(SIGRTMIN, SIGRTMIN + 2);
  queue_value(getpid(), SIGRTMIN + 1, 10);
  queue_value(getpid(), SIGRTMIN, 20);
  queue_value(getpid(), SIGRTMIN + 1, 30);
  queue_value(getpid(), SIGRTMIN, 40);
  kill(getpid(), SIGRTMIN + 2);
  kill(getpid(), SIGRTMIN + 2);
  sigset_t pending;
  sigpending(&pending);
  printf("pending %d %d %d %d\n", sigismember(&pending, SIGRTMIN),
         sigismember(&pending, SIGRTMIN + 1), sigismember(&pending, SIGRTMIN + 2),
         sigismember(&pending, SIGRTMIN + 3));
  // sigwaitinfo takes one instance at a time: the lowest number first, in the order sent.
  sigset_t set = set_of(SIGRTMIN, SIGRTMIN + 2);
  siginfo_t info;
  const int s = sigwaitinfo(&set, &info);
  printf("sigwaitinfo RTMIN+%d code %d value %d pid ok %d\n", s - SIGRTMIN, info.si_code,
         info.si_value.sival_int, info.si_pid == getpid());
  drain(SIGRTMIN, SIGRTMIN + 2);

  // Handlers: every instance runs one, in the same order.
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = record_order;
  sa.sa_flags = SA_SIGINFO;
  for (int s = SIGRTMIN; s <= SIGRTMIN + 2; ++s) sigaction(s, &sa, NULL);
  queue_value(getpid(), SIGRTMIN + 2, 1);
  queue_value(getpid(), SIGRTMIN + 1, 2);
  queue_value(getpid(), SIGRTMIN + 2, 3);
  queue_value(getpid(), SIGRTMIN, 4);
  queue_value(getpid(), SIGRTMIN + 1, 5);
  unblock(SIGRTMIN, SIGRTMIN + 2);
  printf("handlers ran %d:", delivered);
  for (int i = 0; i < delivered && i < 16; ++i) printf(" %d/%d", order[i][0], order[i][1]);
  printf("\n");
  signal(SIGRTMIN, SIG_DFL);
  signal(SIGRTMIN + 1, SIG_DFL);
  signal(SIGRTMIN + 2, SIG_DFL);

  // An ignored real-time signal is not queued; setting "ignore" drops the queued ones.
  block(SIGRTMIN, SIGRTMIN);
  queue_value(getpid(), SIGRTMIN, 7);
  queue_value(getpid(), SIGRTMIN, 8);
  signal(SIGRTMIN, SIG_IGN);
  sigpending(&pending);
  printf("ignored drops pending: %d\n", sigismember(&pending, SIGRTMIN));
  printf("sigqueue to ignored: %s\n", result(queue_value(getpid(), SIGRTMIN, 9)));
  signal(SIGRTMIN, SIG_DFL);
  drain(SIGRTMIN, SIGRTMIN);
  unblock(SIGRTMIN, SIGRTMIN);
}

// Stellina only; returns whether every answer was the one expected.
static int queue_limit(void) {
  printf("queue limit\n");
  struct rlimit limit;
  getrlimit(RLIMIT_SIGPENDING, &limit);
  printf("RLIMIT_SIGPENDING %ld\n", (long)limit.rlim_cur);
  block(SIGRTMIN, SIGRTMIN + 1);
  int sent = 0;
  while (sent < 2 * kQueueBound && queue_value(getpid(), SIGRTMIN + (sent & 1), sent) == 0) ++sent;
  const int full_errno = errno;
  printf("queued %d, then %s\n", sent, error_name(full_errno));
  const long tgkilled = syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGRTMIN);
  const int tgkill_errno = errno;
  printf("tgkill past the bound: %s\n", error_name(tgkilled < 0 ? tgkill_errno : 0));
  // kill's instance is pending without its siginfo; it goes with the last queued one.
  const int killed = kill(getpid(), SIGRTMIN + 1);
  printf("kill past the bound: %s\n", result(killed));
  sigset_t set = set_of(SIGRTMIN, SIGRTMIN + 1);
  const struct timespec none = {0, 0};
  siginfo_t info;
  int taken = 0, in_order = 1, last[2] = {-2, -1};
  while (sigtimedwait(&set, &info, &none) > 0) {
    const int which = info.si_signo - SIGRTMIN;
    if (info.si_value.sival_int != last[which] + 2) in_order = 0;
    last[which] = info.si_value.sival_int;
    ++taken;
  }
  printf("taken %d in order %d, then %s\n", taken, in_order, error_name(errno));
  const int room = queue_value(getpid(), SIGRTMIN, 1);
  printf("room again: %s\n", result(room));
  drain(SIGRTMIN, SIGRTMIN);
  unblock(SIGRTMIN, SIGRTMIN + 1);
  return limit.rlim_cur == kQueueBound && sent == kQueueBound && full_errno == EAGAIN &&
         tgkilled < 0 && tgkill_errno == EAGAIN && killed == 0 && taken == kQueueBound &&
         in_order && room == 0;
}

// A siginfo as rt_sigqueueinfo's caller fills it.
static siginfo_t info_of(int signal, int code, int value) {
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  info.si_signo = signal;
  info.si_code = code;
  info.si_pid = getpid();
  info.si_value.sival_int = value;
  return info;
}

static long queue_info(pid_t pid, int signal, int code, int value) {
  siginfo_t info = info_of(signal, code, value);
  return syscall(SYS_rt_sigqueueinfo, pid, signal, &info);
}

static long tg_queue_info(pid_t tid, int signal, int code, int value) {
  siginfo_t info = info_of(signal, code, value);
  return syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, signal, &info);
}

static void queueinfo_rules(void) {
  printf("queueinfo rules\n");
  block(SIGRTMIN, SIGRTMIN);
  // To itself any si_code goes; to another process only the negative ones but SI_TKILL.
  printf("self SI_USER %s\n", result(queue_info(getpid(), SIGRTMIN, SI_USER, 1)));
  printf("self SI_TKILL %s\n", result(queue_info(getpid(), SIGRTMIN, SI_TKILL, 2)));
  printf("self SI_QUEUE %s\n", result(queue_info(getpid(), SIGRTMIN, SI_QUEUE, 3)));
  printf("tg self SI_KERNEL %s\n", result(tg_queue_info(syscall(SYS_gettid), SIGRTMIN, SI_KERNEL, 4)));
  printf("tg self SI_QUEUE %s\n", result(tg_queue_info(syscall(SYS_gettid), SIGRTMIN, SI_QUEUE, 5)));
  drain(SIGRTMIN, SIGRTMIN);
  printf("bad signal %s\n", result(queue_info(getpid(), 65, SI_QUEUE, 0)));
  printf("bad info %s\n", result(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, (void*)8)));
  const pid_t child = fork();
  if (child == 0) {
    sigset_t set = set_of(SIGRTMIN, SIGRTMIN);
    siginfo_t info;
    const int s = sigwaitinfo(&set, &info);
    _exit(s == SIGRTMIN && info.si_code == SI_QUEUE ? info.si_value.sival_int : 99);
  }
  printf("child SI_USER %s\n", result(queue_info(child, SIGRTMIN, SI_USER, 1)));
  printf("child SI_KERNEL %s\n", result(queue_info(child, SIGRTMIN, SI_KERNEL, 1)));
  printf("child SI_TKILL %s\n", result(queue_info(child, SIGRTMIN, SI_TKILL, 1)));
  printf("child SI_QUEUE %s\n", result(queue_info(child, SIGRTMIN, SI_QUEUE, 42)));
  int status;
  waitpid(child, &status, 0);
  printf("child took value %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  unblock(SIGRTMIN, SIGRTMIN);
}

// A signal whose default ends the process, sent while sigwaitinfo waits for it (unblocked
// for the wait), is taken by the wait: it ends nothing.
static void sigwait_takes_fatal(void) {
  block(SIGUSR2, SIGUSR2);
  const pid_t child = fork();
  if (child == 0) {
    sigset_t set = set_of(SIGUSR2, SIGUSR2);
    siginfo_t info;
    _exit(sigwaitinfo(&set, &info) == SIGUSR2 && info.si_code == SI_USER ? 5 : 6);
  }
  sleep_ms(300);  // the child waits by now
  kill(child, SIGUSR2);
  int status;
  waitpid(child, &status, 0);
  printf("sigwaitinfo took SIGUSR2: %s\n", WIFEXITED(status) && WEXITSTATUS(status) == 5 ? "yes" : "no");
  unblock(SIGUSR2, SIGUSR2);
}

// Stop and continue.

struct Spin {
  volatile long counts[2];
};
static struct Spin* spin;

static void* spinner(void* arg) {
  volatile long* count = arg;
  for (;;) ++*count;
  return NULL;
}

// A child of two threads, each counting in shared memory for ever. It leads a group of its
// own, as a job-control shell puts each job (both sides set it, so it is set before either
// goes on): a group whose every member's parent is in the group itself or outside the
// session is orphaned, and SIGTSTP, SIGTTIN and SIGTTOU would not stop it.
static pid_t spinning_child(void) {
  spin->counts[0] = spin->counts[1] = 0;
  const pid_t child = fork();
  if (child > 0) setpgid(child, child);
  if (child == 0) {
    setpgid(0, 0);
    pthread_t t;
    pthread_create(&t, NULL, spinner, (void*)&spin->counts[1]);
    spinner((void*)&spin->counts[0]);
  }
  return child;
}

// Whether both threads moved within a while.
static int moving(void) {
  long before[2] = {spin->counts[0], spin->counts[1]};
  for (int i = 0; i < 200; ++i) {
    sleep_ms(10);
    if (spin->counts[0] != before[0] && spin->counts[1] != before[1]) return 1;
  }
  return 0;
}

// Whether neither thread moves for a while.
static int still(void) {
  long before[2] = {spin->counts[0], spin->counts[1]};
  sleep_ms(200);
  return spin->counts[0] == before[0] && spin->counts[1] == before[1];
}

static const char* status_text(int status) {
  static char text[64];
  if (WIFSTOPPED(status)) {
    snprintf(text, sizeof(text), "stopped by %s", strsignal(WSTOPSIG(status)));
  } else if (WIFCONTINUED(status)) {
    snprintf(text, sizeof(text), "continued");
  } else if (WIFSIGNALED(status)) {
    snprintf(text, sizeof(text), "killed by %s", strsignal(WTERMSIG(status)));
  } else {
    snprintf(text, sizeof(text), "exited %d", WEXITSTATUS(status));
  }
  return text;
}

static volatile int chld_codes[8];
static volatile int chld_count;

static void on_chld(int signal, siginfo_t* info, void* context) {
  (void)signal, (void)context;
  if (chld_count < 8) chld_codes[chld_count] = info->si_code;
  ++chld_count;
}

static void print_chld(const char* what) {
  printf("%s: %d SIGCHLD:", what, chld_count);
  for (int i = 0; i < chld_count && i < 8; ++i) printf(" %d", chld_codes[i]);
  printf("\n");
  chld_count = 0;
}

// Waits for status of child with options, retrying EINTR (the SIGCHLD handler).
static pid_t wait_for(pid_t child, int* status, int options) {
  pid_t got;
  while ((got = waitpid(child, status, options)) < 0 && errno == EINTR) {
  }
  return got;
}

static void stop_and_continue(void) {
  printf("stop and continue\n");
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_chld;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGCHLD, &sa, NULL);
  int status;
  pid_t child = spinning_child();
  printf("moving at first %d\n", moving());
  const int stops[] = {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU};
  for (int i = 0; i < 4; ++i) {
    kill(child, stops[i]);
    pid_t got = wait_for(child, &status, WUNTRACED);
    printf("%s: waitpid %d %s, still %d\n", strsignal(stops[i]), got == child,
           status_text(status), still());
    // Reported once: WNOHANG finds nothing more.
    printf("  again: %d\n", (int)wait_for(child, &status, WUNTRACED | WNOHANG));
    kill(child, SIGCONT);
    got = wait_for(child, &status, WCONTINUED);
    printf("  SIGCONT: waitpid %d %s, moving %d\n", got == child, status_text(status), moving());
  }
  print_chld("stops and continues");

  // waitid: WSTOPPED with WNOWAIT leaves the report for the next wait.
  kill(child, SIGSTOP);
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  int r = waitid(P_PID, child, &info, WSTOPPED | WNOWAIT);
  printf("waitid WNOWAIT %d: code %d status %s pid ok %d\n", r, info.si_code,
         strsignal(info.si_status), info.si_pid == child);
  memset(&info, 0, sizeof(info));
  r = waitid(P_PID, child, &info, WSTOPPED);
  printf("waitid: code %d status %s\n", info.si_code, strsignal(info.si_status));
  memset(&info, 0, sizeof(info));
  r = waitid(P_PID, child, &info, WSTOPPED | WNOHANG);
  printf("waitid again: %d pid %d\n", r, info.si_pid);
  kill(child, SIGCONT);
  memset(&info, 0, sizeof(info));
  r = waitid(P_ALL, 0, &info, WCONTINUED);
  printf("waitid WCONTINUED: code %d status %s\n", info.si_code, strsignal(info.si_status));
  // A stop not asked for is not reported: WEXITED alone finds nothing.
  kill(child, SIGSTOP);
  sleep_ms(100);
  memset(&info, 0, sizeof(info));
  r = waitid(P_PID, child, &info, WEXITED | WNOHANG);
  printf("waitid WEXITED of a stopped child: %d pid %d\n", r, info.si_pid);
  // SIGKILL ends a stopped child.
  kill(child, SIGKILL);
  pid_t got = wait_for(child, &status, 0);
  printf("SIGKILL while stopped: %d %s\n", got == child, status_text(status));
  print_chld("stop, continue, stop, kill");

  // SIGTERM (a default that ends the process) waits for the stopped child to continue.
  child = spinning_child();
  kill(child, SIGSTOP);
  wait_for(child, &status, WUNTRACED);
  kill(child, SIGTERM);
  sleep_ms(100);
  printf("SIGTERM while stopped: %d\n", (int)wait_for(child, &status, WNOHANG));
  kill(child, SIGCONT);
  wait_for(child, &status, 0);
  printf("then SIGCONT: %s\n", status_text(status));
  // Not printed: Linux tells the parent of the continue as the child runs, so its end may
  // come before the parent takes that SIGCHLD, and the two merge.
  chld_count = 0;

  // SA_NOCLDSTOP: no SIGCHLD for a stop or a continue, one for the end.
  sa.sa_flags |= SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  child = spinning_child();
  kill(child, SIGSTOP);
  wait_for(child, &status, WUNTRACED);
  kill(child, SIGCONT);
  wait_for(child, &status, WCONTINUED);
  kill(child, SIGKILL);
  wait_for(child, &status, 0);
  sleep_ms(50);
  print_chld("under SA_NOCLDSTOP");
  signal(SIGCHLD, SIG_DFL);
}

static volatile int tstp_handled;
static void on_tstp(int signal) {
  (void)signal;
  ++tstp_handled;
}
static void on_cont(int signal) { (void)signal; }

static void stop_signal_rules(void) {
  printf("stop signal rules\n");
  // A handled SIGTSTP runs its handler and does not stop.
  signal(SIGTSTP, on_tstp);
  raise(SIGTSTP);
  printf("handled SIGTSTP: %d\n", tstp_handled);
  signal(SIGTSTP, SIG_DFL);
  // SIGCONT drops a pending stop signal, even one blocked.
  block(SIGTSTP, SIGTSTP);
  raise(SIGTSTP);
  sigset_t pending;
  sigpending(&pending);
  printf("SIGTSTP pending %d", sigismember(&pending, SIGTSTP));
  kill(getpid(), SIGCONT);
  sigpending(&pending);
  printf(", after SIGCONT %d\n", sigismember(&pending, SIGTSTP));
  unblock(SIGTSTP, SIGTSTP);
  // A stop signal drops a pending SIGCONT (a blocked one, with a handler).
  signal(SIGCONT, on_cont);
  block(SIGCONT, SIGCONT);
  block(SIGTTOU, SIGTTOU);
  kill(getpid(), SIGCONT);
  sigpending(&pending);
  printf("SIGCONT pending %d", sigismember(&pending, SIGCONT));
  kill(getpid(), SIGTTOU);
  sigpending(&pending);
  printf(", after SIGTTOU %d\n", sigismember(&pending, SIGCONT));
  signal(SIGTTOU, SIG_IGN);  // drops the pending SIGTTOU: nothing stops this process
  unblock(SIGCONT, SIGTTOU);
  signal(SIGTTOU, SIG_DFL);
  signal(SIGCONT, SIG_DFL);
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc > 1 && strcmp(argv[1], "limit") == 0) return queue_limit() ? 0 : 1;
  spin = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (spin == MAP_FAILED) return 1;
  queued_in_order();
  queueinfo_rules();
  sigwait_takes_fatal();
  stop_and_continue();
  stop_signal_rules();
  printf("done\n");
  return 0;
}
