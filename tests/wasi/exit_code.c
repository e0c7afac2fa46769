// proc_exit: the code given to exit() is the program's status, after stdout is flushed.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  printf("exiting with %d\n", argc > 1 ? atoi(argv[1]) : 0);
  exit(argc > 1 ? atoi(argv[1]) : 0);
}
