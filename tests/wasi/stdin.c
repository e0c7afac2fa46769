// fd_read from stdin until its end: lines, words and bytes, as wc counts them, and a checksum.
#include <stdio.h>

int main(void) {
  long lines = 0, words = 0, bytes = 0;
  unsigned long sum = 0;
  int in_word = 0;
  for (int c; (c = getchar()) != EOF;) {
    ++bytes;
    sum = sum * 31 + (unsigned char)c;
    if (c == '\n') ++lines;
    int space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  printf("%ld lines, %ld words, %ld bytes, checksum %lu\n", lines, words, bytes, sum);
  return 0;
}
