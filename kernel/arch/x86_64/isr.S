// Interrupt and exception entry: one stub per vector pushes a uniform frame (a zero error
// code where the CPU pushes none, then the vector number) and jumps to the common path,
// which saves the general registers and calls trap_entry(TrapFrame*).


.section .text
.global isr_stubs
.align 16
isr_stubs:                // 256 stubs, 16 bytes apart
.set v, 0
.rept 256
  .align 16
  .if !(v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30)
  pushq $0
  .endif
  pushq $v
  jmp isr_common
  .set v, v + 1
.endr

isr_common:
  cld
  pushq %rax
  pushq %rbx
  pushq %rcx
  pushq %rdx
  pushq %rsi
  pushq %rdi
  pushq %rbp
  pushq %r8
  pushq %r9
  pushq %r10
  pushq %r11
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  mov %rsp, %rdi
  // Make the trap look like a call from the interrupted instruction, for backtraces.
  pushq 17*8(%rsp)      // rip
  pushq %rbp
  mov %rsp, %rbp
  call trap_entry
  add $16, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %r11
  popq %r10
  popq %r9
  popq %r8
  popq %rbp
  popq %rdi
  popq %rsi
  popq %rdx
  popq %rcx
  popq %rbx
  popq %rax
  add $16, %rsp         // vector, error code
  iretq
