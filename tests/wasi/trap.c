// A trap: the runner reports it and ends the program with a nonzero status. What was
// written before it stays written.
#include <stdio.h>
#include <string.h>

// Recursion without end that keeps nothing in linear memory (its C stack stays put): the
// runner's call depth runs out.
static volatile int sink;
static int deeper(int n) {
  if (sink < 0) return 0;  // never: sink only grows
  sink = n;
  return deeper(n + 1) * 3 + sink;
}

int main(int argc, char** argv) {
  printf("before the trap\n");
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "recurse") == 0) return deeper(0);
  if (argc > 1) {
    volatile int* p = (int*)0xFFFFFFF0u;  // past any linear memory a module here can have
    return *p;
  }
  __builtin_trap();
}
