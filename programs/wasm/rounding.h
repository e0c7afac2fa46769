#pragma once
// Rounding to an integral value, for the C library's functions the compiler calls for
// lib/wasm's f32/f64 ceil, floor, trunc and nearest (libm.cc): QEMU's default CPU has no
// SSE4.1 (roundss/roundsd), and a program has no libm. Each is exact as IEEE 754 defines
// it: the sign of a zero result is the argument's, a NaN comes back quiet (the
// specification's "arithmetic NaN"), and values too large to have a fraction come back
// unchanged. nearest rounds half to even, in the default rounding mode the runner never
// changes. Plain logic: tests/wasm checks it against the host's libm.

namespace rounding {

double trunc(double x);
float trunc(float x);
double floor(double x);
float floor(float x);
double ceil(double x);
float ceil(float x);
double nearest(double x);
float nearest(float x);

}  // namespace rounding
