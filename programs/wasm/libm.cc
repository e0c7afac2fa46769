// The C library's names for rounding.h's functions: what the compiler calls for
// __builtin_ceil and the others without SSE4.1. (sqrt needs nothing: with -fno-math-errno it
// is one sqrtss/sqrtsd.) Built into /bin/wasm and into the kernel's engine (kernel/CMakeLists.txt:
// with SSE, like the engine; only wasm threads call them).
#include "rounding.h"

// NOLINTBEGIN(readability-identifier-naming): the C library's names
extern "C" {
double trunc(double x) { return rounding::trunc(x); }
float truncf(float x) { return rounding::trunc(x); }
double floor(double x) { return rounding::floor(x); }
float floorf(float x) { return rounding::floor(x); }
double ceil(double x) { return rounding::ceil(x); }
float ceilf(float x) { return rounding::ceil(x); }
double nearbyint(double x) { return rounding::nearest(x); }
float nearbyintf(float x) { return rounding::nearest(x); }
}
// NOLINTEND(readability-identifier-naming)
