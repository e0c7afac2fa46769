// The application processors' first code. A CPU started by INIT-SIPI-SIPI runs in real
// mode at vector << 12; smp.cc copies this blob to kApTrampolinePhys (a page of the first
// MiB, which the physical allocator never hands out) and fills its parameter block before
// each start. The blob enters protected mode, then long mode on the boot page tables (which
// identity-map it and map the kernel image high), and jumps to ap_entry in the kernel's
// text; ap_entry switches to the kernel's own page tables and stack.
//
// Everything here is addressed relative to the blob's start plus AP_TRAMPOLINE_PHYS: the
// code runs at that physical address, not where it is linked.

#include "ap_trampoline.h"

#define AT(label) (AP_TRAMPOLINE_PHYS + (label - ap_trampoline_start))

.section .rodata
.global ap_trampoline_start
.global ap_trampoline_end
.align 16
.code16
ap_trampoline_start:
  cli
  cld
  mov %cs, %ax                  // CS = AP_TRAMPOLINE_PHYS >> 4, IP = 0
  mov %ax, %ds
  lgdtl (ap_gdt_pointer - ap_trampoline_start)
  mov %cr0, %eax
  or $1, %eax                   // protected mode
  mov %eax, %cr0
  ljmpl $0x08, $AT(ap_protected)

.code32
ap_protected:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov %cr4, %eax
  or $(1 << 5), %eax            // PAE
  mov %eax, %cr4
  mov AT(ap_boot_cr3), %eax
  mov %eax, %cr3
  mov $0xc0000080, %ecx         // EFER: long mode, no-execute (the kernel's tables use NX)
  rdmsr
  or $((1 << 8) | (1 << 11)), %eax
  wrmsr
  mov %cr0, %eax
  or $((1 << 31) | (1 << 16)), %eax   // paging, write protect
  mov %eax, %cr0
  ljmp $0x18, $AT(ap_long)

.code64
ap_long:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  xor %eax, %eax
  mov %ax, %fs
  mov %ax, %gs
  mov $AT(ap_parameters), %edi  // ap_entry reads the rest before leaving the boot tables
  mov AT(ap_entry_address), %rax
  jmp *%rax

.align 8
ap_gdt:
  .quad 0
  .quad 0x00cf9a000000ffff      // 0x08: 32-bit code
  .quad 0x00cf92000000ffff      // 0x10: data
  .quad 0x00af9a000000ffff      // 0x18: 64-bit code
ap_gdt_pointer:
  .short ap_gdt_pointer - ap_gdt - 1
  .long AT(ap_gdt)

// Filled by smp.cc (ApParameters in ap_trampoline.h): same layout.
.align 8
ap_parameters:
ap_boot_cr3:
  .quad 0
ap_entry_address:
  .quad 0
  .quad 0                       // kernel_cr3
  .quad 0                       // stack_top
  .quad 0                       // per_cpu
ap_trampoline_end:

// ap_entry(parameters): the first kernel code of an application processor, still on the
// boot page tables. Reads its parameters, loads the kernel's tables and stack, and calls
// ap_main(per_cpu); the parameter block stays readable only until the switch.
.section .text
.code64
.global ap_entry
ap_entry:
  mov 16(%rdi), %rax            // kernel_cr3
  mov 24(%rdi), %rsp            // stack_top
  mov 32(%rdi), %rbx            // per_cpu
  mov %rax, %cr3
  xor %ebp, %ebp
  mov %rbx, %rdi
  call ap_main
1:
  cli
  hlt
  jmp 1b
