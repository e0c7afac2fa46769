// Symbolic links and file times: path_symlink, path_readlink, path_filestat_get following a
// link or not, fd_filestat_set_times and path_filestat_set_times, and their errors. With
// "more", what node's runner does otherwise (it refuses a target with "..", and fails a
// readlink into a short buffer instead of cutting it): a link up and out of a subdirectory
// that stays inside the preopened one, a readlink cut short; and times set to now.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static void more(void) {
  mkdir("dir", 0755);
  printf("symlink in a directory, up: %d\n", symlink("../target.txt", "dir/uplink"));
  char buf[64] = {0};
  FILE* f = fopen("dir/uplink", "r");
  if (f) {
    fgets(buf, sizeof buf, f);
    fclose(f);
  }
  printf("read through dir/uplink: %s", f ? buf : "(failed)\n");
  errno = 0;
  printf("symlink out of the directory: %d (%s)\n", symlink("../../x", "dir/out"), strerror(errno));
  errno = 0;
  printf("symlink to an absolute path: %d (%s)\n", symlink("/etc/motd", "abs"), strerror(errno));
  memset(buf, 0, sizeof buf);
  ssize_t n = readlink("dir/uplink", buf, 6);
  printf("readlink into 6 bytes: %zd [%s]\n", n, buf);
  int fd = open("target.txt", O_RDWR);
  // The call itself: this wasi-libc refuses {0, UTIME_NOW} (EINVAL), and futimens(fd, NULL)
  // sets the times to 0, under node too.
  printf(
      "futimens to now: %d\n",
      __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
  struct stat st;
  fstat(fd, &st);
  printf("mtime after 2020: %d\n", st.st_mtim.tv_sec > 1577836800);
  close(fd);
  unlink("dir/uplink");
  rmdir("dir");
}

int main(int argc, char** argv) {
  FILE* f = fopen("target.txt", "w");
  fputs("the target's text\n", f);
  fclose(f);

  printf("symlink: %d\n", symlink("target.txt", "link"));
  errno = 0;
  printf("symlink over a name taken: %d (%s)\n", symlink("target.txt", "link"), strerror(errno));
  char buf[64] = {0};
  ssize_t n = readlink("link", buf, sizeof buf - 1);
  printf("readlink: %zd [%s]\n", n, buf);
  errno = 0;
  printf("readlink of a file: %zd (%s)\n", readlink("target.txt", buf, sizeof buf),
         strerror(errno));
  struct stat st, lst;
  stat("link", &st);
  lstat("link", &lst);
  printf("stat through the link: regular %d, size %lld\n", S_ISREG(st.st_mode),
         (long long)st.st_size);
  printf("lstat of the link: symlink %d, size %lld\n", S_ISLNK(lst.st_mode),
         (long long)lst.st_size);

  // Times: given ones, through the path and through a descriptor.
  struct timespec times[2] = {{1000000000, 0}, {1234567890, 0}};
  printf("utimensat: %d\n", utimensat(AT_FDCWD, "target.txt", times, 0));
  stat("target.txt", &st);
  printf("mtime %lld, atime %lld\n", (long long)st.st_mtim.tv_sec, (long long)st.st_atim.tv_sec);
  int fd = open("target.txt", O_RDWR);
  struct timespec only_mtime[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
  printf("futimens, the mtime only: %d\n", futimens(fd, only_mtime));
  fstat(fd, &st);
  printf("mtime %lld, atime %lld\n", (long long)st.st_mtim.tv_sec, (long long)st.st_atim.tv_sec);
  close(fd);
  errno = 0;
  printf("utimensat of a missing file: %d (%s)\n", utimensat(AT_FDCWD, "missing", times, 0),
         strerror(errno));
  if (argc > 1 && strcmp(argv[1], "more") == 0) more();

  printf("unlink the link: %d\n", unlink("link"));
  printf("the target is still there: %d\n", access("target.txt", F_OK) == 0);
  unlink("target.txt");
  return 0;
}
