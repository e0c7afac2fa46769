// The engine's floating point in Stellina (built with SSE there): arithmetic, the rounding
// instructions (ceil, floor, trunc, nearest, which the runner implements itself), sqrt,
// conversions, min and max, printed exactly (%a) and as printf formats them.
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static volatile double inputs[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.49999,
                                   -7.75, 1e300, -1e-300, 4503599627370495.5, 1.0 / 3.0,
                                   123456.789, INFINITY, -INFINITY};
static volatile float finputs[] = {0.5f, -0.5f, 2.5f, -3.5f, 8388607.5f, 1e30f, -1e-30f,
                                   0.1f, -0.0f, INFINITY};

int main(void) {
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; ++i) {
    double x = inputs[i];
    printf("%a: ceil %a floor %a trunc %a nearest %a sqrt(|x|) %a\n", x, ceil(x), floor(x),
           trunc(x), nearbyint(x), sqrt(fabs(x)));
  }
  for (size_t i = 0; i < sizeof finputs / sizeof finputs[0]; ++i) {
    float x = finputs[i];
    printf("%a: ceilf %a floorf %a truncf %a nearestf %a sqrtf(|x|) %a\n", (double)x,
           (double)ceilf(x), (double)floorf(x), (double)truncf(x), (double)nearbyintf(x),
           (double)sqrtf(fabsf(x)));
  }
  volatile double a = 1.0, b = 3.0;
  printf("1/3 %.17g, 2/3 %.17g, 0.1+0.2 %.17g\n", a / b, 2 * a / b, 0.1 + 0.2);
  printf("NaN is NaN %d, min(-0,0) sign %d, max %g\n", isnan(NAN * a), signbit(fmin(-0.0, 0.0)),
         fmax(a, b));
  printf("(int)-7.9 %d, (unsigned)3e9 %u, (long long)-9.2e18 %lld, 2^63 as double %.1f\n",
         (int)(-7.9 * a), (unsigned)(3e9 * a), (long long)(-9.2e18 * a),
         (double)(uint64_t)9223372036854775808ull);
  double sum = 0;
  for (int i = 1; i <= 100000; ++i) sum += 1.0 / ((double)i * i);
  printf("sum of 1/n^2 to 100000: %.15f (pi^2/6 %.15f)\n", sum, M_PI * M_PI / 6);
  printf("exp(1) %.15f, log(10) %.15f, sin(1) %.15f, pow(2, 0.5) %.15f\n", exp(a), log(10 * a),
         sin(a), pow(2 * a, 0.5));
  printf("%.3e %g %f\n", 6.02214076e23, 1e-5, -273.15);
  return 0;
}
