// Opens each path given, read-only, and says what came of it: which paths a module may
// name depends on the directories its runner preopened.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    errno = 0;
    int fd = open(argv[i], O_RDONLY);
    printf("%s: %s\n", argv[i], fd >= 0 ? "opened" : strerror(errno));
    if (fd >= 0) close(fd);
  }
  return 0;
}
