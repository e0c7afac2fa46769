// The Linux personality's file calls, run in a fresh empty directory under Stellina and on
// the host, output compared line by line (tests/linux/linux_files.py): every call the
// personality serves for files, with its errors (ENOENT, EEXIST, ENOTDIR, EISDIR, EBADF,
// EMFILE at the descriptor limit, EFAULT for bad pointers, EINVAL). What differs by nature
// (inode numbers, times, owners, the directory's absolute path) is not printed; what
// Stellina does not keep (modes changed by chmod) is printed only where both agree.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void* volatile bad_pointer = (void*)0x10;  // never mapped (volatile: no warning)
#define BAD (bad_pointer)

static const char* name_of(int e) {
  switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EBADF: return "EBADF";
    case EMFILE: return "EMFILE";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ESPIPE: return "ESPIPE";
    case ERANGE: return "ERANGE";
    case EACCES: return "EACCES";
    case ENXIO: return "ENXIO";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return "other";
  }
}

// A raw call's result: the value, or the errno's name.
static void show(const char* what, long r) {
  if (r < 0)
    printf("%s: -1 %s\n", what, name_of(errno));
  else
    printf("%s: %ld\n", what, r);
}

static const char* type_of(mode_t m) {
  if (S_ISREG(m)) return "file";
  if (S_ISDIR(m)) return "dir";
  if (S_ISLNK(m)) return "link";
  if (S_ISCHR(m)) return "chardev";
  if (S_ISFIFO(m)) return "fifo";
  return "other";
}

static void show_stat(const char* what, int r, const struct stat* st) {
  if (r < 0) {
    printf("%s: -1 %s\n", what, name_of(errno));
    return;
  }
  printf("%s: %s size %lld nlink-ok %d blocks-ok %d\n", what, type_of(st->st_mode),
         S_ISDIR(st->st_mode) ? 0LL : (long long)st->st_size, st->st_nlink >= 1,
         S_ISREG(st->st_mode) ? st->st_blocks * 512 >= st->st_size : 1);
}

static void write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0)
    printf("write_file %s failed: %s\n", path, name_of(errno));
}

// getdents64's names in a directory, sorted, joined.
static int compare(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

static void list(const char* path, size_t buffer_size) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    printf("list %s: -1 %s\n", path, name_of(errno));
    return;
  }
  static char names[64][64];
  char* sorted[64];
  int n = 0, calls = 0;
  char buffer[4096];
  for (;;) {
    long got = syscall(SYS_getdents64, fd, buffer, buffer_size);
    if (got < 0) {
      printf("getdents64: -1 %s\n", name_of(errno));
      break;
    }
    if (got == 0) break;
    ++calls;
    for (long at = 0; at < got;) {
      struct {
        unsigned long long ino;
        long long off;
        unsigned short reclen;
        unsigned char type;
        char name[];
      }* d = (void*)(buffer + at);
      if (n < 64) {
        snprintf(names[n], sizeof(names[n]), "%s%s", d->name,
                 d->type == DT_DIR ? "/" : d->type == DT_LNK ? "@" : "");
        sorted[n] = names[n];
        ++n;
      }
      at += d->reclen;
    }
  }
  qsort(sorted, n, sizeof(char*), compare);
  printf("list %s (%zu-byte buffer, more than one call: %d):", path, buffer_size, calls > 1);
  for (int i = 0; i < n; ++i) printf(" %s", sorted[i]);
  printf("\n");
  close(fd);
}

static void descriptors(void) {
  struct rlimit limit;
  show("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &limit));
  // Open until EMFILE; the limit is what getrlimit said (the host's is raised to it first).
  int opened = 0, last = -1, error = 0;
  for (;;) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) {
      error = errno;
      break;
    }
    last = fd;
    ++opened;
  }
  printf("opened up to descriptor %d (the limit %d), then %s\n", last, (int)limit.rlim_cur - 1,
         name_of(error));
  show("dup at the limit", dup(0));
  show("fcntl F_DUPFD at the limit", fcntl(0, F_DUPFD, 3));
  int pipe_fds[2];
  show("pipe at the limit", pipe(pipe_fds));
  show("dup2 onto the last (replaces it)", dup2(1, last));
  for (int fd = 3; fd <= last; ++fd) close(fd);
  show("open after closing them", open("/dev/null", O_RDONLY));
  close(3);
}

static void io(void) {
  write_file("a.txt", "hello, world\nsecond line\n");
  int fd = open("a.txt", O_RDWR);
  show("open a.txt O_RDWR", fd);
  char buffer[64] = {0};
  show("read 5", read(fd, buffer, 5));
  printf("read gave [%s]\n", buffer);
  show("lseek SEEK_CUR +2", lseek(fd, 2, SEEK_CUR));
  show("read 5 more", read(fd, buffer, 5));
  printf("read gave [%.5s]\n", buffer);
  show("lseek SEEK_END", lseek(fd, 0, SEEK_END));
  show("lseek before 0", lseek(fd, -100, SEEK_SET));
  show("lseek whence 9", lseek(fd, 0, 9));
  show("pwrite at 7", pwrite(fd, "WORLD", 5, 7));
  memset(buffer, 0, sizeof(buffer));
  show("pread 12 at 0", pread(fd, buffer, 12, 0));
  printf("pread gave [%s]\n", buffer);
  show("offset unmoved by pread/pwrite", lseek(fd, 0, SEEK_CUR));
  struct iovec v[2] = {{"vec", 3}, {"tor\n", 4}};
  show("writev 2 vectors at the end", writev(fd, v, 2));
  char x[4] = {0}, y[8] = {0};
  struct iovec r[2] = {{x, 3}, {y, 7}};
  show("lseek 0", lseek(fd, 0, SEEK_SET));
  show("readv 3 + 7", readv(fd, r, 2));
  printf("readv gave [%s] [%s]\n", x, y);
  show("read into a bad pointer", read(fd, BAD, 4));
  show("write from a bad pointer", write(fd, BAD, 4));
  struct stat st;
  show_stat("fstat a.txt", fstat(fd, &st), &st);
  show("fstat into a bad pointer", fstat(fd, BAD));
  show("ftruncate to 5", ftruncate(fd, 5));
  show_stat("fstat after ftruncate", fstat(fd, &st), &st);
  show("fsync", fsync(fd));
  show("close", close(fd));
  show("close again", close(fd));
  show("read a closed descriptor", read(fd, buffer, 1));
  show("write to descriptor 999", write(999, "x", 1));
  show("lseek of descriptor -1", lseek(-1, 0, SEEK_SET));

  fd = open("a.txt", O_WRONLY | O_APPEND);
  show("open O_APPEND", fd);
  show("write appended", write(fd, "+tail\n", 6));
  show("read a write-only descriptor", read(fd, buffer, 1));
  show("fcntl F_GETFL has O_APPEND", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  close(fd);
  fd = open("a.txt", O_RDONLY);
  memset(buffer, 0, sizeof(buffer));
  show("read it back", read(fd, buffer, sizeof(buffer) - 1));
  printf("a.txt is [%s]\n", buffer);
  show("write a read-only descriptor", write(fd, "x", 1));
  close(fd);

  show("open O_CREAT|O_EXCL of an existing file", open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
  show("open a missing file", open("missing", O_RDONLY));
  show("open under a file", open("a.txt/x", O_RDONLY));
  show("open O_DIRECTORY of a file", open("a.txt", O_RDONLY | O_DIRECTORY));
  show("open a directory for writing", open(".", O_WRONLY));
  show("open a bad path pointer", open(BAD, O_RDONLY));
  show("open an empty path", open("", O_RDONLY));
  fd = open(".", O_RDONLY);
  show("read a directory", read(fd, buffer, 1));
  close(fd);
  fd = open("trunc.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  write(fd, "0123456789", 10);
  close(fd);
  fd = open("trunc.txt", O_WRONLY | O_TRUNC);
  show_stat("after O_TRUNC", fstat(fd, &st), &st);
  close(fd);
}

static void devices(void) {
  char buffer[16];
  int fd = open("/dev/null", O_RDWR);
  show("write /dev/null", write(fd, "abc", 3));
  show("read /dev/null", read(fd, buffer, sizeof(buffer)));
  struct stat st;
  show_stat("fstat /dev/null", fstat(fd, &st), &st);
  printf("/dev/null rdev %u:%u\n", major(st.st_rdev), minor(st.st_rdev));
  close(fd);
  fd = open("/dev/zero", O_RDONLY);
  memset(buffer, 7, sizeof(buffer));
  show("read /dev/zero", read(fd, buffer, sizeof(buffer)));
  int zero = 1;
  for (size_t i = 0; i < sizeof(buffer); ++i) zero &= buffer[i] == 0;
  printf("all zero: %d\n", zero);
  close(fd);
  fd = open("/dev/urandom", O_RDONLY);
  show("read /dev/urandom", read(fd, buffer, sizeof(buffer)));
  close(fd);
  show_stat("stat /dev/zero", stat("/dev/zero", &st), &st);
}

static void pipes(void) {
  int p[2];
  show("pipe", pipe(p));
  show("write to the pipe", write(p[1], "through a pipe", 14));
  char buffer[32] = {0};
  show("read 7 from the pipe", read(p[0], buffer, 7));
  show("read the rest", read(p[0], buffer + 7, sizeof(buffer) - 8));
  printf("pipe gave [%s]\n", buffer);
  struct stat st;
  show_stat("fstat of the pipe", fstat(p[0], &st), &st);
  show("lseek on a pipe", lseek(p[0], 0, SEEK_SET));
  show("pread on a pipe", pread(p[0], buffer, 1, 0));
  show("write to the read end", write(p[0], "x", 1));
  close(p[1]);
  show("read at the end", read(p[0], buffer, 1));
  close(p[0]);
  show("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC));
  show("its FD_CLOEXEC", fcntl(p[0], F_GETFD));
  close(p[0]);
  close(p[1]);
  show("pipe2 bad flags", pipe2(p, 0x4));
  show("pipe into a bad pointer", pipe(BAD));
}

static void sendfiles(void) {
  write_file("s.txt", "sendfile's source text\n");
  int in = open("s.txt", O_RDONLY);
  int p[2];
  pipe(p);
  show("sendfile to a pipe", sendfile(p[1], in, NULL, 100));
  show("the source's offset moved", lseek(in, 0, SEEK_CUR));
  char buffer[64] = {0};
  read(p[0], buffer, sizeof(buffer) - 1);
  printf("the pipe gave [%s]\n", buffer);
  off_t offset = 11;
  int out = open("s-copy.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  show("sendfile 6 at offset 11 to a file", sendfile(out, in, &offset, 6));
  show("offset after", offset);
  show("the source's offset unmoved", lseek(in, 0, SEEK_CUR));
  close(out);
  out = open("s-copy.txt", O_RDONLY);
  memset(buffer, 0, sizeof(buffer));
  read(out, buffer, sizeof(buffer) - 1);
  printf("the copy is [%s]\n", buffer);
  close(out);
  offset = 0;
  show("sendfile to stdout", sendfile(1, in, &offset, 100));
  show("sendfile at the end", sendfile(p[1], in, NULL, 10));
  show("sendfile from a pipe", sendfile(1, p[0], NULL, 10));
  show("sendfile to a read-only descriptor", sendfile(in, in, NULL, 10));
  show("sendfile from a closed descriptor", sendfile(1, 90, NULL, 10));
  show("sendfile with a bad offset pointer", sendfile(p[1], in, BAD, 10));
  out = open("s-copy.txt", O_WRONLY | O_APPEND);
  show("sendfile to O_APPEND", sendfile(out, in, &offset, 10));
  close(out);
  close(in);
  close(p[0]);
  close(p[1]);
}

static void dups(void) {
  int fd = open("a.txt", O_RDONLY);
  int d = dup(fd);
  show("dup", d - fd);
  char c;
  read(fd, &c, 1);
  show("dup shares the offset", lseek(d, 0, SEEK_CUR));
  show("dup2 to 100", dup2(fd, 100));
  show("dup2 onto itself", dup2(fd, fd));
  show("dup3 onto itself", dup3(fd, fd, 0));
  show("dup3 O_CLOEXEC to 101", dup3(fd, 101, O_CLOEXEC));
  show("FD_CLOEXEC of 101", fcntl(101, F_GETFD));
  show("FD_CLOEXEC of 100", fcntl(100, F_GETFD));
  show("F_SETFD", fcntl(100, F_SETFD, FD_CLOEXEC));
  show("FD_CLOEXEC of 100 now", fcntl(100, F_GETFD));
  show("F_DUPFD from 50", fcntl(fd, F_DUPFD, 50));
  show("F_DUPFD_CLOEXEC from 60", fcntl(fd, F_DUPFD_CLOEXEC, 60));
  show("FD_CLOEXEC of 60", fcntl(60, F_GETFD));
  show("F_GETFL access mode", fcntl(fd, F_GETFL) & O_ACCMODE);
  show("F_SETFL O_NONBLOCK", fcntl(fd, F_SETFL, O_NONBLOCK));
  show("F_GETFL has O_NONBLOCK", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
  show("fcntl of a closed descriptor", fcntl(77, F_GETFD));
  show("fcntl command 9999", fcntl(fd, 9999));
  show("dup of a closed descriptor", dup(77));
  show("dup2 to -1", dup2(fd, -1));
  show("dup2 past the limit", dup2(fd, 100000));
  show("dup3 bad flags", dup3(fd, 102, 1));
  const int opened[] = {50, 60, 100, 101, d, fd};
  for (size_t i = 0; i < sizeof(opened) / sizeof(opened[0]); ++i) close(opened[i]);
}

static void directories(void) {
  show("mkdir d", mkdir("d", 0755));
  show("mkdir d again", mkdir("d", 0755));
  show("mkdir under a file", mkdir("a.txt/d", 0755));
  show("mkdir of a bad pointer", mkdir(BAD, 0755));
  show("mkdir missing/parent", mkdir("missing/parent", 0755));
  int dfd = open("d", O_RDONLY | O_DIRECTORY);
  show("mkdirat d/e", mkdirat(dfd, "e", 0755));
  int f = openat(dfd, "in-d.txt", O_WRONLY | O_CREAT, 0644);
  show("openat d/in-d.txt", f >= 0);
  write(f, "in d\n", 5);
  close(f);
  show("openat on a file descriptor", openat(0, "x", O_RDONLY));
  show("openat on a closed descriptor", openat(90, "x", O_RDONLY));
  for (int i = 0; i < 20; ++i) {
    char name[32];
    snprintf(name, sizeof(name), "d/file-with-a-long-name-%02d", i);
    write_file(name, "x");
  }
  list("d", 4096);
  list("d", 128);  // a few records per call
  list(".", 4096);
  list("a.txt", 4096);
  char buffer[64];
  show("getdents64 into 8 bytes", syscall(SYS_getdents64, dfd, buffer, 8));
  show("getdents64 of a file", syscall(SYS_getdents64, 0, buffer, sizeof(buffer)));

  char cwd[4096], start[4096];
  show("getcwd", getcwd(start, sizeof(start)) != NULL ? 0 : -1);
  show("getcwd into 1 byte", syscall(SYS_getcwd, cwd, 1));
  show("getcwd into a bad pointer", syscall(SYS_getcwd, BAD, sizeof(cwd)));
  show("chdir d/e", chdir("d/e"));
  getcwd(cwd, sizeof(cwd));
  printf("cwd ends with /d/e: %d\n", strlen(cwd) > 4 && !strcmp(cwd + strlen(cwd) - 4, "/d/e"));
  show("chdir ../..", chdir("../.."));
  getcwd(cwd, sizeof(cwd));
  printf("back at the start: %d\n", !strcmp(cwd, start));
  show("chdir to a file", chdir("a.txt"));
  show("chdir to nothing", chdir("missing"));
  show("fchdir d", fchdir(dfd));
  show("access in-d.txt after fchdir", access("in-d.txt", F_OK));
  show("fchdir of a file", fchdir(0));
  chdir(start);
  show("fchdir of a closed descriptor", fchdir(95));
  close(dfd);

  show("rmdir a non-empty directory", rmdir("d"));
  show("rmdir a file", rmdir("a.txt"));
  show("unlink a directory", unlink("d"));
  show("unlink missing", unlink("missing"));
  show("unlinkat AT_REMOVEDIR d/e", unlinkat(AT_FDCWD, "d/e", AT_REMOVEDIR));
  show("unlinkat bad flags", unlinkat(AT_FDCWD, "d", 0x1));
}

static void names(void) {
  write_file("r1.txt", "rename me\n");
  show("rename r1 -> r2", rename("r1.txt", "r2.txt"));
  show("access r1", access("r1.txt", F_OK));
  show("access r2 R_OK|W_OK", access("r2.txt", R_OK | W_OK));
  show("access r2 X_OK", access("r2.txt", X_OK));
  show("access mode 8", access("r2.txt", 8));
  show("faccessat r2", faccessat(AT_FDCWD, "r2.txt", R_OK, 0));
  show("faccessat2 AT_EACCESS", syscall(439, AT_FDCWD, "r2.txt", R_OK, AT_EACCESS));
  show("renameat r2 -> d/r3", renameat(AT_FDCWD, "r2.txt", AT_FDCWD, "d/r3.txt"));
  show("renameat2 flags 0 back", syscall(SYS_renameat2, AT_FDCWD, "d/r3.txt", AT_FDCWD, "r4.txt", 0));
  show("renameat2 unknown flags", syscall(SYS_renameat2, AT_FDCWD, "r4.txt", AT_FDCWD, "r5.txt", 0x80));
  show("rename missing", rename("missing", "x"));
  show("rename a file over a directory", rename("r4.txt", "d"));

  show("symlink r4.txt <- link", symlink("r4.txt", "link"));
  show("symlink again", symlink("r4.txt", "link"));
  show("symlinkat d/dangling", symlinkat("nowhere", AT_FDCWD, "d/dangling"));
  char buffer[64] = {0};
  show("readlink link", readlink("link", buffer, sizeof(buffer)));
  printf("readlink gave [%s]\n", buffer);
  memset(buffer, 0, sizeof(buffer));
  show("readlink into 3 bytes", readlink("link", buffer, 3));
  printf("truncated to [%s]\n", buffer);
  show("readlinkat d/dangling", readlinkat(AT_FDCWD, "d/dangling", buffer, sizeof(buffer)));
  show("readlink of a file", readlink("r4.txt", buffer, sizeof(buffer)));
  show("readlink of nothing", readlink("missing", buffer, sizeof(buffer)));
  show("readlink size 0", readlink("link", buffer, 0));
  show("readlink into a bad pointer", readlink("link", BAD, 10));
  struct stat st;
  show_stat("stat link (followed)", stat("link", &st), &st);
  show_stat("lstat link", lstat("link", &st), &st);
  show_stat("stat d/dangling", stat("d/dangling", &st), &st);
  show_stat("lstat d/dangling", lstat("d/dangling", &st), &st);
  show_stat("fstatat AT_SYMLINK_NOFOLLOW", fstatat(AT_FDCWD, "link", &st, AT_SYMLINK_NOFOLLOW), &st);
  show_stat("fstatat bad flags", fstatat(AT_FDCWD, "link", &st, 0x1), &st);
  int fd = open("r4.txt", O_RDONLY);
  show_stat("fstatat AT_EMPTY_PATH", fstatat(fd, "", &st, AT_EMPTY_PATH), &st);
  show_stat("fstatat empty without AT_EMPTY_PATH", fstatat(fd, "", &st, 0), &st);
  close(fd);
  show_stat("stat a directory", stat("d", &st), &st);
  printf("d's mode %o\n", st.st_mode & 07777);
  show_stat("stat missing", stat("missing", &st), &st);
  show_stat("stat under a file", stat("r4.txt/x", &st), &st);
  show("stat of a bad path", stat(BAD, &st));
  show("stat into a bad buffer", stat("r4.txt", BAD));
  struct statx sx;
  show("statx r4.txt", statx(AT_FDCWD, "r4.txt", 0, STATX_BASIC_STATS, &sx));
  printf("statx: size %llu, regular %d, mask has size %d\n", (unsigned long long)sx.stx_size,
         S_ISREG(sx.stx_mode), (sx.stx_mask & STATX_SIZE) != 0);
  show("statx bad flags", statx(AT_FDCWD, "r4.txt", 0x80000000, STATX_BASIC_STATS, &sx));
  show("unlink link", unlink("link"));
  show_stat("r4 still there", stat("r4.txt", &st), &st);

  show("umask 027", umask(027));
  show("umask back", umask(022));
  umask(027);
  fd = open("masked.txt", O_WRONLY | O_CREAT, 0666);
  fstat(fd, &st);
  printf("created with umask 027: %o\n", st.st_mode & 0777);
  close(fd);
  umask(022);
  show("chmod to the mode it has", chmod("masked.txt", 0640));
  show("chmod missing", chmod("missing", 0600));
  struct timespec times[2] = {{1000000000, 0}, {1200000000, 500}};
  show("utimensat", utimensat(AT_FDCWD, "masked.txt", times, 0));
  stat("masked.txt", &st);
  printf("mtime %lld\n", (long long)st.st_mtim.tv_sec);
  show("utimensat missing", utimensat(AT_FDCWD, "missing", times, 0));
  struct timespec bad[2] = {{0, 2000000000}, {0, 0}};
  show("utimensat bad nanoseconds", utimensat(AT_FDCWD, "masked.txt", bad, 0));
}

static void proc_self(const char* argv0) {
  char buffer[256] = {0};
  long n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  const char* base = strrchr(buffer, '/');
  printf("/proc/self/exe ends with /%s: %d\n", strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0,
         n > 0 && base && !strcmp(base + 1, strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0));
  int fd = open("r4.txt", O_RDONLY);
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  memset(buffer, 0, sizeof(buffer));
  n = readlink(path, buffer, sizeof(buffer) - 1);
  printf("/proc/self/fd/N ends with /r4.txt: %d\n",
         n > 7 && !strcmp(buffer + n - 7, "/r4.txt"));
  close(fd);
  fd = open("/dev/null", O_RDONLY);
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  memset(buffer, 0, sizeof(buffer));
  readlink(path, buffer, sizeof(buffer) - 1);
  printf("/proc/self/fd of /dev/null: %s\n", buffer);
  close(fd);
}

// Forks and exits with code, what the parent prints of the child.
static int child_status(pid_t pid) {
  int status = -1;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Descriptors across fork: the child's copy shares each description's offset with its
// parent (as dup's do), close-on-exec ones stay open, and a pipe joins the two.
static void forks(void) {
  write_file("f.txt", "0123456789");
  int fd = open("f.txt", O_RDONLY);
  int keep = open("f.txt", O_RDONLY | O_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    char c[3];
    _exit(read(fd, c, 3) == 3 && fcntl(keep, F_GETFD) == FD_CLOEXEC ? 7 : 1);
  }
  show("child read 3 and kept its close-on-exec descriptor", child_status(pid));
  show("the parent's offset after the child's read", lseek(fd, 0, SEEK_CUR));
  char text[8] = {0};
  show("the parent reads on", read(fd, text, 2));
  printf("the parent read [%s]\n", text);
  pid = fork();
  if (pid == 0) _exit(lseek(fd, 1, SEEK_SET) == 1 ? 0 : 1);
  show("child seeked to 1", child_status(pid));
  show("the parent's offset now", lseek(fd, 0, SEEK_CUR));
  close(keep);
  close(fd);

  // A file written by both through one description: the writes follow each other.
  fd = open("shared.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid = fork();
  if (pid == 0) _exit(write(fd, "child ", 6) == 6 ? 0 : 1);
  show("the child wrote", child_status(pid));
  show("the parent writes after it", write(fd, "parent\n", 7));
  close(fd);
  fd = open("shared.txt", O_RDONLY);
  char both[32] = {0};
  show("the file holds", read(fd, both, sizeof(both) - 1));
  printf("shared.txt is [%s]\n", both);
  close(fd);

  int p[2];
  pipe(p);
  pid = fork();
  if (pid == 0) {
    close(p[0]);
    const char line[] = "through a pipe from the child\n";
    for (int i = 0; i < 100; ++i) write(p[1], line, sizeof(line) - 1);
    _exit(0);
  }
  close(p[1]);
  long total = 0, got;
  char buffer[512];
  while ((got = read(p[0], buffer, sizeof(buffer))) > 0) total += got;
  show("bytes from the child until its end closed", total);
  show("read at the end", got);
  show("the writer exited", child_status(pid));
  close(p[0]);

  pipe(p);
  pid = fork();
  if (pid == 0) {
    close(p[1]);
    long n = 0, r;
    while ((r = read(p[0], buffer, sizeof(buffer))) > 0) n += r;
    _exit(n == 5000 ? 9 : 1);
  }
  close(p[0]);
  memset(buffer, 'x', sizeof(buffer));
  for (int i = 0; i < 10; ++i) write(p[1], buffer, 500);
  close(p[1]);
  show("the reading child got 5000 bytes", child_status(pid));
}

enum { kThreads = 4, kLines = 100, kLineSize = 16 };
static int shared_fd;
static long thread_bytes[kThreads];
static int thread_whole_lines[kThreads];

static void* write_lines(void* arg) {
  const long t = (long)arg;
  char line[kLineSize + 1];
  snprintf(line, sizeof(line), "thread %ld line   ", t);
  line[kLineSize - 1] = '\n';
  for (int i = 0; i < kLines; ++i) {
    if (write(shared_fd, line, kLineSize) != kLineSize) return (void*)1;
    int d = dup(shared_fd);  // descriptors made and closed meanwhile
    if (d < 0 || close(d) != 0) return (void*)2;
  }
  return NULL;
}

static void* read_lines(void* arg) {
  const long t = (long)arg;
  char line[kLineSize];
  long r;
  thread_whole_lines[t] = 1;
  while ((r = read(shared_fd, line, kLineSize)) > 0) {
    thread_bytes[t] += r;
    if (r != kLineSize || memcmp(line, "thread ", 7) || line[kLineSize - 1] != '\n')
      thread_whole_lines[t] = 0;
  }
  return r < 0 ? (void*)1 : NULL;
}

static int run_threads(void* (*body)(void*)) {
  pthread_t threads[kThreads];
  int failed = 0;
  for (long t = 0; t < kThreads; ++t) pthread_create(&threads[t], NULL, body, (void*)t);
  for (int t = 0; t < kThreads; ++t) {
    void* result;
    pthread_join(threads[t], &result);
    failed += result != NULL;
  }
  return failed;
}

// Threads of one process on one description at once: each write and read moves the one
// offset whole (no two land on the same bytes), and dup and close meanwhile do no harm.
static void threads(void) {
  shared_fd = open("threads.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  show("threads writing and duping failed", run_threads(write_lines));
  show("the file's size", lseek(shared_fd, 0, SEEK_END));
  lseek(shared_fd, 0, SEEK_SET);
  show("threads reading failed", run_threads(read_lines));
  long bytes = 0;
  int whole = 1;
  for (int t = 0; t < kThreads; ++t) {
    bytes += thread_bytes[t];
    whole &= thread_whole_lines[t];
  }
  show("bytes the threads read together", bytes);
  show("every read a whole line", whole);
  show("the lowest free descriptor after", dup(0) - shared_fd);
  close(shared_fd);
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  // On the host, the limit Stellina has.
  struct rlimit limit = {256, 256};
  if (argc > 1 && !strcmp(argv[1], "host")) setrlimit(RLIMIT_NOFILE, &limit);
  umask(022);
  io();
  devices();
  pipes();
  sendfiles();
  dups();
  directories();
  names();
  proc_self(argv[0]);
  forks();
  threads();
  descriptors();
  printf("done\n");
  return 0;
}
