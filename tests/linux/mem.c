/* Memory of the Linux personality beyond anonymous private pages: mmap of a file
 * (MAP_PRIVATE, PROT_EXEC, past the file's end, across fork), MAP_SHARED | MAP_ANONYMOUS
 * (and /dev/zero) shared between a parent and its forked children, sysinfo, and link's
 * errors. Run in a fresh directory; prints what must match the host, never an address.
 *
 * usage: mem            the checks compared with the host
 *        mem limits     Stellina's own bounds and refusals (no host counterpart)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_SIZE 10000
#define PAGE 4096
#define BAD ((void*)8)

static const char* err(void) {
  switch (errno) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    default: return "another errno";
  }
}

static const char* yes(int b) { return b ? "yes" : "no"; }

static unsigned char pattern(long i) { return (unsigned char)(i * 7 % 251); }

static void show_map(const char* what, void* p) {
  if (p == MAP_FAILED)
    printf("%s: -1 %s\n", what, err());
  else
    printf("%s: mapped\n", what);
}

static void make_file(void) {
  unsigned char bytes[FILE_SIZE];
  for (long i = 0; i < FILE_SIZE; ++i) bytes[i] = pattern(i);
  int fd = open("data", O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (write(fd, bytes, sizeof(bytes)) != sizeof(bytes)) printf("write failed\n");
  close(fd);
}

static int same_as_file(const unsigned char* m, long from, long n) {
  for (long i = 0; i < n; ++i)
    if (m[i] != pattern(from + i)) return 0;
  return 1;
}

static void file_private(void) {
  make_file();
  int fd = open("data", O_RDONLY);
  unsigned char* m = mmap(NULL, FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
  show_map("file, read-only", m);
  if (m == MAP_FAILED) return;
  printf("its bytes are the file's: %s\n", yes(same_as_file(m, 0, FILE_SIZE)));
  int zero = 1;
  for (long i = FILE_SIZE; i < 3 * PAGE; ++i) zero &= m[i] == 0;
  printf("the rest of the last page is zero: %s\n", yes(zero));
  munmap(m, FILE_SIZE);

  unsigned char* second = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
  show_map("file at offset 4096", second);
  if (second != MAP_FAILED) printf("its bytes: %s\n", yes(same_as_file(second, PAGE, PAGE)));
  munmap(second, PAGE);

  unsigned char* w = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  show_map("file, private and writable", w);
  memset(w, 'x', 100);
  unsigned char head[100];
  pread(fd, head, sizeof(head), 0);
  printf("a write stays private (the file unchanged): %s\n", yes(same_as_file(head, 0, 100)));
  close(fd);
  printf("the mapping outlives its descriptor: %s\n",
         yes(w[0] == 'x' && same_as_file(w + 100, 100, FILE_SIZE - 100)));

  pid_t child = fork();
  if (child == 0) {
    w[200] = 'c';
    _exit(w[0] == 'x' && w[200] == 'c' ? 4 : 5);
  }
  int status;
  waitpid(child, &status, 0);
  printf("forked child's copy: exit %d, the parent's page unchanged: %s\n", WEXITSTATUS(status),
         yes(w[200] == pattern(200)));
  int protected = mprotect(w, FILE_SIZE, PROT_READ);
  printf("mprotect read-only: %d, munmap: %d\n", protected, munmap(w, FILE_SIZE));

  fd = open("data", O_RDONLY);
  unsigned char* beyond = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 3 * PAGE);
  show_map("file at offset 12288 (past its end)", beyond);
  close(fd);
}

static void file_exec(void) {
  /* mov eax, 42; ret */
  static const unsigned char code[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3};
  int fd = open("code", O_CREAT | O_TRUNC | O_RDWR, 0755);
  write(fd, code, sizeof(code));
  void* m = mmap(NULL, sizeof(code), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  show_map("file, PROT_EXEC", m);
  if (m != MAP_FAILED) printf("its code returns %d\n", ((int (*)(void))m)());
  close(fd);
}

static void file_errors(void) {
  int wfd = open("data", O_WRONLY);
  show_map("a write-only descriptor", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wfd, 0));
  close(wfd);
  show_map("a closed descriptor", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wfd, 0));
  int fd = open("data", O_RDONLY);
  show_map("an unaligned offset", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100));
  show_map("neither private nor shared", mmap(NULL, PAGE, PROT_READ, 0, fd, 0));
  show_map("length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0));
  close(fd);
  int p[2];
  pipe(p);
  show_map("a pipe", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, p[0], 0));
  close(p[0]);
  close(p[1]);
  int dir = open(".", O_RDONLY | O_DIRECTORY);
  show_map("a directory", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0));
  close(dir);
  int zero = open("/dev/zero", O_RDONLY);
  unsigned char* z = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
  show_map("/dev/zero, private", z);
  if (z != MAP_FAILED) printf("zeroed and writable: %s\n", yes(z[0] == 0 && (z[PAGE] = 1)));
  close(zero);
}

/* A shared page: four children each add their number to its counter and write their slot;
 * the parent sees every write. */
static void shared_with_children(const char* what, unsigned* shared) {
  shared[0] = 100;
  for (int i = 1; i <= 4; ++i) {
    pid_t child = fork();
    if (child == 0) {
      __atomic_fetch_add(&shared[0], (unsigned)i, __ATOMIC_SEQ_CST);
      shared[i] = 1000 + (unsigned)i;
      _exit(shared[0] >= 100 ? 0 : 1);
    }
  }
  int all_zero = 1;
  for (int i = 0; i < 4; ++i) {
    int status;
    wait(&status);
    all_zero &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  printf("%s: children ended well: %s, counter %u, slots %u %u %u %u\n", what, yes(all_zero),
         shared[0], shared[1], shared[2], shared[3], shared[4]);
  /* A child's munmap is its own: the parent keeps the page. */
  pid_t child = fork();
  if (child == 0) _exit(munmap(shared, PAGE) == 0 ? 6 : 7);
  int status;
  waitpid(child, &status, 0);
  shared[5] = 5;
  printf("%s: a child's munmap: exit %d, the parent's page still there: %s\n", what,
         WEXITSTATUS(status), yes(shared[5] == 5 && shared[4] == 1004));
}

static void shared_anonymous(void) {
  unsigned* shared =
      mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  show_map("shared anonymous", shared);
  if (shared == MAP_FAILED) return;
  printf("zeroed: %s\n", yes(shared[0] == 0 && shared[1023] == 0));
  shared_with_children("shared anonymous", shared);
  printf("munmap: %d\n", munmap(shared, PAGE));

  int zero = open("/dev/zero", O_RDWR);
  unsigned* z = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0);
  show_map("/dev/zero, shared", z);
  close(zero);
  if (z != MAP_FAILED) shared_with_children("/dev/zero, shared", z);

  /* A private mapping beside it stays private. */
  unsigned* private = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  private[0] = 1;
  pid_t child = fork();
  if (child == 0) {
    private[0] = 2;
    _exit(0);
  }
  waitpid(child, NULL, 0);
  printf("private anonymous after a child's write: %u\n", private[0]);

  /* Read-only shared memory refuses writes in the child too. */
  unsigned* ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  child = fork();
  if (child == 0) {
    ro[0] = 1;
    _exit(0);
  }
  int status;
  waitpid(child, &status, 0);
  printf("a write to read-only shared memory: signal %d\n",
         WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  printf("MAP_FIXED over it: %s\n",
         yes(mmap(ro, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1,
                  0) == ro));
}

static void system_info(void) {
  struct sysinfo info;
  memset(&info, 0xff, sizeof(info));
  int r = sysinfo(&info);
  printf("sysinfo: %d, memory sane: %s, unit sane: %s, tasks sane: %s\n", r,
         yes(info.totalram > 0 && info.freeram <= info.totalram && info.freeram > 0),
         yes(info.mem_unit >= 1 && info.mem_unit <= 4096), yes(info.procs >= 1));
  errno = 0;
  r = sysinfo(BAD);
  printf("sysinfo into a bad pointer: %d %s\n", r, err());
}

static void links(void) {
  make_file();
  int r = link("missing", "new");
  printf("link of nothing: %d %s\n", r, err());
  r = link("data", "data");
  printf("link onto a file that exists: %d %s\n", r, err());
  r = link(BAD, "new");
  printf("link from a bad pointer: %d %s\n", r, err());
  r = linkat(AT_FDCWD, "data", AT_FDCWD, "new", 0x8);
  printf("linkat with bad flags: %d %s\n", r, err());
}

static void limits(void) {
  make_file();
  int fd = open("data", O_RDONLY);
  long max = 16L << 20;
  void* m = mmap(NULL, max, PROT_READ, MAP_PRIVATE, fd, 0);
  show_map("a 16 MiB file mapping", m);
  if (m != MAP_FAILED)
    printf("its bytes: %s\n", yes(same_as_file(m, 0, FILE_SIZE) && ((char*)m)[max - 1] == 0));
  munmap(m, max);
  show_map("16 MiB and a page", mmap(NULL, max + PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
  show_map("a shared file mapping", mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0));
  close(fd);
  char* s = mmap(NULL, max, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  show_map("16 MiB shared anonymous", s);
  if (s != MAP_FAILED) {
    s[max - 1] = 1;
    const int last = s[max - 1];
    const int half = munmap(s, max / 2);
    const char* why = err();
    const int whole = munmap(s, max);
    printf("its last byte: %d, munmap of half of it: %d %s, of it: %d\n", last, half, why, whole);
  }
  show_map("16 MiB and a page shared",
           mmap(NULL, max + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  show_map("shared and executable",
           mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  int r = link("data", "second");
  printf("link: %d %s\n", r, err());
  r = linkat(AT_FDCWD, "data", AT_FDCWD, "second", AT_SYMLINK_FOLLOW);
  printf("linkat: %d %s\n", r, err());
  printf("done\n");
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1 && strcmp(argv[1], "limits") == 0) {
    limits();
    return 0;
  }
  file_private();
  file_exec();
  file_errors();
  shared_anonymous();
  system_info();
  links();
  return 0;
}
