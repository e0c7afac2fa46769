// The C library's rounding functions, which the compiler calls for lib/wasm's f32/f64
// ceil, floor, trunc and nearest: QEMU's default CPU has no SSE4.1 (roundss/roundsd), and a
// program has no libm. Each is exact as IEEE 754 defines it: the sign of a zero result is
// the argument's, a NaN comes back quiet (the specification's "arithmetic NaN"), and values
// too large to have a fraction come back unchanged. nearbyint rounds half to even, in the
// default rounding mode the runner never changes.
//
// (sqrt needs nothing: with -fno-math-errno it is one sqrtss/sqrtsd.)

#include <stdint.h>

namespace {

// The largest magnitude below which a double (a float) can have a fraction: 2^52 (2^23).
constexpr double kTwo52 = 4503599627370496.0;
constexpr float kTwo23 = 8388608.0F;

template <typename F>
F with_sign_of(F magnitude, F sign) {
  return __builtin_copysign(magnitude, sign);
}

// Toward zero: adding and subtracting 2^52 rounds to nearest; step back where that went
// away from zero.
template <typename F>
F truncate(F x, F two_p) {
  const F a = __builtin_fabs(x);
  if (!(a < two_p)) return x != x ? x + x : x;  // a NaN made quiet; no fraction to drop
  F r = (a + two_p) - two_p;
  if (r > a) r -= F(1);
  return with_sign_of(r, x);
}

template <typename F>
F nearest(F x, F two_p) {
  const F a = __builtin_fabs(x);
  if (!(a < two_p)) return x != x ? x + x : x;
  return with_sign_of((a + two_p) - two_p, x);
}

template <typename F>
F round_down(F x, F two_p) {
  const F t = truncate(x, two_p);
  return t > x ? t - F(1) : t;  // only a negative x with a fraction: t is above it
}

template <typename F>
F round_up(F x, F two_p) {
  const F t = truncate(x, two_p);
  return t < x ? t + F(1) : t;  // only a positive x with a fraction: t is below it
}

}  // namespace

// NOLINTBEGIN(readability-identifier-naming): the C library's names
extern "C" {
double trunc(double x) { return truncate(x, kTwo52); }
float truncf(float x) { return truncate(x, kTwo23); }
double floor(double x) { return round_down(x, kTwo52); }
float floorf(float x) { return round_down(x, kTwo23); }
double ceil(double x) { return round_up(x, kTwo52); }
float ceilf(float x) { return round_up(x, kTwo23); }
double nearbyint(double x) { return nearest(x, kTwo52); }
float nearbyintf(float x) { return nearest(x, kTwo23); }
}
// NOLINTEND(readability-identifier-naming)
