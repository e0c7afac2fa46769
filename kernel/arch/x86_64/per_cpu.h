#pragma once
// Per-CPU data: one block per CPU, reached through GS in the kernel. Every entry from user
// mode (syscall, interrupt, exception) runs swapgs first (isr.S), so kernel code always sees
// its own CPU's block in GS_BASE and the user's GS base waits in KERNEL_GS_BASE; user code
// can load its own GS selector but cannot write GS_BASE (CR4.FSGSBASE stays off).

#include <cstddef>
#include <cstdint>

#include "kernel/arch.h"

namespace arch::x86 {

struct [[gnu::packed]] Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};

constexpr size_t kGdtEntries = 8;

// The first fields are read by the assembly entry paths at fixed offsets (isr.S): keep them
// first and in this order.
struct alignas(64) PerCpu {
  uint64_t kernel_rsp;   // 0: the stack syscall_entry switches to
  uint64_t user_rsp;     // 8: syscall_entry's scratch slot for the user stack pointer
  PerCpu* self;          // 16: this block's address, for this_cpu()
  uint32_t index;        // 24: 0 for the boot CPU, then in MADT order
  uint32_t apic_id;      // 28
  void* current_thread;  // 32: the scheduler's (arch::cpu_current_thread)
  uint64_t fs_base;      // what FS_BASE holds on this CPU (user_mode.cc writes it on change)
  // The page-table root CR3 holds (switch_root), read by other CPUs deciding whom a TLB
  // shootdown concerns; and the shootdown mailbox (tlb.cc). Written with __atomic builtins.
  uint64_t loaded_root;
  uint64_t tlb_requests;  // how many flushes other CPUs asked of this one
  uint64_t tlb_done;      // the request count its last flush covered
  uint64_t leave_root;    // a root being freed: this CPU must not keep it loaded (0: none)
  alignas(16) uint64_t gdt[kGdtEntries];
  Tss tss;
};
static_assert(offsetof(PerCpu, kernel_rsp) == 0 && offsetof(PerCpu, user_rsp) == 8 &&
              offsetof(PerCpu, self) == 16 && offsetof(PerCpu, index) == 24 &&
              offsetof(PerCpu, current_thread) == 32);

// The blocks of every CPU the kernel can run, by index.
extern PerCpu per_cpu_blocks[kMaxCpus];

inline PerCpu& this_cpu() {
  PerCpu* self;
  asm volatile("mov %%gs:16, %0" : "=r"(self));
  return *self;
}

// Loads cpu's GDT and TSS (with the tops of its double-fault and NMI stacks), its GS base
// and the SYSCALL entry MSRs on the calling CPU.
void cpu_init_this(PerCpu& cpu, uintptr_t double_fault_stack_top, uintptr_t nmi_stack_top);

}  // namespace arch::x86
