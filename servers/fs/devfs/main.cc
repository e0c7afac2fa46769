// devfs: the devices of /dev as files (servers/fs/devfs/devfs.h). Its random devices are a
// ChaCha20 generator seeded at start with what the machine offers: RDRAND and RDSEED where
// the CPU has them, and the timing of the start (the cycle counter read between clock
// calls), which alone is guessable; what is written to random or urandom is mixed in.
#include "devfs_env.h"
#include "servers/fs/core/file_component.h"
#include "servers/fs/devfs/devfs.h"

namespace stellina {
namespace {

uint64_t cycles() {
  uint32_t lo = 0, hi = 0;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return uint64_t{hi} << 32 | lo;
}

bool cpu_has_rdrand() {
  uint32_t a = 1, b = 0, c = 0, d = 0;
  asm volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
  return c & (1u << 30);
}

// A hardware random word, if the CPU gives one (it may fail transiently: a few tries).
bool rdrand(uint64_t* out) {
  for (int i = 0; i < 10; ++i) {
    uint8_t ok = 0;
    asm volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
    if (ok) return true;
  }
  return false;
}

class DevFs final : public fs::FileComponent<components::devfs::Env> {
  Result<fs::FileSystem*> mount() override {
    uint64_t seed[16];
    size_t n = 0;
    seed[n++] = static_cast<uint64_t>(sys::clock_wall());
    for (int i = 0; i < 8; ++i) seed[n++] = cycles() ^ sys::clock_now();
    if (cpu_has_rdrand())
      while (n < 16 && rdrand(&seed[n])) ++n;
    rng_.mix(seed, n * sizeof(seed[0]));
    return fs::make_devfs(rng_);
  }

  fs::ChaCha20Rng rng_;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::DevFs)
