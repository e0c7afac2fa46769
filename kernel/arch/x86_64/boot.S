// Entry from the boot loader: 32-bit protected mode, paging off. Two ways in:
//  - PVH (QEMU -kernel): the Xen PHYS32_ENTRY note below; %ebx = hvm_start_info.
//  - Multiboot2 (GRUB): the ELF entry point; %eax = magic, %ebx = boot information.
// The boot sections run where they are loaded, so their symbols are physical addresses;
// everything else is linked at KERNEL_VMA + physical.
// Both load the boot page tables (identity map of the first GiB plus the same GiB
// at the higher-half kernel base), enter long mode and call kernel_entry(protocol, info).

#include "boot_defs.h"

.section .boot.header, "a"
.align 8
mb2_header:
  .long 0xe85250d6                  // multiboot2 magic
  .long 0                           // architecture: i386 protected mode
  .long mb2_header_end - mb2_header
  .long -(0xe85250d6 + (mb2_header_end - mb2_header))
  .short 0, 0                       // end tag
  .long 8
mb2_header_end:

.section .note.Xen, "a"
.align 4
  .long 4                           // name size
  .long 8                           // descriptor size
  .long 18                          // XEN_ELFNOTE_PHYS32_ENTRY
  .asciz "Xen"
  .align 4
  .quad pvh_entry

.section .boot.text, "ax"
.code32
.global pvh_entry
pvh_entry:
  cli
  mov $BOOT_PROTOCOL_PVH, %edi
  mov %ebx, %esi
  jmp enter_long_mode

.global mb2_entry
mb2_entry:
  cli
  cmp $0x36d76289, %eax
  jne .
  mov $BOOT_PROTOCOL_MULTIBOOT2, %edi
  mov %ebx, %esi

enter_long_mode:
  mov $(boot_stack_top - KERNEL_VMA), %esp
  mov $(boot_pml4), %eax
  mov %eax, %cr3
  mov %cr4, %eax
  or $(1 << 5), %eax                // PAE
  mov %eax, %cr4
  mov $0xc0000080, %ecx             // EFER: long mode enable, no-execute enable
  rdmsr
  or $((1 << 8) | (1 << 11)), %eax
  wrmsr
  mov %cr0, %eax
  or $((1 << 31) | (1 << 16) | 1), %eax   // paging, write protect, protected mode
  mov %eax, %cr0
  lgdt (boot_gdt_pointer)
  ljmp $8, $(long_mode_low)

.code64
long_mode_low:
  mov $16, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  xor %eax, %eax
  mov %ax, %fs
  mov %ax, %gs
  movabs $long_mode_high, %rax
  jmp *%rax

.section .text
long_mode_high:
  movabs $boot_stack_top, %rsp
  xor %ebp, %ebp
  mov %edi, %edi                    // upper halves are undefined after the mode switch
  mov %esi, %esi
  call kernel_entry
1:
  cli
  hlt
  jmp 1b

.section .boot.data, "aw"
.align 4096
.global boot_pml4                   // the other CPUs enter long mode on these (smp.cc)
boot_pml4:
  .quad boot_pdpt_low + 3
  .fill 510, 8, 0
  .quad boot_pdpt_high + 3
boot_pdpt_low:                      // identity: the first 4 GiB, where boot loaders put things
  .quad boot_pd + 3
  .quad boot_pd + 4096 + 3
  .quad boot_pd + 8192 + 3
  .quad boot_pd + 12288 + 3
  .fill 508, 8, 0
boot_pdpt_high:
  .fill 510, 8, 0
  .quad boot_pd + 3
  .quad 0
boot_pd:                            // 2048 x 2 MiB: the first 4 GiB (the first GiB also high)
  .set page, 0
  .rept 2048
  .quad (page << 21) | 0x83
  .set page, page + 1
  .endr

.align 16
boot_gdt:
  .quad 0
  .quad 0x00af9a000000ffff          // 64-bit code
  .quad 0x00cf92000000ffff          // data
boot_gdt_pointer:
  .short boot_gdt_pointer - boot_gdt - 1
  .long boot_gdt

.section .bss
.align 4096
.global boot_stack_guard
boot_stack_guard:                   // left unmapped by paging_init
  .skip 4096
boot_stack:
  .skip 16384
boot_stack_top:
