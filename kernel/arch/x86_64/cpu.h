#pragma once
// x86_64 instructions the rest of arch/x86_64 needs, as inline functions.

#include <cstdint>

// SMAP is on (user_mode.cc): supervisor accesses to user pages fault unless RFLAGS.AC is set.
// C linkage: the trap entry (isr.S) reads it too.
extern "C" bool smap_enabled;

namespace arch::x86 {

inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
inline uint8_t inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
inline uint16_t inw(uint16_t port) {
  uint16_t v;
  asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
inline uint32_t inl(uint16_t port) {
  uint32_t v;
  asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
inline uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return (uint64_t{hi} << 32) | lo;
}
inline void wrmsr(uint32_t msr, uint64_t v) {
  asm volatile("wrmsr" ::"c"(msr), "a"(static_cast<uint32_t>(v)),
               "d"(static_cast<uint32_t>(v >> 32)));
}
inline uint64_t rdtsc() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t{hi} << 32) | lo;
}
inline uint64_t read_cr2() {
  uint64_t v;
  asm volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}
inline uint64_t read_cr3() {
  uint64_t v;
  asm volatile("mov %%cr3, %0" : "=r"(v));
  return v;
}
inline void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline uint64_t read_cr4() {
  uint64_t v;
  asm volatile("mov %%cr4, %0" : "=r"(v));
  return v;
}
inline void write_cr4(uint64_t v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
inline void invlpg(uintptr_t va) { asm volatile("invlpg (%0)" ::"r"(va) : "memory"); }
inline uint64_t read_rflags() {
  uint64_t v;
  asm volatile("pushfq; popq %0" : "=r"(v));
  return v;
}
struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(uint32_t leaf, uint32_t sub = 0) {
  CpuidResult r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
  return r;
}

constexpr uint64_t kRflagsIf = 1 << 9;
constexpr uint64_t kRflagsAc = 1 << 18;

// stac and clac are invalid opcodes on a CPU without SMAP, hence the test of smap_enabled.
inline void open_user_memory() {
  if (smap_enabled) asm volatile("stac" ::: "memory");
}
inline void close_user_memory() {
  if (smap_enabled) asm volatile("clac" ::: "memory");
}

}  // namespace arch::x86
