#pragma once
// The interrupt-flag and per-CPU primitives of kernel/arch.h, inline (included by it): every
// spinlock acquire and release, and every switch, runs them, and under TCG each call to and
// return from an out-of-line function costs a translated-block lookup after an address-space
// switch (docs/ipc.md).

#include <cstdint>

namespace arch {

inline IrqState irq_save() {
  uint64_t flags;
  asm volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
  return flags & (uint64_t{1} << 9);  // RFLAGS.IF
}

inline void irq_restore(IrqState state) {
  if (state) asm volatile("sti" ::: "memory");
}

inline void irq_enable() { asm volatile("sti" ::: "memory"); }

namespace x86 {
extern unsigned cpus_running;  // smp.cc; written with __atomic builtins
}

inline unsigned cpu_count() { return __atomic_load_n(&x86::cpus_running, __ATOMIC_ACQUIRE); }

// PerCpu::index (per_cpu.h).
inline unsigned cpu_index() {
  unsigned index;
  asm volatile("movl %%gs:24, %0" : "=r"(index));
  return index;
}

// PerCpu::current_thread (per_cpu.h), one GS-relative access: a thread that moves to another
// CPU between two reads still reads itself.
inline void* cpu_current_thread() {
  void* t;
  asm volatile("mov %%gs:32, %0" : "=r"(t));
  return t;
}
inline void set_cpu_current_thread(void* t) { asm volatile("mov %0, %%gs:32" ::"r"(t) : "memory"); }

}  // namespace arch
