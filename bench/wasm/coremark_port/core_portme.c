/* Stellina's CoreMark port layer (see core_portme.h): the clock and the start and end hooks. */
#include <stdio.h>
#include <time.h>

#include "coremark.h"

ee_u32 default_num_contexts = 1;

static CORE_TICKS started;
static CORE_TICKS stopped;

static CORE_TICKS now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (CORE_TICKS)ts.tv_sec * 1000000000u + (CORE_TICKS)ts.tv_nsec;
}

void start_time(void) { started = now_ns(); }
void stop_time(void) { stopped = now_ns(); }
CORE_TICKS get_time(void) { return stopped - started; }
secs_ret time_in_secs(CORE_TICKS ticks) { return (secs_ret)ticks / 1e9; }

void portable_init(core_portable* p, int* argc, char* argv[]) {
  (void)argc;
  (void)argv;
  if (sizeof(ee_ptr_int) != sizeof(ee_u8*)) {
    printf("ERROR! ee_ptr_int cannot hold a pointer\n");
  }
  p->portable_id = 1;
}

void portable_fini(core_portable* p) { p->portable_id = 0; }
