/* CoreMark's port layer for wabt's wasm-interp, which offers a module no WASI and no clock,
 * only `host.print` (--host-print: it prints each call's i32 argument on a line of its own).
 * So the module writes CoreMark's output one character a call, and marks the start and the
 * end of the timed part with two values no character has: bench/wasm/bench.py reads the
 * lines as they come and times the markers on the host's clock. CoreMark's own clock reads
 * 0 here, so its time line and its "at least 10 secs" check mean nothing for this build:
 * the bench checks the time it measured instead, and the CRCs as CoreMark does. */
#include <stdarg.h>

#include "coremark.h"

#define MARK_START 0x10000
#define MARK_STOP 0x10001

__attribute__((import_module("host"), import_name("print"))) void host_print(int value);

ee_u32 default_num_contexts = 1;

void start_time(void) { host_print(MARK_START); }
void stop_time(void) { host_print(MARK_STOP); }
CORE_TICKS get_time(void) { return 0; }
secs_ret time_in_secs(CORE_TICKS ticks) { return (secs_ret)ticks / 1e9; }

void portable_init(core_portable* p, int* argc, char* argv[]) {
  (void)argc;
  (void)argv;
  p->portable_id = 1;
}

void portable_fini(core_portable* p) { p->portable_id = 0; }

/* CoreMark's ee_printf is printf: what its formats use (%s %d %u %lu %x with a width and 0,
 * %f with six decimals), written a character at a time. wasi-libc's own printf would bring
 * its stdio, whose streams import WASI. */
static void put(char c) { host_print((unsigned char)c); }

static void put_unsigned(unsigned long long value, unsigned base, int width, char pad) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[value % base];
    value /= base;
  } while (value);
  for (; width > n; --width) put(pad);
  while (n) put(digits[--n]);
}

static void put_double(double value) {
  if (value < 0) {
    put('-');
    value = -value;
  }
  unsigned long long whole = (unsigned long long)value;
  unsigned long long millionths = (unsigned long long)((value - (double)whole) * 1e6 + 0.5);
  if (millionths >= 1000000) {
    whole += 1;
    millionths -= 1000000;
  }
  put_unsigned(whole, 10, 0, ' ');
  put('.');
  put_unsigned(millionths, 10, 6, '0');
}

int printf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  for (const char* f = format; *f; ++f) {
    if (*f != '%') {
      put(*f);
      continue;
    }
    ++f;
    char pad = ' ';
    if (*f == '0') {
      pad = '0';
      ++f;
    }
    int width = 0;
    while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
    int is_long = 0;
    while (*f == 'l') {
      is_long = 1;
      ++f;
    }
    switch (*f) {
      case 's':
        for (const char* s = va_arg(args, const char*); *s; ++s) put(*s);
        break;
      case 'd': {
        long long v = is_long ? va_arg(args, long) : va_arg(args, int);
        if (v < 0) {
          put('-');
          v = -v;
        }
        put_unsigned((unsigned long long)v, 10, width, pad);
        break;
      }
      case 'u':
        put_unsigned(is_long ? va_arg(args, unsigned long) : va_arg(args, unsigned), 10, width,
                     pad);
        break;
      case 'x':
        put_unsigned(is_long ? va_arg(args, unsigned long) : va_arg(args, unsigned), 16, width,
                     pad);
        break;
      case 'f': put_double(va_arg(args, double)); break;
      case '%': put('%'); break;
      default: put('?'); break;
    }
    if (!*f) break;
  }
  va_end(args);
  return 0;
}

int main(int argc, char* argv[]);

/* The performance run (seeds 0 0 0x66) with the iteration count the bench compiled in. */
__attribute__((export_name("run"))) int run(void) {
  char* argv[] = {"coremark", "0", "0", "0x66", COREMARK_ITERATIONS, 0};
  return main(5, argv);
}
