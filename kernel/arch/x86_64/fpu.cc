// The x87, SSE and AVX registers of user threads.
//
// The kernel is built without them (-mno-sse), so only user code changes them, and they need
// saving only when the CPU passes from one user thread to another (kernel/fpu.h). XSAVE/XRSTOR
// move every component XCR0 turns on (x87, SSE, AVX where the CPU has them); without XSAVE,
// FXSAVE/FXRSTOR move x87 and SSE.

#include "cpu.h"
#include "kernel/arch.h"

namespace arch {
namespace {

constexpr uint64_t kCr0Mp = 1 << 1;  // WAIT obeys TS
constexpr uint64_t kCr0Em = 1 << 2;  // x87 emulation: off
constexpr uint64_t kCr0Ts = 1 << 3;  // task switched: FPU/SIMD instructions trap (kept clear)
constexpr uint64_t kCr0Ne = 1 << 5;  // x87 errors as #MF, not the legacy IRQ 13
constexpr uint64_t kCr4Osfxsr = 1 << 9;
constexpr uint64_t kCr4Osxmmexcpt = 1 << 10;
constexpr uint64_t kCr4Osxsave = 1 << 18;

constexpr uint32_t kCpuid1EdxFxsr = 1u << 24;
constexpr uint32_t kCpuid1EdxSse2 = 1u << 26;
constexpr uint32_t kCpuid1EcxXsave = 1u << 26;
constexpr uint32_t kCpuid1EcxAvx = 1u << 28;
constexpr uint32_t kCpuidXsaveLeaf = 0xd;

constexpr uint64_t kXcr0X87 = 1 << 0;
constexpr uint64_t kXcr0Sse = 1 << 1;
constexpr uint64_t kXcr0Avx = 1 << 2;

// The state a thread starts with, as FNINIT and the ABI leave it: x87 control word 0x37f
// (every exception masked, 64-bit precision, round to nearest), MXCSR 0x1f80 (every SIMD
// exception masked, round to nearest). An XSAVE header of zeros (bytes 512..575) marks every
// other component as in its initial state, which XRSTOR then loads.
constexpr uint16_t kInitialFcw = 0x37f;
constexpr uint32_t kInitialMxcsr = 0x1f80;
constexpr size_t kLegacyAreaBytes = 512;
constexpr size_t kXsaveHeaderBytes = 64;
static_assert(kLegacyAreaBytes + kXsaveHeaderBytes <= kFpuStateMaxBytes);

bool use_xsave = false;
// The MXCSR bits this CPU implements (FXSAVE's MXCSR_MASK; 0 there means the default).
uint32_t mxcsr_mask_cpu = 0xffbf;

uint64_t read_cr0() {
  uint64_t v;
  asm volatile("mov %%cr0, %0" : "=r"(v));
  return v;
}
void write_cr0(uint64_t v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
uint64_t read_cr4_bits() {
  uint64_t v;
  asm volatile("mov %%cr4, %0" : "=r"(v));
  return v;
}
void write_cr4_bits(uint64_t v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
void write_xcr0(uint64_t v) {
  asm volatile("xsetbv" ::"c"(0), "a"(static_cast<uint32_t>(v)),
               "d"(static_cast<uint32_t>(v >> 32)));
}

}  // namespace

void fpu_init() {
  const x86::CpuidResult leaf1 = x86::cpuid(1);
  // x86-64 guarantees FXSR and SSE2; a CPU without them could not run this kernel's users.
  if (!(leaf1.edx & kCpuid1EdxFxsr) || !(leaf1.edx & kCpuid1EdxSse2)) return;
  uint64_t cr4 = read_cr4_bits() | kCr4Osfxsr | kCr4Osxmmexcpt;
  if (leaf1.ecx & kCpuid1EcxXsave) cr4 |= kCr4Osxsave;
  write_cr4_bits(cr4);
  if (cr4 & kCr4Osxsave) {
    write_xcr0(kXcr0X87 | kXcr0Sse | ((leaf1.ecx & kCpuid1EcxAvx) ? kXcr0Avx : 0));
    // EBX: the bytes XSAVE writes for what XCR0 now enables.
    if (x86::cpuid(kCpuidXsaveLeaf, 0).ebx <= kFpuStateMaxBytes) {
      use_xsave = true;
    } else {
      write_xcr0(kXcr0X87 | kXcr0Sse);  // FXSAVE's 512 bytes then hold it all
    }
  }
  write_cr0((read_cr0() | kCr0Mp | kCr0Ne) & ~(kCr0Em | kCr0Ts));
  alignas(16) uint8_t legacy[kLegacyAreaBytes];
  asm volatile("fxsave64 (%0)" ::"r"(legacy) : "memory");
  uint32_t mask;
  __builtin_memcpy(&mask, legacy + 28, 4);
  if (mask) mxcsr_mask_cpu = mask;
}

void fpu_initial_state(void* area) {
  auto* bytes = static_cast<uint8_t*>(area);
  for (size_t i = 0; i < kFpuStateMaxBytes; ++i) bytes[i] = 0;
  bytes[0] = static_cast<uint8_t>(kInitialFcw);
  bytes[1] = static_cast<uint8_t>(kInitialFcw >> 8);
  for (size_t i = 0; i < 4; ++i) bytes[24 + i] = static_cast<uint8_t>(kInitialMxcsr >> (8 * i));
}

void fpu_save(void* area) {
  if (use_xsave) {
    asm volatile("xsave64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
  } else {
    asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
  }
}

void fpu_load(const void* area) {
  if (use_xsave) {
    asm volatile("xrstor64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
  } else {
    asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
  }
}

size_t fpu_state_bytes() {
  return use_xsave ? x86::cpuid(kCpuidXsaveLeaf, 0).ebx : kLegacyAreaBytes;
}

uint64_t fpu_xfeatures() {
  if (!use_xsave) return 0;
  uint32_t low, high;
  asm volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (uint64_t{high} << 32) | low;
}

bool fpu_state_make_loadable(void* area) {
  auto* bytes = static_cast<uint8_t*>(area);
  uint32_t mxcsr;
  __builtin_memcpy(&mxcsr, bytes + 24, 4);
  if (mxcsr & ~mxcsr_mask_cpu) return false;
  if (!use_xsave) return true;
  // The XSAVE header: XSTATE_BV only what XCR0 enables, XCOMP_BV 0 (the standard form), the
  // rest reserved and zero; XRSTOR faults on anything else.
  uint64_t xstate_bv;
  __builtin_memcpy(&xstate_bv, bytes + kLegacyAreaBytes, 8);
  xstate_bv &= fpu_xfeatures();
  __builtin_memset(bytes + kLegacyAreaBytes, 0, kXsaveHeaderBytes);
  __builtin_memcpy(bytes + kLegacyAreaBytes, &xstate_bv, 8);
  return true;
}

}  // namespace arch
