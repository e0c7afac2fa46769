// Rounding to an integral value, exactly (rounding.h), with SSE2 arithmetic alone.

#include "rounding.h"

namespace rounding {

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
F to_nearest(F x, F two_p) {
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

double trunc(double x) { return truncate(x, kTwo52); }
float trunc(float x) { return truncate(x, kTwo23); }
double floor(double x) { return round_down(x, kTwo52); }
float floor(float x) { return round_down(x, kTwo23); }
double ceil(double x) { return round_up(x, kTwo52); }
float ceil(float x) { return round_up(x, kTwo23); }
double nearest(double x) { return to_nearest(x, kTwo52); }
float nearest(float x) { return to_nearest(x, kTwo23); }

}  // namespace rounding
