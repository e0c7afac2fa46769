#pragma once
// Shared by ap_trampoline.S and smp.cc: where the application processors' real-mode entry
// is copied, and the parameter block at its end.

// A page of the first MiB (which the physical allocator keeps for itself): the startup IPI
// names it by its page number, so it must sit below 1 MiB on a 4 KiB boundary.
#define AP_TRAMPOLINE_PHYS 0x8000

#ifndef __ASSEMBLER__
#include <cstdint>

namespace arch::x86 {

struct ApParameters {
  uint64_t boot_cr3;       // the boot page tables: identity map of the first 4 GiB
  uint64_t entry_address;  // ap_entry
  uint64_t kernel_cr3;
  uint64_t stack_top;
  uint64_t per_cpu;  // the PerCpu block ap_main receives
};

}  // namespace arch::x86
#endif
