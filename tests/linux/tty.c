// The terminal of a Linux program started on one: isatty, the termios round trip, raw reads
// under VMIN/VTIME, the window size, /dev/tty, process groups and sessions and their errors,
// kill and waitpid of a group, and bad ioctls. Run at Stellina's shell (which starts it on a
// terminal of its own) and on the host under a pty as a session leader; the output must be
// the same (tests/linux/linux_tty.py).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void say(const char* what, long r) {
  if (r < 0)
    printf("%s: %ld %s\n", what, r, strerrorname_np(errno));
  else
    printf("%s: %ld\n", what, r);
  fflush(stdout);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
  const pid_t self = getpid();
  int p[2];
  pipe(p);
  printf("isatty 0 1 2: %d %d %d, a pipe: %d\n", isatty(0), isatty(1), isatty(2), isatty(p[0]));
  say("TCGETS on a pipe", ioctl(p[0], TCGETS, &(struct termios){0}));

  struct termios saved, t, back;
  say("tcgetattr", tcgetattr(0, &saved));
  printf("defaults: icanon %d echo %d isig %d icrnl %d onlcr %d vintr %d veof %d vmin %d\n",
         !!(saved.c_lflag & ICANON), !!(saved.c_lflag & ECHO), !!(saved.c_lflag & ISIG),
         !!(saved.c_iflag & ICRNL), !!(saved.c_oflag & ONLCR), saved.c_cc[VINTR], saved.c_cc[VEOF],
         saved.c_cc[VMIN]);
  t = saved;
  t.c_lflag &= ~(ICANON | ECHO);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 3;
  say("tcsetattr raw", tcsetattr(0, TCSANOW, &t));
  tcgetattr(0, &back);
  printf("round trip: lflag %d vmin %d vtime %d\n", back.c_lflag == t.c_lflag, back.c_cc[VMIN],
         back.c_cc[VTIME]);
  char c;
  double start = now();
  long got = read(0, &c, 1);
  printf("VMIN 0 VTIME 3, nothing typed: %ld after at least 0.2 s: %d\n", got,
         now() - start >= 0.2);
  t.c_cc[VTIME] = 0;
  tcsetattr(0, TCSANOW, &t);
  say("VMIN 0 VTIME 0, nothing typed", read(0, &c, 1));
  int n = -1;
  say("FIONREAD", ioctl(0, FIONREAD, &n));
  printf("bytes waiting: %d\n", n);
  say("tcsetattr back", tcsetattr(0, TCSAFLUSH, &saved));
  int on = 1;
  say("FIONBIO", ioctl(0, FIONBIO, &on));
  say("canonical read, non-blocking", read(0, &c, 1));
  on = 0;
  ioctl(0, FIONBIO, &on);

  struct winsize w = {.ws_row = 33, .ws_col = 101}, w2;
  say("TIOCSWINSZ", ioctl(0, TIOCSWINSZ, &w));
  say("TIOCGWINSZ", ioctl(1, TIOCGWINSZ, &w2));
  printf("window: %d x %d\n", w2.ws_col, w2.ws_row);

  printf("leader: sid %d pgrp %d foreground %d\n", getsid(0) == self, getpgrp() == self,
         tcgetpgrp(0) == self);
  say("setsid as a leader", setsid());
  say("setpgid of a leader", setpgid(0, 0));
  say("setpgid(-1)", setpgid(-1, 0));
  say("setpgid of a stranger", setpgid(999999, 0));
  say("getpgid of a stranger", getpgid(999999));
  say("getsid of a stranger", getsid(999999));
  say("kill(0, 0)", kill(0, 0));
  say("kill(-999999, 0)", kill(-999999, 0));
  say("kill(INT_MIN, 0)", kill(INT_MIN, 0));
  say("tcsetpgrp to no group", tcsetpgrp(0, 999999));
  int fd = open("/dev/tty", O_RDWR);
  printf("/dev/tty: opened %d, a tty %d\n", fd >= 0, isatty(fd));
  close(fd);

  // A child in a group of its own, killed through its group and waited for by it.
  int ready[2];
  pipe(ready);
  pid_t child = fork();
  if (child == 0) {
    int ok = setpgid(0, 0) == 0 && getpgrp() == getpid();
    int leader_setsid = setsid() < 0 && errno == EPERM;
    write(ready[1], "x", 1);
    printf("child: own group %d, setsid refused %d\n", ok, leader_setsid);
    fflush(stdout);
    for (;;) pause();
  }
  read(ready[0], &c, 1);
  usleep(100000);
  say("setpgid of a child to its group", setpgid(child, child));
  printf("child's group is its id: %d\n", getpgid(child) == child);
  say("tcsetpgrp to the child's group", tcsetpgrp(0, child));
  printf("foreground is the child's: %d\n", tcgetpgrp(0) == child);
  // From the background: Linux would stop the caller with SIGTTOU unless it is blocked
  // (stopping is not served under Stellina, which lets it through).
  sigset_t ttou;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, NULL);
  say("tcsetpgrp back", tcsetpgrp(0, self));
  sigprocmask(SIG_UNBLOCK, &ttou, NULL);
  say("kill(-group, SIGTERM)", kill(-child, SIGTERM));
  int status = 0;
  const pid_t waited = waitpid(-child, &status, 0);
  printf("waitpid(-group): the child %d, status %#x\n", waited == child, status);
  say("waitpid(0) with none left", waitpid(0, &status, WNOHANG));

  // A child that leaves the session has no terminal.
  child = fork();
  if (child == 0) {
    printf("new session: %d\n", setsid() == getpid());
    say("open /dev/tty", open("/dev/tty", O_RDWR));
    say("tcgetpgrp", tcgetpgrp(0));
    _exit(0);
  }
  waitpid(child, &status, 0);

  say("TCGETS to a bad pointer", ioctl(0, TCGETS, (void*)8));
  say("TCSETS from a bad pointer", ioctl(0, TCSETS, (void*)8));
  say("TIOCGWINSZ to a bad pointer", ioctl(0, TIOCGWINSZ, (void*)8));
  say("an unknown ioctl", ioctl(0, 0x54ff, 0));
  say("ioctl on a closed descriptor", ioctl(99, TCGETS, &t));
  puts("done");
  return 0;
}
