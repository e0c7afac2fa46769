// Segments, the task state segment and the per-CPU block, once per CPU. Long mode ignores
// segment bases, but the GDT still selects privilege levels, the TSS supplies the stacks for
// double faults and NMIs (and the kernel stack for interrupts from user mode), and GS_BASE
// points at the CPU's own PerCpu block (per_cpu.h).

#include "cpu.h"
#include "per_cpu.h"
#include "platform.h"

extern "C" void syscall_entry();

namespace arch {
namespace x86 {

PerCpu per_cpu_blocks[kMaxCpus];

namespace {

// The boot CPU's stacks for double faults and NMIs; the others' come from KernelStack (smp.cc).
alignas(16) char boot_double_fault_stack[8192];
alignas(16) char boot_nmi_stack[8192];

struct [[gnu::packed]] DescriptorPointer {
  uint16_t limit;
  uint64_t base;
};

// Selectors: 0x08 kernel code, 0x10 kernel data, 0x18 user code (32-bit, unused),
// 0x20 user data, 0x28 user code, 0x30 TSS. This order is what SYSCALL/SYSRET expect.
constexpr uint64_t kGdtTemplate[kGdtEntries] = {
    0,
    0x00af9a000000ffff,  // kernel code, 64-bit
    0x00cf92000000ffff,  // kernel data
    0x00cffa000000ffff,  // user code, 32-bit
    0x00cff2000000ffff,  // user data
    0x00affa000000ffff,  // user code, 64-bit
    0,
    0,  // TSS (two slots)
};

void fill_gdt(PerCpu& cpu) {
  for (size_t i = 0; i < kGdtEntries; ++i) cpu.gdt[i] = kGdtTemplate[i];
  const auto base = reinterpret_cast<uint64_t>(&cpu.tss);
  const uint64_t limit = sizeof(Tss) - 1;
  cpu.gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x89} << 40) |
               (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  cpu.gdt[7] = base >> 32;
}

void load_gdt_and_tss(const PerCpu& cpu) {
  const DescriptorPointer gdtr{sizeof(cpu.gdt) - 1, reinterpret_cast<uint64_t>(cpu.gdt)};
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
}

}  // namespace

void cpu_init_this(PerCpu& cpu, uintptr_t double_fault_stack_top, uintptr_t nmi_stack_top) {
  cpu.self = &cpu;
  cpu.tss.ist[0] = double_fault_stack_top;
  cpu.tss.ist[1] = nmi_stack_top;
  cpu.tss.iomap_base = sizeof(Tss);
  fill_gdt(cpu);
  load_gdt_and_tss(cpu);

  // SYSCALL/SYSRET: kernel CS 0x08 (SS 0x10); user CS 0x28|3 and SS 0x20|3 come from 0x18.
  constexpr uint32_t kEfer = 0xc0000080, kStar = 0xc0000081, kLstar = 0xc0000082,
                     kFmask = 0xc0000084, kFsBase = 0xc0000100, kGsBase = 0xc0000101,
                     kKernelGsBase = 0xc0000102;
  wrmsr(kEfer, rdmsr(kEfer) | 1);  // SCE
  wrmsr(kStar, (uint64_t{0x18} << 48) | (uint64_t{0x08} << 32));
  wrmsr(kLstar, reinterpret_cast<uint64_t>(&syscall_entry));
  // Clear IF, DF, TF, NT and AC on entry. NT matters: iretq with NT set faults in ring 0.
  wrmsr(kFmask, 0x44700);
  wrmsr(kFsBase, 0);
  cpu.fs_base = 0;
  wrmsr(kGsBase, reinterpret_cast<uint64_t>(&cpu));
  wrmsr(kKernelGsBase, 0);
}

}  // namespace x86

void cpu_init() {
  x86::PerCpu& boot_cpu = x86::per_cpu_blocks[0];
  boot_cpu.index = 0;
  x86::cpu_init_this(
      boot_cpu,
      reinterpret_cast<uintptr_t>(x86::boot_double_fault_stack +
                                  sizeof(x86::boot_double_fault_stack)),
      reinterpret_cast<uintptr_t>(x86::boot_nmi_stack + sizeof(x86::boot_nmi_stack)));
  x86::idt_init();
  x86::user_access_init();
}

void set_kernel_stack(uintptr_t top) {
  x86::PerCpu& cpu = x86::this_cpu();
  cpu.tss.rsp[0] = top;
  cpu.kernel_rsp = top;
}

}  // namespace arch
