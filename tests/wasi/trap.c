// A trap: the runner reports it and ends the program with a nonzero status. What was
// written before it stays written.
#include <stdio.h>

int main(int argc, char** argv) {
  printf("before the trap\n");
  fflush(stdout);
  if (argc > 1) {
    volatile int* p = (int*)0xFFFFFFF0u;  // past any linear memory a module here can have
    return *p;
  }
  __builtin_trap();
}
