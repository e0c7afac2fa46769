// The plain logic of Stellina's WASI runner (programs/wasm), on the host: paths confined to
// a preopened directory, and the rounding functions it gives the engine in place of libm,
// checked against the host's libm (SSE4.1 or not, it is exact).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "programs/wasm/guest_path.h"
#include "programs/wasm/rounding.h"

namespace {

namespace wasi = wasm::wasi;

struct Resolved {
  wasi::Errno error;
  std::string path;
};

Resolved resolve(const char* base, const std::string& path) {
  char out[1024];
  uint16_t size = 0;
  const wasi::Errno e =
      wasi_host::resolve_path(base, lib::StringView(path.data(), path.size()), out, &size);
  return {e, e == wasi::kSuccess ? std::string(out, size) : std::string()};
}

TEST(WasiPath, JoinsAndNormalizes) {
  EXPECT_EQ(resolve("/home", "notes.txt").path, "/home/notes.txt");
  EXPECT_EQ(resolve("/home/", "a//b/./c").path, "/home/a/b/c");
  EXPECT_EQ(resolve("/home", "a/b/../c").path, "/home/a/c");
  EXPECT_EQ(resolve("/home", "a/..").path, "/home");
  EXPECT_EQ(resolve("/home", ".").path, "/home");
  EXPECT_EQ(resolve("/home", "").path, "/home");
  EXPECT_EQ(resolve("/", "etc/motd").path, "/etc/motd");
  EXPECT_EQ(resolve("/", "a/../b").path, "/b");
}

TEST(WasiPath, NeverLeavesTheDirectory) {
  EXPECT_EQ(resolve("/home", "..").error, wasi::kNotCapable);
  EXPECT_EQ(resolve("/home", "a/../..").error, wasi::kNotCapable);
  EXPECT_EQ(resolve("/home", "a/../../home/x").error, wasi::kNotCapable);
  EXPECT_EQ(resolve("/home", "/etc/passwd").error, wasi::kNotCapable);
  EXPECT_EQ(resolve("/", "..").error, wasi::kNotCapable);
}

// kFileMaxPath (1024) is the bound: a path of 1023 bytes fits, 1024 does not.
TEST(WasiPath, LengthAtAndPastTheLimit) {
  const std::string fits(1023 - 6, 'x');  // "/home/" + 1017 = 1023
  EXPECT_EQ(resolve("/home", fits).path.size(), 1023u);
  EXPECT_EQ(resolve("/home", fits + "y").error, wasi::kNameTooLong);
  // Many components, each taken away again: still inside, and the depth bound holds.
  std::string deep;
  for (int i = 0; i < 511; ++i) deep += "a/";
  for (int i = 0; i < 511; ++i) deep += "../";
  EXPECT_EQ(resolve("/", deep).path, "/");
}

// Equal bits (the sign of zero too), or both NaN.
bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}
bool same(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

template <typename F>
void check_rounding(F x) {
  EXPECT_TRUE(same(rounding::trunc(x), std::trunc(x))) << x;
  EXPECT_TRUE(same(rounding::floor(x), std::floor(x))) << x;
  EXPECT_TRUE(same(rounding::ceil(x), std::ceil(x))) << x;
  EXPECT_TRUE(same(rounding::nearest(x), std::nearbyint(x))) << x;
}

TEST(WasiRounding, SpecialValues) {
  const double doubles[] = {0.0,
                            -0.0,
                            0.5,
                            -0.5,
                            1.5,
                            -1.5,
                            2.5,
                            -2.5,
                            0.49999999999999994,
                            4503599627370495.5,
                            -4503599627370495.5,
                            4503599627370496.0,
                            9007199254740993.0,
                            1e300,
                            -1e-300,
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN()};
  for (double d : doubles) check_rounding(d);
  const float floats[] = {0.0F,
                          -0.0F,
                          0.5F,
                          -0.5F,
                          2.5F,
                          -3.5F,
                          8388607.5F,
                          -8388607.5F,
                          8388608.0F,
                          1e30F,
                          -1e-30F,
                          0.49999997F,
                          std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN()};
  for (float f : floats) check_rounding(f);
  // A signalling NaN comes back quiet.
  const double snan = std::numeric_limits<double>::signaling_NaN();
  uint64_t bits = 0;
  const double r = rounding::floor(snan);
  std::memcpy(&bits, &r, 8);
  EXPECT_TRUE(std::isnan(r));
  EXPECT_NE(bits & (uint64_t{1} << 51), 0u);
}

TEST(WasiRounding, RandomValuesMatchLibm) {
  std::mt19937_64 random(12345);
  for (int i = 0; i < 200'000; ++i) {
    const uint64_t bits = random();
    double d = 0;
    std::memcpy(&d, &bits, 8);
    check_rounding(d);
    // Values with a fraction are the interesting ones: near integers, at every scale.
    check_rounding(std::ldexp(static_cast<double>(bits >> 11), -static_cast<int>(bits % 64)));
    const auto low = static_cast<uint32_t>(bits);
    float f = 0;
    std::memcpy(&f, &low, 4);
    check_rounding(f);
    check_rounding(std::ldexp(static_cast<float>(low >> 8), -static_cast<int>(bits % 32)));
  }
}

}  // namespace
