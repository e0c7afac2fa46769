#pragma once
// The numeric instructions' semantics, one function each, on 64-bit slots (an i32 or f32
// lives in the low 32 bits). Integer arithmetic is done unsigned so wrap-around is defined;
// shifts mask their count; division and conversions check before they compute.
//
// Floating point follows IEEE 754 as the specification requires: the machine's own
// arithmetic (SSE2 on x86_64 rounds to nearest-even and yields NaNs with the quiet bit set,
// which the specification accepts), with min, max and the float-to-integer conversions
// written out. A target without hardware floating point (the kernel, built without SSE)
// sets WASM_HAS_FLOAT to 0 and the interpreter traps on these instructions instead.

#include <stdint.h>

#include "ops.h"
#include "wasm/base.h"

#ifndef WASM_HAS_FLOAT
#if defined(__SSE2__) || defined(__aarch64__)
#define WASM_HAS_FLOAT 1
#else
#define WASM_HAS_FLOAT 0
#endif
#endif

namespace wasm::numeric {

// The functions carry the names of the instructions (ops.h), which the interpreter's
// handlers are generated from.
// NOLINTBEGIN(readability-identifier-naming)

inline uint32_t lo(uint64_t v) { return static_cast<uint32_t>(v); }
inline int32_t slo(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }
inline uint64_t u(uint32_t v) { return v; }
inline uint64_t b(bool v) { return v ? 1 : 0; }

// Unary integer and bit operations.
inline uint64_t I32Eqz(uint64_t a) { return b(lo(a) == 0); }
inline uint64_t I64Eqz(uint64_t a) { return b(a == 0); }
inline uint64_t I32Clz(uint64_t a) { return lo(a) == 0 ? 32 : __builtin_clz(lo(a)); }
inline uint64_t I32Ctz(uint64_t a) { return lo(a) == 0 ? 32 : __builtin_ctz(lo(a)); }
inline uint64_t I32Popcnt(uint64_t a) { return __builtin_popcount(lo(a)); }
inline uint64_t I64Clz(uint64_t a) { return a == 0 ? 64 : __builtin_clzll(a); }
inline uint64_t I64Ctz(uint64_t a) { return a == 0 ? 64 : __builtin_ctzll(a); }
inline uint64_t I64Popcnt(uint64_t a) { return __builtin_popcountll(a); }
inline uint64_t F32Abs(uint64_t a) { return lo(a) & 0x7FFFFFFFu; }
inline uint64_t F32Neg(uint64_t a) { return lo(a) ^ 0x80000000u; }
inline uint64_t F64Abs(uint64_t a) { return a & 0x7FFFFFFFFFFFFFFFull; }
inline uint64_t F64Neg(uint64_t a) { return a ^ 0x8000000000000000ull; }
inline uint64_t I32WrapI64(uint64_t a) { return lo(a); }
inline uint64_t I64ExtendI32S(uint64_t a) { return static_cast<uint64_t>(int64_t{slo(a)}); }
inline uint64_t I64ExtendI32U(uint64_t a) { return lo(a); }
inline uint64_t I32Extend8S(uint64_t a) {
  return u(static_cast<uint32_t>(int32_t{static_cast<int8_t>(a)}));
}
inline uint64_t I32Extend16S(uint64_t a) {
  return u(static_cast<uint32_t>(int32_t{static_cast<int16_t>(a)}));
}
inline uint64_t I64Extend8S(uint64_t a) {
  return static_cast<uint64_t>(int64_t{static_cast<int8_t>(a)});
}
inline uint64_t I64Extend16S(uint64_t a) {
  return static_cast<uint64_t>(int64_t{static_cast<int16_t>(a)});
}
inline uint64_t I64Extend32S(uint64_t a) {
  return static_cast<uint64_t>(int64_t{static_cast<int32_t>(a)});
}

// Binary integer and bit operations.
inline uint64_t I32Eq(uint64_t a, uint64_t c) { return b(lo(a) == lo(c)); }
inline uint64_t I32Ne(uint64_t a, uint64_t c) { return b(lo(a) != lo(c)); }
inline uint64_t I32LtS(uint64_t a, uint64_t c) { return b(slo(a) < slo(c)); }
inline uint64_t I32LtU(uint64_t a, uint64_t c) { return b(lo(a) < lo(c)); }
inline uint64_t I32GtS(uint64_t a, uint64_t c) { return b(slo(a) > slo(c)); }
inline uint64_t I32GtU(uint64_t a, uint64_t c) { return b(lo(a) > lo(c)); }
inline uint64_t I32LeS(uint64_t a, uint64_t c) { return b(slo(a) <= slo(c)); }
inline uint64_t I32LeU(uint64_t a, uint64_t c) { return b(lo(a) <= lo(c)); }
inline uint64_t I32GeS(uint64_t a, uint64_t c) { return b(slo(a) >= slo(c)); }
inline uint64_t I32GeU(uint64_t a, uint64_t c) { return b(lo(a) >= lo(c)); }
inline int64_t s(uint64_t v) { return static_cast<int64_t>(v); }
inline uint64_t I64Eq(uint64_t a, uint64_t c) { return b(a == c); }
inline uint64_t I64Ne(uint64_t a, uint64_t c) { return b(a != c); }
inline uint64_t I64LtS(uint64_t a, uint64_t c) { return b(s(a) < s(c)); }
inline uint64_t I64LtU(uint64_t a, uint64_t c) { return b(a < c); }
inline uint64_t I64GtS(uint64_t a, uint64_t c) { return b(s(a) > s(c)); }
inline uint64_t I64GtU(uint64_t a, uint64_t c) { return b(a > c); }
inline uint64_t I64LeS(uint64_t a, uint64_t c) { return b(s(a) <= s(c)); }
inline uint64_t I64LeU(uint64_t a, uint64_t c) { return b(a <= c); }
inline uint64_t I64GeS(uint64_t a, uint64_t c) { return b(s(a) >= s(c)); }
inline uint64_t I64GeU(uint64_t a, uint64_t c) { return b(a >= c); }
inline uint64_t I32Add(uint64_t a, uint64_t c) { return u(lo(a) + lo(c)); }
inline uint64_t I32Sub(uint64_t a, uint64_t c) { return u(lo(a) - lo(c)); }
inline uint64_t I32Mul(uint64_t a, uint64_t c) { return u(lo(a) * lo(c)); }
inline uint64_t I32And(uint64_t a, uint64_t c) { return lo(a) & lo(c); }
inline uint64_t I32Or(uint64_t a, uint64_t c) { return lo(a) | lo(c); }
inline uint64_t I32Xor(uint64_t a, uint64_t c) { return lo(a) ^ lo(c); }
inline uint64_t I32Shl(uint64_t a, uint64_t c) { return u(lo(a) << (c & 31)); }
inline uint64_t I32ShrS(uint64_t a, uint64_t c) {
  return u(static_cast<uint32_t>(slo(a) >> (c & 31)));
}
inline uint64_t I32ShrU(uint64_t a, uint64_t c) { return u(lo(a) >> (c & 31)); }
inline uint64_t I32Rotl(uint64_t a, uint64_t c) {
  uint32_t n = c & 31;
  return u(n == 0 ? lo(a) : (lo(a) << n) | (lo(a) >> (32 - n)));
}
inline uint64_t I32Rotr(uint64_t a, uint64_t c) {
  uint32_t n = c & 31;
  return u(n == 0 ? lo(a) : (lo(a) >> n) | (lo(a) << (32 - n)));
}
inline uint64_t I64Add(uint64_t a, uint64_t c) { return a + c; }
inline uint64_t I64Sub(uint64_t a, uint64_t c) { return a - c; }
inline uint64_t I64Mul(uint64_t a, uint64_t c) { return a * c; }
inline uint64_t I64And(uint64_t a, uint64_t c) { return a & c; }
inline uint64_t I64Or(uint64_t a, uint64_t c) { return a | c; }
inline uint64_t I64Xor(uint64_t a, uint64_t c) { return a ^ c; }
inline uint64_t I64Shl(uint64_t a, uint64_t c) { return a << (c & 63); }
inline uint64_t I64ShrS(uint64_t a, uint64_t c) { return static_cast<uint64_t>(s(a) >> (c & 63)); }
inline uint64_t I64ShrU(uint64_t a, uint64_t c) { return a >> (c & 63); }
inline uint64_t I64Rotl(uint64_t a, uint64_t c) {
  uint32_t n = c & 63;
  return n == 0 ? a : (a << n) | (a >> (64 - n));
}
inline uint64_t I64Rotr(uint64_t a, uint64_t c) {
  uint32_t n = c & 63;
  return n == 0 ? a : (a >> n) | (a << (64 - n));
}
inline uint64_t F32Copysign(uint64_t a, uint64_t c) {
  return (lo(a) & 0x7FFFFFFFu) | (lo(c) & 0x80000000u);
}
inline uint64_t F64Copysign(uint64_t a, uint64_t c) {
  return (a & 0x7FFFFFFFFFFFFFFFull) | (c & 0x8000000000000000ull);
}

// Division: they return the trap, or Trap::None with the result in *out.
inline Trap I32DivS(uint64_t a, uint64_t c, uint64_t* out) {
  if (lo(c) == 0) return Trap::DivideByZero;
  if (slo(a) == INT32_MIN && slo(c) == -1) return Trap::IntegerOverflow;
  *out = u(static_cast<uint32_t>(slo(a) / slo(c)));
  return Trap::None;
}
inline Trap I32DivU(uint64_t a, uint64_t c, uint64_t* out) {
  if (lo(c) == 0) return Trap::DivideByZero;
  *out = u(lo(a) / lo(c));
  return Trap::None;
}
inline Trap I32RemS(uint64_t a, uint64_t c, uint64_t* out) {
  if (lo(c) == 0) return Trap::DivideByZero;
  *out = slo(c) == -1 ? 0 : u(static_cast<uint32_t>(slo(a) % slo(c)));
  return Trap::None;
}
inline Trap I32RemU(uint64_t a, uint64_t c, uint64_t* out) {
  if (lo(c) == 0) return Trap::DivideByZero;
  *out = u(lo(a) % lo(c));
  return Trap::None;
}
inline Trap I64DivS(uint64_t a, uint64_t c, uint64_t* out) {
  if (c == 0) return Trap::DivideByZero;
  if (s(a) == INT64_MIN && s(c) == -1) return Trap::IntegerOverflow;
  *out = static_cast<uint64_t>(s(a) / s(c));
  return Trap::None;
}
inline Trap I64DivU(uint64_t a, uint64_t c, uint64_t* out) {
  if (c == 0) return Trap::DivideByZero;
  *out = a / c;
  return Trap::None;
}
inline Trap I64RemS(uint64_t a, uint64_t c, uint64_t* out) {
  if (c == 0) return Trap::DivideByZero;
  *out = s(c) == -1 ? 0 : static_cast<uint64_t>(s(a) % s(c));
  return Trap::None;
}
inline Trap I64RemU(uint64_t a, uint64_t c, uint64_t* out) {
  if (c == 0) return Trap::DivideByZero;
  *out = a % c;
  return Trap::None;
}

#if WASM_HAS_FLOAT
inline float f32(uint64_t v) { return __builtin_bit_cast(float, lo(v)); }
inline double f64(uint64_t v) { return __builtin_bit_cast(double, v); }
inline uint64_t bits(float v) { return __builtin_bit_cast(uint32_t, v); }
inline uint64_t bits(double v) { return __builtin_bit_cast(uint64_t, v); }

inline uint64_t F32Ceil(uint64_t a) { return bits(__builtin_ceilf(f32(a))); }
inline uint64_t F32Floor(uint64_t a) { return bits(__builtin_floorf(f32(a))); }
inline uint64_t F32Trunc(uint64_t a) { return bits(__builtin_truncf(f32(a))); }
inline uint64_t F32Nearest(uint64_t a) { return bits(__builtin_nearbyintf(f32(a))); }
inline uint64_t F32Sqrt(uint64_t a) { return bits(__builtin_sqrtf(f32(a))); }
inline uint64_t F64Ceil(uint64_t a) { return bits(__builtin_ceil(f64(a))); }
inline uint64_t F64Floor(uint64_t a) { return bits(__builtin_floor(f64(a))); }
inline uint64_t F64Trunc(uint64_t a) { return bits(__builtin_trunc(f64(a))); }
inline uint64_t F64Nearest(uint64_t a) { return bits(__builtin_nearbyint(f64(a))); }
inline uint64_t F64Sqrt(uint64_t a) { return bits(__builtin_sqrt(f64(a))); }
inline uint64_t F32ConvertI32S(uint64_t a) { return bits(static_cast<float>(slo(a))); }
inline uint64_t F32ConvertI32U(uint64_t a) { return bits(static_cast<float>(lo(a))); }
inline uint64_t F32ConvertI64S(uint64_t a) { return bits(static_cast<float>(s(a))); }
inline uint64_t F32ConvertI64U(uint64_t a) { return bits(static_cast<float>(a)); }
inline uint64_t F32DemoteF64(uint64_t a) { return bits(static_cast<float>(f64(a))); }
inline uint64_t F64ConvertI32S(uint64_t a) { return bits(static_cast<double>(slo(a))); }
inline uint64_t F64ConvertI32U(uint64_t a) { return bits(static_cast<double>(lo(a))); }
inline uint64_t F64ConvertI64S(uint64_t a) { return bits(static_cast<double>(s(a))); }
inline uint64_t F64ConvertI64U(uint64_t a) { return bits(static_cast<double>(a)); }
inline uint64_t F64PromoteF32(uint64_t a) { return bits(static_cast<double>(f32(a))); }

inline uint64_t F32Eq(uint64_t a, uint64_t c) { return b(f32(a) == f32(c)); }
inline uint64_t F32Ne(uint64_t a, uint64_t c) { return b(f32(a) != f32(c)); }
inline uint64_t F32Lt(uint64_t a, uint64_t c) { return b(f32(a) < f32(c)); }
inline uint64_t F32Gt(uint64_t a, uint64_t c) { return b(f32(a) > f32(c)); }
inline uint64_t F32Le(uint64_t a, uint64_t c) { return b(f32(a) <= f32(c)); }
inline uint64_t F32Ge(uint64_t a, uint64_t c) { return b(f32(a) >= f32(c)); }
inline uint64_t F64Eq(uint64_t a, uint64_t c) { return b(f64(a) == f64(c)); }
inline uint64_t F64Ne(uint64_t a, uint64_t c) { return b(f64(a) != f64(c)); }
inline uint64_t F64Lt(uint64_t a, uint64_t c) { return b(f64(a) < f64(c)); }
inline uint64_t F64Gt(uint64_t a, uint64_t c) { return b(f64(a) > f64(c)); }
inline uint64_t F64Le(uint64_t a, uint64_t c) { return b(f64(a) <= f64(c)); }
inline uint64_t F64Ge(uint64_t a, uint64_t c) { return b(f64(a) >= f64(c)); }
inline uint64_t F32Add(uint64_t a, uint64_t c) { return bits(f32(a) + f32(c)); }
inline uint64_t F32Sub(uint64_t a, uint64_t c) { return bits(f32(a) - f32(c)); }
inline uint64_t F32Mul(uint64_t a, uint64_t c) { return bits(f32(a) * f32(c)); }
inline uint64_t F32Div(uint64_t a, uint64_t c) { return bits(f32(a) / f32(c)); }
inline uint64_t F64Add(uint64_t a, uint64_t c) { return bits(f64(a) + f64(c)); }
inline uint64_t F64Sub(uint64_t a, uint64_t c) { return bits(f64(a) - f64(c)); }
inline uint64_t F64Mul(uint64_t a, uint64_t c) { return bits(f64(a) * f64(c)); }
inline uint64_t F64Div(uint64_t a, uint64_t c) { return bits(f64(a) / f64(c)); }

// min and max: a NaN operand gives a NaN (the sum quiets it); -0 is below +0.
template <typename F>
inline F fmin(F x, F y) {
  if (x != x || y != y) return x + y;
  if (x == y) return __builtin_signbit(x) != 0 ? x : y;
  return x < y ? x : y;
}
template <typename F>
inline F fmax(F x, F y) {
  if (x != x || y != y) return x + y;
  if (x == y) return __builtin_signbit(x) != 0 ? y : x;
  return x > y ? x : y;
}
inline uint64_t F32Min(uint64_t a, uint64_t c) { return bits(fmin(f32(a), f32(c))); }
inline uint64_t F32Max(uint64_t a, uint64_t c) { return bits(fmax(f32(a), f32(c))); }
inline uint64_t F64Min(uint64_t a, uint64_t c) { return bits(fmin(f64(a), f64(c))); }
inline uint64_t F64Max(uint64_t a, uint64_t c) { return bits(fmax(f64(a), f64(c))); }

// Float to integer. The bounds are exact powers of two, representable in both float types:
// a value converts when lower < x < upper (after truncation toward zero).
template <typename I, typename F>
inline Trap trunc(F x, F lower, F upper, uint64_t* out) {
  if (x != x) return Trap::InvalidConversion;
  if (!(x > lower && x < upper)) return Trap::IntegerOverflow;
  *out = static_cast<uint64_t>(static_cast<I>(x));
  return Trap::None;
}
template <typename I, typename F>
inline uint64_t trunc_sat(F x, F lower, F upper, I min, I max) {
  if (x != x) return 0;
  if (!(x > lower)) return static_cast<uint64_t>(min);
  if (!(x < upper)) return static_cast<uint64_t>(max);
  return static_cast<uint64_t>(static_cast<I>(x));
}
constexpr double k2p31 = 2147483648.0;
constexpr double k2p32 = 4294967296.0;
constexpr double k2p63 = 9223372036854775808.0;
constexpr double k2p64 = 18446744073709551616.0;

inline Trap I32TruncF32S(uint64_t a, uint64_t* out) {
  Trap t =
      trunc<int32_t>(f32(a), static_cast<float>(-k2p31) - 1.0f, static_cast<float>(k2p31), out);
  if (f32(a) == static_cast<float>(-k2p31)) {
    *out = 0x80000000u;
    return Trap::None;
  }
  *out &= 0xFFFFFFFFu;
  return t;
}
inline Trap I32TruncF32U(uint64_t a, uint64_t* out) {
  return trunc<uint32_t>(f32(a), -1.0f, static_cast<float>(k2p32), out);
}
inline Trap I32TruncF64S(uint64_t a, uint64_t* out) {
  Trap t = trunc<int32_t>(f64(a), -k2p31 - 1.0, k2p31, out);
  *out &= 0xFFFFFFFFu;
  return t;
}
inline Trap I32TruncF64U(uint64_t a, uint64_t* out) {
  return trunc<uint32_t>(f64(a), -1.0, k2p32, out);
}
inline Trap I64TruncF32S(uint64_t a, uint64_t* out) {
  if (f32(a) == static_cast<float>(-k2p63)) {
    *out = 0x8000000000000000ull;
    return Trap::None;
  }
  return trunc<int64_t>(f32(a), static_cast<float>(-k2p63), static_cast<float>(k2p63), out);
}
inline Trap I64TruncF32U(uint64_t a, uint64_t* out) {
  return trunc<uint64_t>(f32(a), -1.0f, static_cast<float>(k2p64), out);
}
inline Trap I64TruncF64S(uint64_t a, uint64_t* out) {
  if (f64(a) == -k2p63) {
    *out = 0x8000000000000000ull;
    return Trap::None;
  }
  return trunc<int64_t>(f64(a), -k2p63, k2p63, out);
}
inline Trap I64TruncF64U(uint64_t a, uint64_t* out) {
  return trunc<uint64_t>(f64(a), -1.0, k2p64, out);
}
inline uint64_t I32TruncSatF32S(uint64_t a) {
  if (f32(a) == static_cast<float>(-k2p31)) return 0x80000000u;
  return lo(trunc_sat<int32_t>(f32(a), static_cast<float>(-k2p31), static_cast<float>(k2p31),
                               INT32_MIN, INT32_MAX));
}
inline uint64_t I32TruncSatF32U(uint64_t a) {
  return lo(trunc_sat<uint32_t>(f32(a), -1.0f, static_cast<float>(k2p32), 0u, UINT32_MAX));
}
inline uint64_t I32TruncSatF64S(uint64_t a) {
  return lo(trunc_sat<int32_t>(f64(a), -k2p31 - 1.0, k2p31, INT32_MIN, INT32_MAX));
}
inline uint64_t I32TruncSatF64U(uint64_t a) {
  return lo(trunc_sat<uint32_t>(f64(a), -1.0, k2p32, 0u, UINT32_MAX));
}
inline uint64_t I64TruncSatF32S(uint64_t a) {
  if (f32(a) == static_cast<float>(-k2p63)) return 0x8000000000000000ull;
  return trunc_sat<int64_t>(f32(a), static_cast<float>(-k2p63), static_cast<float>(k2p63),
                            INT64_MIN, INT64_MAX);
}
inline uint64_t I64TruncSatF32U(uint64_t a) {
  return trunc_sat<uint64_t>(f32(a), -1.0f, static_cast<float>(k2p64), 0ull, UINT64_MAX);
}
inline uint64_t I64TruncSatF64S(uint64_t a) {
  if (f64(a) == -k2p63) return 0x8000000000000000ull;
  return trunc_sat<int64_t>(f64(a), -k2p63, k2p63, INT64_MIN, INT64_MAX);
}
inline uint64_t I64TruncSatF64U(uint64_t a) {
  return trunc_sat<uint64_t>(f64(a), -1.0, k2p64, 0ull, UINT64_MAX);
}
#endif  // WASM_HAS_FLOAT

// NOLINTEND(readability-identifier-naming)

}  // namespace wasm::numeric
