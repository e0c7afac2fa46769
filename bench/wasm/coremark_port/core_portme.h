/* Stellina's CoreMark port layer: one build for wasm32-wasi (run by Stellina's engine and by
 * node) and for the host (native). Seeds and the iteration count come from the command
 * line; the data lives in a static block; time is CLOCK_MONOTONIC in nanoseconds (WASI's
 * clock_time_get under wasm). */
#ifndef CORE_PORTME_H
#define CORE_PORTME_H

#include <stddef.h>
#include <stdint.h>

#define HAS_FLOAT 1
#define HAS_TIME_H 1
#define USE_CLOCK 0
#define HAS_STDIO 1
#define HAS_PRINTF 1
#define SEED_METHOD SEED_ARG
#define MEM_METHOD MEM_STATIC
#define MULTITHREAD 1
#define MAIN_HAS_NOARGC 0
#define MAIN_HAS_NORETURN 0

#ifndef FLAGS_STR
#define FLAGS_STR "unknown"
#endif
#define COMPILER_VERSION "clang " __clang_version__
#define COMPILER_FLAGS FLAGS_STR
#define MEM_LOCATION "STATIC"

typedef int16_t ee_s16;
typedef uint16_t ee_u16;
typedef int32_t ee_s32;
typedef double ee_f32;
typedef uint8_t ee_u8;
typedef uint32_t ee_u32;
typedef uintptr_t ee_ptr_int;
typedef size_t ee_size_t;

/* Rounds a pointer up to a 4-byte boundary (the matrix code needs aligned blocks). */
#define align_mem(x) (void*)(4 + (((ee_ptr_int)(x)-1) & ~3))

typedef uint64_t CORE_TICKS; /* nanoseconds */

typedef struct CORE_PORTABLE_S {
  ee_u8 portable_id;
} core_portable;

extern ee_u32 default_num_contexts;

void portable_init(core_portable* p, int* argc, char* argv[]);
void portable_fini(core_portable* p);

#endif
