// Segments and the task state segment. Long mode ignores segment bases, but the GDT still
// selects privilege levels, and the TSS supplies the stacks for double faults and NMIs.

#include "cpu.h"
#include "platform.h"

extern "C" void syscall_entry();

namespace arch {
namespace {

struct [[gnu::packed]] Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};

struct [[gnu::packed]] DescriptorPointer {
  uint16_t limit;
  uint64_t base;
};

// Selectors: 0x08 kernel code, 0x10 kernel data, 0x18 user code (32-bit, unused),
// 0x20 user data, 0x28 user code, 0x30 TSS. This order is what SYSCALL/SYSRET expect.
alignas(16) uint64_t gdt[8] = {
    0,
    0x00af9a000000ffff,  // kernel code, 64-bit
    0x00cf92000000ffff,  // kernel data
    0x00cffa000000ffff,  // user code, 32-bit
    0x00cff2000000ffff,  // user data
    0x00affa000000ffff,  // user code, 64-bit
    0,
    0,  // TSS (two slots)
};
Tss tss;

// What the syscall entry reaches through GS: the kernel stack to switch to, and a scratch
// slot for the user stack pointer. Offsets are fixed by syscall.S (isr.S).
struct PerCpu {
  uint64_t kernel_rsp;  // offset 0
  uint64_t user_rsp;    // offset 8
};
PerCpu per_cpu;
alignas(16) char double_fault_stack[8192];
alignas(16) char nmi_stack[8192];

}  // namespace

void cpu_init() {
  tss.ist[0] = reinterpret_cast<uint64_t>(double_fault_stack + sizeof(double_fault_stack));
  tss.ist[1] = reinterpret_cast<uint64_t>(nmi_stack + sizeof(nmi_stack));
  tss.iomap_base = sizeof(Tss);
  const auto base = reinterpret_cast<uint64_t>(&tss);
  const uint64_t limit = sizeof(Tss) - 1;
  gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x89} << 40) |
           (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt[7] = base >> 32;

  const DescriptorPointer gdtr{sizeof(gdt) - 1, reinterpret_cast<uint64_t>(gdt)};
  asm volatile(
      "lgdt %0\n"
      "pushq $0x08\n"
      "leaq 1f(%%rip), %%rax\n"
      "pushq %%rax\n"
      "lretq\n"
      "1:\n"
      "movw $0x10, %%ax\n"
      "movw %%ax, %%ds\n"
      "movw %%ax, %%es\n"
      "movw %%ax, %%ss\n"
      "movw $0x30, %%ax\n"
      "ltr %%ax\n"
      :
      : "m"(gdtr)
      : "rax", "memory");
  x86::idt_init();
  x86::user_access_init();

  // SYSCALL/SYSRET: kernel CS 0x08 (SS 0x10); user CS 0x28|3 and SS 0x20|3 come from 0x18.
  constexpr uint32_t kEfer = 0xc0000080, kStar = 0xc0000081, kLstar = 0xc0000082,
                     kFmask = 0xc0000084, kGsBase = 0xc0000101, kKernelGsBase = 0xc0000102;
  x86::wrmsr(kEfer, x86::rdmsr(kEfer) | 1);  // SCE
  x86::wrmsr(kStar, (uint64_t{0x18} << 48) | (uint64_t{0x08} << 32));
  x86::wrmsr(kLstar, reinterpret_cast<uint64_t>(&syscall_entry));
  // Clear IF, DF, TF, NT and AC on entry. NT matters: iretq with NT set faults in ring 0.
  x86::wrmsr(kFmask, 0x44700);
  x86::wrmsr(kGsBase, reinterpret_cast<uint64_t>(&per_cpu));
  x86::wrmsr(kKernelGsBase, 0);
}

void set_kernel_stack(uintptr_t top) {
  tss.rsp[0] = top;
  per_cpu.kernel_rsp = top;
}

}  // namespace arch
