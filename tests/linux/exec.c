// execve under the Linux personality, run in a fresh empty directory under Stellina and on
// the host, output compared line by line (tests/linux/linux_exec.py): its errors (ENOENT,
// EACCES, ENOEXEC, E2BIG, EFAULT at every depth of argv and envp, ELOOP), "#!" scripts
// (an argument, nested interpreters, the depth limit), and what survives exec: the process
// id, the parent, descriptors without close-on-exec, the directory and the umask; a vfork
// parent resumed by its child's exec, posix_spawn, an exec from a thread other than the
// first, and a program given no argument at all. Process ids differ by nature: only how
// they relate is printed.
//
// usage: exec run BUSYBOX   the checks (BUSYBOX: the interpreter the scripts name)
//        exec limits        Stellina's own limits (smaller than Linux's): not compared
//        exec races         exec racing the process's other threads, and processes
//                           killed while their threads wait on the file server
//        exec child ...     what the new program sees (exec's checks start it)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

static void* volatile bad_pointer = (void*)0x10;  // never mapped (volatile: no warning)
#define BAD (bad_pointer)

static const char* self;  // this program's path (argv[0])

static const char* name_of(int e) {
  switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case ENOEXEC: return "ENOEXEC";
    case E2BIG: return "E2BIG";
    case EFAULT: return "EFAULT";
    case ELOOP: return "ELOOP";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EBADF: return "EBADF";
    default: return "other";
  }
}

// An execve that must fail: its errno.
static void refused(const char* what, const char* path, char* const* argv, char* const* envp) {
  long r = syscall(SYS_execve, path, argv, envp);
  printf("%s: %ld %s\n", what, r, name_of(r < 0 ? errno : 0));
}

static void write_file(const char* name, const char* text, mode_t mode) {
  int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, mode);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) printf("write %s failed\n", name);
  close(fd);
}

// Runs argv (through path) in a forked child and reports how it ended; the child's output
// comes first.
static void run(const char* what, const char* path, char* const* argv, char* const* envp) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execve(path, argv, envp);
    printf("%s: exec failed: %s\n", what, name_of(errno));
    fflush(stdout);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status))
    printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else
    printf("%s: killed by %d\n", what, WTERMSIG(status));
}

static void errors(void) {
  char* argv[] = {"x", NULL};
  char* env[] = {"A=1", NULL};
  refused("missing file", "missing", argv, env);
  refused("missing directory", "nowhere/x", argv, env);
  refused("a directory", ".", argv, env);
  refused("empty path", "", argv, env);
  write_file("plain", "#!/bin/sh\necho no\n", 0644);
  refused("not executable", "./plain", argv, env);
  refused("through a file", "./plain/x", argv, env);
  write_file("garbage", "this is no program\n", 0755);
  refused("garbage", "./garbage", argv, env);
  write_file("empty", "", 0755);
  refused("empty file", "./empty", argv, env);
  write_file("elfhead", "\177ELF\2\1\1\0 and nothing else", 0755);
  refused("an ELF header and nothing", "./elfhead", argv, env);
  write_file("noname", "#!   \n", 0755);
  refused("#! without a name", "./noname", argv, env);
  write_file("nointerp", "#!./missing-interpreter\n", 0755);
  refused("#! naming a missing file", "./nointerp", argv, env);
  // execveat(fd, "", AT_EMPTY_PATH): fd must name an open regular file.
  int ends[2];
  if (pipe(ends) != 0) printf("pipe failed\n");
  const long no_fd = syscall(SYS_execveat, 99, "", argv, env, AT_EMPTY_PATH);
  printf("execveat(a closed descriptor, \"\"): %ld %s\n", no_fd, name_of(no_fd < 0 ? errno : 0));
  const long negative = syscall(SYS_execveat, -5, "", argv, env, AT_EMPTY_PATH);
  printf("execveat(-5, \"\"): %ld %s\n", negative, name_of(negative < 0 ? errno : 0));
  const long piped = syscall(SYS_execveat, ends[0], "", argv, env, AT_EMPTY_PATH);
  printf("execveat(a pipe, \"\"): %ld %s\n", piped, name_of(piped < 0 ? errno : 0));
  close(ends[0]);
  close(ends[1]);
  // EFAULT: the path, the vectors, a string at any place in them.
  refused("bad path", (const char*)BAD, argv, env);
  refused("bad argv", "./garbage", (char* const*)BAD, env);
  refused("bad envp", "./garbage", argv, (char* const*)BAD);
  char* bad_arg[] = {"x", "y", (char*)BAD, NULL};
  refused("bad string in argv", self, bad_arg, env);
  char* bad_env[] = {"A=1", (char*)BAD, NULL};
  refused("bad string in envp", self, argv, bad_env);
  // A vector running into an unmapped page before its NULL.
  char** page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap((char*)page + 4096, 4096);
  char** tail = (char**)((char*)page + 4096 - 2 * sizeof(char*));
  tail[0] = "a";
  tail[1] = "b";
  refused("argv into an unmapped page", self, tail, env);
  refused("envp into an unmapped page", self, argv, tail);
  // E2BIG: one string past Linux's MAX_ARG_STRLEN (128 KiB), which is past Stellina's
  // whole 32 KiB too.
  char* huge = malloc(200000);
  memset(huge, 'z', 199999);
  huge[199999] = '\0';
  char* big_arg[] = {"x", huge, NULL};
  refused("an argument of 200,000 bytes", self, big_arg, env);
  char* big_env[] = {huge, NULL};
  refused("an environment entry of 200,000 bytes", self, argv, big_env);
  free(huge);
}

static void scripts(const char* busybox) {
  char line[512];
  // An interpreter with one argument (the rest of the line, spaces inside kept).
  snprintf(line, sizeof(line), "#!%s sh\necho \"[$0] [$*] [$#]\"\nexit 4\n", busybox);
  write_file("s1", line, 0755);
  char* a1[] = {"ignored", "one", "two words", NULL};
  run("script", "./s1", a1, environ);
  // Blanks around the name and the argument, a tab inside the argument's line.
  snprintf(line, sizeof(line), "#! \t %s  sh  \t\necho \"[$0] [$1]\"\n", busybox);
  write_file("s2", line, 0755);
  char* a2[] = {"s2", "arg", NULL};
  run("script with blanks", "./s2", a2, environ);
  // A script whose interpreter is a script, with an argument: both rewrites of argv.
  write_file("s3", "#!./s1 x y\n", 0755);
  char* a3[] = {"s3", "last", NULL};
  run("nested script", "./s3", a3, environ);
  // Without a newline: the line is what the file holds.
  snprintf(line, sizeof(line), "#!%s", busybox);
  write_file("s4", line, 0755);
  char* a4[] = {"s4", "echo", "no newline", NULL};
  run("script without a newline", "./s4", a4, environ);
  // A chain of scripts, each the next one's interpreter: 5 run, 6 are ELOOP.
  snprintf(line, sizeof(line), "#!%s sh\necho chain ran with $# arguments\n", busybox);
  write_file("c0", line, 0755);
  for (int i = 1; i <= 6; ++i) {
    char name[8], text[32];
    snprintf(name, sizeof(name), "c%d", i);
    snprintf(text, sizeof(text), "#!./c%d\n", i - 1);
    write_file(name, text, 0755);
  }
  char* a5[] = {"c4", NULL};
  run("a chain of 5 scripts", "./c4", a5, environ);
  char* a6[] = {"c5", NULL};
  run("a chain of 6 scripts", "./c5", a6, environ);
  refused("a chain of 7 scripts", "./c6", a6, environ);
}

// The checks the new program makes: same pid and parent as before, descriptor 5 open
// (its offset kept), 6 closed (close-on-exec), the directory and the umask kept.
static int child(int argc, char** argv) {
  if (argc < 5) return 2;
  const char* name = strrchr(argv[0], '/');
  printf("child: argc %d, argv[0] .../%s, A=%s\n", argc, name ? name + 1 : argv[0],
         getenv("A") ? getenv("A") : "-");
  if (atoi(argv[2]) > 0) printf("child: same pid: %s\n", getpid() == atoi(argv[2]) ? "yes" : "no");
  printf("child: same parent: %s\n", getppid() == atoi(argv[3]) ? "yes" : "no");
  char buffer[64] = {0};
  long n = read(5, buffer, sizeof(buffer) - 1);
  printf("child: fd 5 reads %ld: %s\n", n, buffer);
  printf("child: fd 6: %s\n", fcntl(6, F_GETFD) < 0 ? name_of(errno) : "open");
  printf("child: fd 7 close-on-exec flag: %d\n", fcntl(7, F_GETFD));
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd))) {
    const char* base = strrchr(cwd, '/');
    printf("child: directory %s\n", base && !strcmp(base, "/sub") ? "sub" : "unchanged");
  }
  printf("child: umask %03o\n", umask(0));
  printf("child: %s\n", argv[4]);
  return 7;
}

static char pid_text[16], ppid_text[16];

// The new program's argv: its note, and the ids it must have. own: the caller execs
// itself (its id and parent stay); otherwise the caller is the new program's parent
// (vfork, posix_spawn), whose id it cannot know in advance ("-").
static char** child_argv(const char* note, int own) {
  static char* argv[6];
  snprintf(pid_text, sizeof(pid_text), "%d", own ? getpid() : -1);
  snprintf(ppid_text, sizeof(ppid_text), "%d", own ? getppid() : getpid());
  argv[0] = (char*)self;
  argv[1] = "child";
  argv[2] = pid_text;
  argv[3] = ppid_text;
  argv[4] = (char*)note;
  argv[5] = NULL;
  return argv;
}

static void* exec_from_thread(void* arg) {
  char* env[] = {"A=thread", NULL};
  execve(self, child_argv("exec from a second thread", 1), env);
  printf("thread: exec failed: %s\n", name_of(errno));
  fflush(stdout);
  _exit(127);
}

static void report(const char* what, int status) {
  if (WIFEXITED(status))
    printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else
    printf("%s: killed by %d\n", what, WTERMSIG(status));
}

static void survivors(void) {
  write_file("kept.txt", "kept across exec", 0644);
  mkdir("sub", 0755);
  char* env[] = {"A=1", NULL};
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open("kept.txt", O_RDONLY);
    dup2(fd, 5);
    char skip[5];
    if (read(5, skip, 5) != 5) _exit(126);  // the new program reads from offset 5
    int gone = open("kept.txt", O_RDONLY | O_CLOEXEC);
    dup2(gone, 6);
    fcntl(6, F_SETFD, FD_CLOEXEC);
    dup2(fd, 7);  // dup2 clears close-on-exec
    if (chdir("sub") != 0) _exit(125);
    umask(027);
    execve(self, child_argv("after fork", 1), env);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  report("fork then exec", status);

  // vfork: the parent goes on once the child has called exec.
  fflush(stdout);
  char** argv = child_argv("after vfork", 0);
  pid = vfork();
  if (pid == 0) {
    execve(self, argv, env);
    _exit(127);
  }
  waitpid(pid, &status, 0);
  report("vfork then exec", status);

  // posix_spawn (glibc: clone with CLONE_VM | CLONE_VFORK, then exec).
  fflush(stdout);
  if (posix_spawn(&pid, self, NULL, NULL, child_argv("through posix_spawn", 0), env) == 0) {
    waitpid(pid, &status, 0);
    report("posix_spawn", status);
  } else {
    printf("posix_spawn failed\n");
  }

  // exec from a thread that is not the first: the process keeps its id, the other thread
  // (waiting in pthread_join) ends.
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    pthread_t t;
    pthread_create(&t, NULL, exec_from_thread, NULL);
    pthread_join(t, NULL);
    _exit(126);
  }
  waitpid(pid, &status, 0);
  report("exec from a thread", status);

  // No argument at all: Linux gives the program an empty argv[0].
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    char* none[] = {NULL};
    char* env0[] = {"EXEC_ARGC0=1", NULL};
    execve(self, none, env0);
    _exit(127);
  }
  waitpid(pid, &status, 0);
  report("exec without arguments", status);
}

// Races between exec and the process's other threads, each tried many times: on Linux,
// of two threads calling exec at once one wins and the process runs the new program; an
// exec while another thread makes threads still ends every one of them and goes on.
enum { kRaceRounds = 30, kRacers = 4 };
static volatile int race_go;

static void* exec_when_told(void* arg) {
  char* quiet[] = {(char*)self, "quiet", NULL};
  char* env[] = {"A=1", NULL};
  while (!race_go) {
  }
  execve(self, quiet, env);
  _exit(127);
}

// Threads make_threads made that have not ended: at most kRacers at once, without guard
// pages, so that the thread stacks stay within Stellina's 32 regions of an address space
// (a thread with glibc's guard page takes two; docs/linux.md): past them glibc's munmap of
// a cached stack fails and it aborts, which is not what this race is about.
static volatile int threads_alive;

static void* end_at_once(void* arg) {
  __sync_fetch_and_sub(&threads_alive, 1);
  return arg;
}

static void* make_threads(void* arg) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setguardsize(&attr, 0);
  for (;;) {
    if (threads_alive >= kRacers) {
      sched_yield();
      continue;
    }
    pthread_t t;
    __sync_fetch_and_add(&threads_alive, 1);
    if (pthread_create(&t, &attr, end_at_once, NULL) == 0) {
      pthread_detach(t);
    } else {
      __sync_fetch_and_sub(&threads_alive, 1);
    }
  }
  return arg;
}

// How many of kRaceRounds forked children, each running body, ran the new program
// ("quiet": exit status 8).
static int rounds_ending_in_exec(void (*body)(void)) {
  int good = 0;
  for (int i = 0; i < kRaceRounds; ++i) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      body();
      _exit(126);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    good += WIFEXITED(status) && WEXITSTATUS(status) == 8;
  }
  return good;
}

static void execs_at_once(void) {
  pthread_t t[kRacers];
  for (int i = 0; i < kRacers; ++i) pthread_create(&t[i], NULL, exec_when_told, NULL);
  race_go = 1;
  pthread_join(t[0], NULL);
}

static void exec_while_threads_are_made(void) {
  pthread_t maker;
  pthread_create(&maker, NULL, make_threads, NULL);
  usleep(2000);  // let it be inside clone
  race_go = 1;
  exec_when_told(NULL);
}

// Threads that wait on the file server most of the time (each stat is a request and its
// reply): killed by an exec or a SIGKILL, they are mostly in the middle of one.
static void* stat_for_ever(void* arg) {
  struct stat st;
  for (;;) stat(self, &st);
  return arg;
}

static void exec_while_threads_stat(void) {
  pthread_t t;
  for (int i = 0; i < kRacers - 1; ++i) pthread_create(&t, NULL, stat_for_ever, NULL);
  usleep(1000);  // let them be inside their calls
  race_go = 1;
  exec_when_told(NULL);
}

// How many of kRaceRounds forked children, their threads in file calls, a SIGKILL ended.
// A child shares its parent's channel to the files, which must go on working for both.
static int children_killed_in_file_calls(void) {
  int killed = 0;
  for (int i = 0; i < kRaceRounds; ++i) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      pthread_t t;
      for (int j = 0; j < kRacers - 1; ++j) pthread_create(&t, NULL, stat_for_ever, NULL);
      stat_for_ever(NULL);
    }
    usleep(1000 + 300 * (i % 5));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }
  return killed;
}

static void races(void) {
  printf("%d threads exec at once: %d of %d ran the new program\n", kRacers,
         rounds_ending_in_exec(execs_at_once), kRaceRounds);
  printf("exec while a thread makes threads: %d of %d ran the new program\n",
         rounds_ending_in_exec(exec_while_threads_are_made), kRaceRounds);
  printf("exec while %d threads wait on files: %d of %d ran the new program\n", kRacers - 1,
         rounds_ending_in_exec(exec_while_threads_stat), kRaceRounds);
  printf("%d threads killed in file calls: %d of %d children ended by SIGKILL\n", kRacers,
         children_killed_in_file_calls(), kRaceRounds);
  // Every reply those calls were given up on is gone: the channel still answers.
  struct stat st;
  printf("stat after the kills: %s\n", stat(self, &st) == 0 ? "ok" : strerror(errno));
}

// Stellina's own limits, below Linux's: 256 arguments, 256 environment entries, 32 KiB of
// strings; a Stellina program is no Linux program.
static void limits(void) {
  static char* many[300];
  char* env[] = {"A=1", NULL};
  many[0] = (char*)self;
  many[1] = "child";
  many[2] = many[3] = "0";
  for (int i = 4; i < 300; ++i) many[i] = "x";
  many[256] = NULL;
  run("256 arguments", self, many, env);
  many[256] = "x";
  many[257] = NULL;
  refused("257 arguments", self, many, env);
  char* one[] = {(char*)self, NULL};
  many[256] = NULL;
  for (int i = 0; i < 256; ++i) many[i] = "E=1";
  run("256 environment entries", self, one, many);
  many[256] = "E=1";
  many[257] = NULL;
  refused("257 environment entries", self, one, many);
  // 32 KiB of strings in all, NULs included: the program's path, "child", two "0", the
  // note, then one long entry that fills the rest.
  static char fill[32768];
  const size_t used = strlen(self) + 1 + 6 + 2 + 2 + 5;  // the strings before the entry
  memset(fill, 'f', sizeof(fill));
  fill[0] = 'F';
  fill[1] = '=';
  fill[32768 - used - 1] = '\0';
  char* fits[] = {(char*)self, "child", "0", "0", "full", NULL};
  char* fill_env[] = {fill, NULL};
  run("32 KiB of strings", self, fits, fill_env);
  fill[32768 - used - 1] = 'f';
  fill[32768 - used] = '\0';
  refused("32 KiB and one byte", self, fits, fill_env);
  refused("a Stellina program", "/bin/echo", one, env);
  // The largest image, 4 MiB (this program padded with zeroes), and one byte more.
  int in = open(self, O_RDONLY);
  static char image[4 << 20];
  const ssize_t got = read(in, image, sizeof(image));
  close(in);
  int out = open("big", O_CREAT | O_WRONLY | O_TRUNC, 0755);
  if (got <= 0 || write(out, image, sizeof(image)) != (ssize_t)sizeof(image)) printf("big: write failed\n");
  close(out);
  char* big[] = {"big", "child", "0", "0", "4 MiB image", NULL};
  run("a 4 MiB image", "./big", big, env);
  out = open("big", O_WRONLY | O_APPEND);
  if (write(out, "", 1) != 1) printf("big: append failed\n");
  close(out);
  refused("an image of 4 MiB and one byte", "./big", big, env);
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  self = argv[0] && argv[0][0] ? argv[0] : "/proc/self/exe";
  if (getenv("EXEC_ARGC0")) {
    printf("no arguments: argc %d, argv[0] \"%s\"\n", argc, argc ? argv[0] : "(none)");
    return 9;
  }
  if (argc > 1 && !strcmp(argv[1], "child")) return child(argc, argv);
  if (argc > 1 && !strcmp(argv[1], "quiet")) return 8;
  if (argc > 1 && !strcmp(argv[1], "races")) {
    races();
    printf("done\n");
    return 0;
  }
  if (argc > 1 && !strcmp(argv[1], "limits")) {
    limits();
    printf("done\n");
    return 0;
  }
  if (argc < 3 || strcmp(argv[1], "run")) {
    fprintf(stderr, "usage: exec run BUSYBOX | exec limits\n");
    return 2;
  }
  umask(022);
  errors();
  scripts(argv[2]);
  survivors();
  printf("done\n");
  return 0;
}
