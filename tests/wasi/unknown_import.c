// An import no runner provides (node refuses to link it): Stellina's runner links it to a
// function that returns ENOSYS (52), as it does for the WASI calls it does not implement.
#include <stdio.h>
#include <wasi/api.h>

__attribute__((import_module("stellina_test"), import_name("nothing"))) int nothing(int);

int main(void) {
  printf("stellina_test.nothing returned %d\n", nothing(5));
  // A WASI call the runner does not implement: sock_accept.
  __wasi_fd_t fd = 0;
  printf("sock_accept returned %d\n", __wasi_sock_accept(3, 0, &fd));
  return 0;
}
