// Opens one file until the runner refuses: how many descriptors it gives, and the errno
// past them (EMFILE). Then every one closes.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int fd = open("limit.txt", O_WRONLY | O_CREAT, 0644);
  close(fd);
  int fds[200];
  int n = 0;
  while (n < 200 && (fds[n] = open("limit.txt", O_RDONLY)) >= 0) ++n;
  printf("opened %d, then errno %d\n", n, n < 200 ? errno : 0);
  int closed = 0;
  for (int i = 0; i < n; ++i) closed += close(fds[i]) == 0;
  printf("closed %d\n", closed);
  fd = open("limit.txt", O_RDONLY);
  printf("one more after closing: %s\n", fd >= 0 ? "ok" : "refused");
  unlink("limit.txt");
  return 0;
}
