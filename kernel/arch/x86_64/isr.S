// Interrupt and exception entry: one stub per vector pushes a uniform frame (a zero error
// code where the CPU pushes none, then the vector number) and jumps to the common path,
// which saves the general registers and calls trap_entry(TrapFrame*).


.macro push_registers       // the general registers, in TrapFrame order (reversed)
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
.endm

.macro pop_registers
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
.endm

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
  testb $3, 24(%rsp)    // from user mode: switch GS to the kernel's per-CPU block
  jz 1f
  swapgs
1:
  cld
  // Close user memory: user code may have set AC (popf), and a trap inside a user copy
  // must not leave it open for its handler. iretq restores the interrupted flags.
  testb $1, smap_enabled(%rip)
  jz 3f
  clac
3:
  push_registers
  mov %rsp, %rdi
  // Make the trap look like a call from the interrupted instruction, for backtraces.
  pushq 17*8(%rsp)      // rip
  pushq %rbp
  mov %rsp, %rbp
  call trap_entry
  add $16, %rsp
  jmp trap_return

// SYSCALL from user mode: rcx = user rip, r11 = user rflags, interrupts masked (FMASK).
// Builds the same frame an interrupt from user mode would, so both leave by trap_return.
.global syscall_entry
syscall_entry:
  swapgs
  mov %rsp, %gs:8       // PerCpu::user_rsp
  mov %gs:0, %rsp       // PerCpu::kernel_rsp
  pushq $0x23           // user ss
  pushq %gs:8           // user rsp
  pushq %r11            // user rflags
  pushq $0x2b           // user cs
  pushq %rcx            // user rip
  pushq $0              // error code
  pushq $0x100          // vector: the syscall pseudo-vector
  cld
  push_registers
  mov %rsp, %rdi
  xor %ebp, %ebp
  call syscall_entry_c
  jmp trap_return

// Restores a TrapFrame at rsp and returns to it (to user mode if its CS says so).
.global trap_return
trap_return:
  cli
  pop_registers
  add $16, %rsp         // vector, error code
  testb $3, 8(%rsp)
  jz 2f
  swapgs
2:
  iretq

// enter_user_frame(rip, rsp, arg): leaves the kernel for a new user thread's first
// instruction with arg in rdi and every other register cleared (arch::enter_user checks
// rip and rsp first).
.global enter_user_frame
enter_user_frame:
  cli
  pushq $0x23           // ss
  pushq %rsi            // rsp
  pushq $0x202          // rflags: interrupts on
  pushq $0x2b           // cs
  pushq %rdi            // rip
  mov %rdx, %rdi
  xor %eax, %eax
  xor %ebx, %ebx
  xor %ecx, %ecx
  xor %edx, %edx
  xor %esi, %esi
  xor %ebp, %ebp
  xor %r8d, %r8d
  xor %r9d, %r9d
  xor %r10d, %r10d
  xor %r11d, %r11d
  xor %r12d, %r12d
  xor %r13d, %r13d
  xor %r14d, %r14d
  xor %r15d, %r15d
  swapgs
  iretq

// return_to_user_frame(frame): leaves the kernel with every register as the TrapFrame at
// frame holds them (arch::resume_user_frame checked it). trap_return pops it from where it
// lies; interrupts stay off until iretq, so nothing else uses that memory as a stack.
.global return_to_user_frame
return_to_user_frame:
  cli
  mov %rdi, %rsp
  jmp trap_return
