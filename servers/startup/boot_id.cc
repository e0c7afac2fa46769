#include "servers/startup/boot_id.h"

#include <stellina/sys.h>

namespace startup {

namespace {

// SplitMix64's finaliser: every input bit moves about half of the output bits.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

}  // namespace

void make_boot_id(char (&out)[kBootIdSize]) {
  namespace sys = stellina::sys;
  uint64_t state[2] = {mix(sys::clock_wall()), mix(sys::clock_now() ^ 0x5354454c4c494e41)};
  constexpr int kReadings = 64;
  for (int i = 0; i < kReadings; ++i) {
    const uint64_t reading = sys::clock_now();
    state[i & 1] = mix(state[i & 1] ^ reading ^ state[(i + 1) & 1]);
  }
  constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 32; ++i) {
    const uint64_t word = state[i / 16];
    out[i] = kHex[(word >> ((i % 16) * 4)) & 0xf];
  }
  out[32] = '\0';
}

}  // namespace startup
