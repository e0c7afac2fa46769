// Arguments and environment: args_sizes_get/args_get, environ_sizes_get/environ_get, and
// fd_write to stdout and stderr.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char** environ;

static const char* base_name(const char* path) {
  const char* slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int main(int argc, char** argv) {
  printf("hello from wasm\n");
  printf("argc %d, argv[0] %s\n", argc, base_name(argv[0]));
  for (int i = 1; i < argc; ++i) printf("argv[%d] [%s] (%zu bytes)\n", i, argv[i], strlen(argv[i]));
  const char* value = getenv("WASI_TEST");
  printf("WASI_TEST %s\n", value ? value : "(unset)");
  printf("NO_SUCH_VARIABLE %s\n", getenv("NO_SUCH_VARIABLE") ? "set" : "(unset)");
  int found = 0;
  for (char** e = environ; *e; ++e) found += strncmp(*e, "WASI_TEST=", 10) == 0;
  printf("environ holds WASI_TEST %d time(s)\n", found);
  fflush(stdout);  // stdout and stderr in one order whatever each buffers
  fprintf(stderr, "this line went to stderr\n");
  return 0;
}
