// The FPU and SIMD registers belong to each thread. Handles: log. Three threads (main and two
// workers) each start from the initial state (x87 control word 0x37f, MXCSR 0x1f80), fill
// xmm0-15 (and ymm0-15's upper halves where the kernel turned AVX on) with a pattern of their
// own, pick a rounding mode of their own and push a value on the x87 stack; then, for many
// rounds, they sleep or spin until preempted and check that every register still holds what
// they put there and that a division rounds as their own mode says. The program is built
// without SSE, so only the asm here touches those registers. Exit code: 0, or the step that
// failed (+100 for a worker's).
#include "user_test.h"

using namespace test;

namespace {

constexpr int kRounds = 200;
constexpr uint16_t kInitialFcw = 0x37f;
constexpr uint32_t kInitialMxcsr = 0x1f80;
constexpr uint32_t kMxcsrRoundMask = 3u << 13;
constexpr uint32_t kMxcsrRoundDown = 1u << 13;
constexpr uint32_t kMxcsrRoundUp = 2u << 13;
// 1/3 as a double, rounded down (or to nearest) and rounded up.
constexpr uint64_t kThirdDown = 0x3fd5555555555555;
constexpr uint64_t kThirdUp = 0x3fd5555555555556;

struct alignas(32) Vectors {
  uint8_t bytes[16][32];  // ymm0-15 (xmm0-15 are the low 16 bytes of each)
};

bool has_avx() {
  uint32_t eax, ebx, ecx, edx;
  asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
  const bool osxsave = ecx & (1u << 27), avx = ecx & (1u << 28);
  if (!osxsave || !avx) return false;
  uint32_t xcr0_low, xcr0_high;
  asm volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  return (xcr0_low & 6) == 6;  // the kernel saves SSE and AVX state
}

#define FOR_EACH_REGISTER(X) \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

#define XMM_CLOBBERS                                                                       \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
      "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

void load_vectors(const Vectors& v, bool avx) {
#define LOAD_XMM(n) "movdqu " #n "*32(%0), %%xmm" #n "\n"
#define LOAD_YMM(n) "vmovdqu " #n "*32(%0), %%ymm" #n "\n"
  if (avx) {
    asm volatile(FOR_EACH_REGISTER(LOAD_YMM)::"r"(v.bytes) : XMM_CLOBBERS, "memory");
  } else {
    asm volatile(FOR_EACH_REGISTER(LOAD_XMM)::"r"(v.bytes) : XMM_CLOBBERS, "memory");
  }
}

void store_vectors(Vectors& v, bool avx) {
#define STORE_XMM(n) "movdqu %%xmm" #n ", " #n "*32(%0)\n"
#define STORE_YMM(n) "vmovdqu %%ymm" #n ", " #n "*32(%0)\n"
  if (avx) {
    asm volatile(FOR_EACH_REGISTER(STORE_YMM)::"r"(v.bytes) : "memory");
  } else {
    asm volatile(FOR_EACH_REGISTER(STORE_XMM)::"r"(v.bytes) : "memory");
  }
}

uint32_t read_mxcsr() {
  uint32_t v;
  asm volatile("stmxcsr %0" : "=m"(v));
  return v;
}
void write_mxcsr(uint32_t v) { asm volatile("ldmxcsr %0" ::"m"(v)); }
uint16_t read_fcw() {
  uint16_t v;
  asm volatile("fnstcw %0" : "=m"(v));
  return v;
}

// 1/3 computed by divsd, under the current MXCSR rounding mode. xmm14 and xmm15 are the
// scratch registers: the pattern check reloads them afterwards.
uint64_t sse_third() {
  const uint64_t one = 0x3ff0000000000000, three = 0x4008000000000000;
  uint64_t out;
  asm volatile(
      "movq %1, %%xmm14\n"
      "movq %2, %%xmm15\n"
      "divsd %%xmm15, %%xmm14\n"
      "movq %%xmm14, %0\n"
      : "=r"(out)
      : "r"(one), "r"(three)
      : "xmm14", "xmm15");
  return out;
}

// Pushes an integer on the x87 stack, and pops it back.
void x87_push(int64_t v) { asm volatile("fildq %0" ::"m"(v)); }
int64_t x87_pop() {
  int64_t v;
  asm volatile("fistpq %0" : "=m"(v));
  return v;
}

void spin(uint64_t iterations) {
  for (volatile uint64_t i = 0; i < iterations; i = i + 1) {
  }
}

void sleep_us(uint64_t us) {
  static abi::Handle never = 0;
  if (!never) {
    abi::Handle pair[2];
    if (sys::channel_create(pair) != abi::kOk) return;
    never = pair[0];
  }
  sys::object_wait(never, abi::kSignalReadable, sys::clock_now() + us * 1000);
}

// One thread's run; returns 0 or the step that failed.
int64_t run(uint64_t seed) {
  const bool avx = has_avx();
  if (read_fcw() != kInitialFcw) return 1;
  if (read_mxcsr() != kInitialMxcsr) return 2;

  Vectors mine{}, seen{};
  for (uint64_t r = 0; r < 16; ++r) {
    for (uint64_t b = 0; b < 32; ++b)
      mine.bytes[r][b] = static_cast<uint8_t>(seed * 37 + r * 7 + b);
  }
  const uint32_t mode = seed % 2 ? kMxcsrRoundUp : kMxcsrRoundDown;
  const uint64_t third = seed % 2 ? kThirdUp : kThirdDown;
  write_mxcsr((kInitialMxcsr & ~kMxcsrRoundMask) | mode);
  const int64_t x87_value = static_cast<int64_t>(seed) * 1'000'003;
  x87_push(x87_value);

  for (int round = 0; round < kRounds; ++round) {
    if (sse_third() != third) return 3;
    load_vectors(mine, avx);
    if (round % 2) {
      sleep_us(100);
    } else {
      spin(20'000);
    }
    store_vectors(seen, avx);
    const size_t checked = avx ? 32 : 16;  // bytes of each register
    for (size_t r = 0; r < 16; ++r) {
      for (size_t b = 0; b < checked; ++b) {
        if (seen.bytes[r][b] != mine.bytes[r][b]) return 4;
      }
    }
    if ((read_mxcsr() & kMxcsrRoundMask) != mode) return 5;
  }
  if (x87_pop() != x87_value) return 6;
  return 0;
}

alignas(16) uint8_t stacks[2][16384];
int64_t worker_result[2] = {-1, -1};

void worker(uint64_t index) {
  worker_result[index] = run(index + 1);
  sys::thread_exit(0);
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 1) return 10;
  abi::Handle threads[2];
  for (uint64_t i = 0; i < 2; ++i) {
    const int64_t h = sys::thread_create(worker, stacks[i] + sizeof(stacks[i]), i);
    if (h <= 0) return 11;
    threads[i] = static_cast<abi::Handle>(h);
  }
  const int64_t mine = run(sys::clock_now() % 1000 * 2 + 4);
  for (abi::Handle t : threads) sys::object_wait(t, abi::kSignalTerminated);
  if (mine) return mine;
  for (int64_t r : worker_result)
    if (r) return 100 + r;
  log(startup.handles[0], has_avx() ? "fpu: x87, SSE and AVX state kept per thread"
                                    : "fpu: x87 and SSE state kept per thread");
  return 0;
}
