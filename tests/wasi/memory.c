// Grows the heap a MiB at a time until malloc says no: a runner's bound on linear memory is
// met with NULL (memory.grow returning -1), never a crash; what was allocated stays usable.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char* blocks[4096];
  int n = 0;
  while (n < 4096 && (blocks[n] = malloc(1 << 20)) != NULL) {
    memset(blocks[n], n & 0xFF, 1 << 20);
    ++n;
  }
  int intact = 0;
  for (int i = 0; i < n; ++i) intact += blocks[i][0] == (char)(i & 0xFF) &&
                                        blocks[i][(1 << 20) - 1] == (char)(i & 0xFF);
  printf("allocated %d MiB before malloc failed, %d intact\n", n, intact);
  for (int i = 0; i < n; ++i) free(blocks[i]);
  return 0;
}
