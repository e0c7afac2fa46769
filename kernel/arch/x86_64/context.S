// context_switch(Context** save, Context* next): pushes the callee-saved registers on the
// current stack, stores the stack pointer in *save, loads next and pops its registers.
// A new thread's stack (context_init) is laid out to "return" into context_start.

.section .text
.global context_switch
context_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  mov %rsp, (%rdi)
  mov %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret

// First instructions of a new thread: r12 = entry, r13 = argument.
.global context_start
context_start:
  mov %r12, %rdi
  mov %r13, %rsi
  xor %ebp, %ebp
  call thread_trampoline
  ud2
