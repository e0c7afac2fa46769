// The C library's names for the rounding functions the WebAssembly engine's f32/f64 ceil,
// floor, trunc and nearest compile to without SSE4.1 (programs/wasm/rounding.h, exact as
// IEEE 754 defines them). Built with SSE, like the engine: only wasm threads call them.
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
