// A user program's first instruction: rdi holds the StartupBlock the kernel wrote.
.section .text
.global _start
_start:
  xor %ebp, %ebp
  and $-16, %rsp
  call stellina_start
  ud2
