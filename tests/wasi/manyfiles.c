// fd_readdir across many entries (more than one buffer of wasi-libc's, and more than one
// answer of the file server's), and many files open at once.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const int files = 300;
  char name[64];
  for (int i = 0; i < files; ++i) {
    snprintf(name, sizeof name, "a-rather-long-file-name-to-fill-buffers-%03d", i);
    int fd = open(name, O_WRONLY | O_CREAT, 0644);
    if (fd < 0 || write(fd, name, strlen(name)) != (ssize_t)strlen(name)) {
      printf("creating %s: %s\n", name, strerror(errno));
      return 1;
    }
    close(fd);
  }
  DIR* d = opendir(".");
  int seen = 0;
  long sum = 0;
  struct dirent* e;
  while ((e = readdir(d))) {
    int n;
    if (sscanf(e->d_name, "a-rather-long-file-name-to-fill-buffers-%d", &n) == 1) {
      ++seen;
      sum += n;
    }
  }
  closedir(d);
  printf("listed %d of %d files, numbers adding up to %ld\n", seen, files, sum);
  // Open 40 at once: every one readable, then all closed.
  int fds[40];
  int opened = 0;
  for (int i = 0; i < 40; ++i) {
    snprintf(name, sizeof name, "a-rather-long-file-name-to-fill-buffers-%03d", i);
    fds[i] = open(name, O_RDONLY);
    opened += fds[i] >= 0;
  }
  int good = 0;
  for (int i = 0; i < 40; ++i) {
    char buf[64] = {0};
    snprintf(name, sizeof name, "a-rather-long-file-name-to-fill-buffers-%03d", i);
    good += read(fds[i], buf, sizeof buf) == (ssize_t)strlen(name) && strcmp(buf, name) == 0;
    close(fds[i]);
  }
  printf("%d open at once, %d read back\n", opened, good);
  for (int i = 0; i < files; ++i) {
    snprintf(name, sizeof name, "a-rather-long-file-name-to-fill-buffers-%03d", i);
    if (unlink(name) != 0) printf("unlink %s: %s\n", name, strerror(errno));
  }
  return 0;
}
