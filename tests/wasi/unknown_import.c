// An import no runner provides (node refuses to link it): Stellina's runner links it to a
// function that returns ENOSYS (52), as it does for the WASI calls it does not implement.
#include <stdio.h>
#include <wasi/api.h>

__attribute__((import_module("stellina_test"), import_name("nothing"))) int nothing(int);

int main(void) {
  printf("stellina_test.nothing returned %d\n", nothing(5));
  // A WASI call the runner does not implement: poll_oneoff.
  __wasi_subscription_t s = {0};
  __wasi_event_t e;
  __wasi_size_t n = 0;
  printf("poll_oneoff returned %d\n", __wasi_poll_oneoff(&s, &e, 1, &n));
  return 0;
}
