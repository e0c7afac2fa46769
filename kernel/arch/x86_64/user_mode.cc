// The boundary with ring 3. Two rules hold here:
//   - every return to user mode (after a syscall, an interrupt or exception, and a new
//     thread's first entry) is checked before iretq: a frame the CPU would refuse in ring 0
//     ends the process instead of the kernel;
//   - with SMEP and SMAP on, the kernel never executes user pages, and touches them only in
//     the copies below, which alone open user memory (stac/clac).

#include "cpu.h"
#include "kernel/arch_hooks.h"
#include "per_cpu.h"
#include "platform.h"

extern "C" [[noreturn]] void enter_user_frame(uintptr_t pc, uintptr_t sp, uint64_t arg);
extern "C" [[noreturn]] void return_to_user_frame(const arch::x86::TrapFrame* frame);

bool smap_enabled = false;

namespace arch {
namespace x86 {
namespace {

constexpr uint32_t kCpuidExtendedFeatures = 7;
constexpr uint32_t kCpuidSmep = 1u << 7;   // leaf 7, ebx
constexpr uint32_t kCpuidSmap = 1u << 20;  // leaf 7, ebx
constexpr uint64_t kCr4Smep = uint64_t{1} << 20;
constexpr uint64_t kCr4Smap = uint64_t{1} << 21;

constexpr uint64_t kUserCs = 0x2b;
constexpr uint64_t kUserSs = 0x23;
constexpr uint64_t kRflagsIopl = uint64_t{3} << 12;
constexpr uint64_t kRflagsVm = uint64_t{1} << 17;

bool smep_enabled = false;

// Whether iretq may load this frame for ring 3. iretq to a non-canonical RIP raises #GP in
// ring 0, after swapgs, with the user's GS base live: the kernel cannot recover from it (a
// syscall as the last instruction below the canonical hole returns to such an address). A RIP
// in the kernel half would fault in user mode, but no user code can ever run there: refused
// alike. The stack pointer is the user's own: iretq loads any value, and a bad one faults at
// its first use, in user mode. The selectors and flags are the kernel's, checked all the
// same: IOPL or VM set would hand user code the I/O ports or virtual-8086 mode.
bool user_frame_ok(uint64_t rip, uint64_t cs, uint64_t ss, uint64_t rflags) {
  return rip < kUserTop && cs == kUserCs && ss == kUserSs && (rflags & kRflagsIf) &&
         !(rflags & (kRflagsIopl | kRflagsVm));
}

// What user code would have met at its next instruction, had the CPU got there; the detail
// says the kernel caught it on the way out.
[[noreturn]] void refuse_user_return(uint64_t rip) {
  kernel::kill_current_process("general protection fault on return", rip, 0);
}

}  // namespace

void user_access_init() {
  if (cpuid(0).eax < kCpuidExtendedFeatures) return;
  const uint32_t features = cpuid(kCpuidExtendedFeatures).ebx;
  uint64_t cr4 = read_cr4();
  smep_enabled = features & kCpuidSmep;
  smap_enabled = features & kCpuidSmap;
  if (smep_enabled) cr4 |= kCr4Smep;
  if (smap_enabled) cr4 |= kCr4Smap;
  write_cr4(cr4);
}

void check_user_return(const TrapFrame& f) {
  if (!user_frame_ok(f.rip, f.cs, f.ss, f.rflags)) refuse_user_return(f.rip);
}

}  // namespace x86

bool user_pages_guarded() { return x86::smep_enabled && smap_enabled; }

namespace {

constexpr uint32_t kMsrFsBase = 0xc0000100;

}  // namespace

uint64_t cpu_feature_word() { return x86::cpuid(1).edx; }

// Most switches are between threads that never set an FS base, and a WRMSR is not free, so
// the register is written only when the value changes (PerCpu::fs_base says what it holds).
void set_user_tls_base(uint64_t base) {
  x86::PerCpu& cpu = x86::this_cpu();
  if (base == cpu.fs_base) return;
  x86::wrmsr(kMsrFsBase, base);
  cpu.fs_base = base;
}

void enter_user(uintptr_t pc, uintptr_t sp, uint64_t arg) {
  if (!x86::user_frame_ok(pc, x86::kUserCs, x86::kUserSs, x86::kRflagsIf))
    x86::refuse_user_return(pc);
  enter_user_frame(pc, sp, arg);
}

static_assert(sizeof(UserFrame) == sizeof(x86::TrapFrame));

// syscall_entry pushes the frame first thing on the thread's kernel stack: it ends at the top.
void syscall_user_frame(uintptr_t kernel_stack_top, UserFrame* out) {
  __builtin_memcpy(out, reinterpret_cast<const void*>(kernel_stack_top - sizeof(x86::TrapFrame)),
                   sizeof(*out));
}

void set_user_frame_result(UserFrame* frame, uint64_t value, uintptr_t sp) {
  auto* f = reinterpret_cast<x86::TrapFrame*>(frame);
  f->rax = value;
  if (sp) f->rsp = sp;
}

void restart_syscall_frame(uintptr_t kernel_stack_top, uintptr_t pc, uintptr_t sp) {
  auto* f = reinterpret_cast<x86::TrapFrame*>(kernel_stack_top - sizeof(x86::TrapFrame));
  x86::TrapFrame fresh{};
  fresh.vector = f->vector;
  fresh.rip = pc;
  fresh.cs = x86::kUserCs;
  fresh.rflags = x86::kRflagsIf;
  fresh.rsp = sp;
  fresh.ss = x86::kUserSs;
  *f = fresh;
}

void resume_user_frame(const UserFrame& frame) {
  const auto* f = reinterpret_cast<const x86::TrapFrame*>(&frame);
  x86::check_user_return(*f);
  return_to_user_frame(f);
}

UserFrame* syscall_frame(uintptr_t kernel_stack_top) {
  return reinterpret_cast<UserFrame*>(kernel_stack_top - sizeof(x86::TrapFrame));
}

namespace {

// The flags user code may set (Linux's FIX_EFLAGS): carry, parity, adjust, zero, sign,
// trap, direction, overflow, resume and alignment check. Interrupts, IOPL, nested task,
// virtual-8086 and the virtual interrupt flags are the kernel's.
constexpr uint64_t kUserSettableFlags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 |
                                        (uint64_t{1} << 16) | (uint64_t{1} << 18);

}  // namespace

void user_registers(const UserFrame& frame, UserRegisters* out) {
  const auto* f = reinterpret_cast<const x86::TrapFrame*>(&frame);
  *out = UserRegisters{f->r8,  f->r9,  f->r10, f->r11,    f->r12,    f->r13,  f->r14,
                       f->r15, f->rdi, f->rsi, f->rbp,    f->rbx,    f->rdx,  f->rax,
                       f->rcx, f->rsp, f->rip, f->rflags, f->vector, f->error};
}

bool set_user_registers(UserFrame* frame, const UserRegisters& regs) {
  if (regs.rip >= kUserTop) return false;
  auto* f = reinterpret_cast<x86::TrapFrame*>(frame);
  f->r8 = regs.r8;
  f->r9 = regs.r9;
  f->r10 = regs.r10;
  f->r11 = regs.r11;
  f->r12 = regs.r12;
  f->r13 = regs.r13;
  f->r14 = regs.r14;
  f->r15 = regs.r15;
  f->rdi = regs.rdi;
  f->rsi = regs.rsi;
  f->rbp = regs.rbp;
  f->rbx = regs.rbx;
  f->rdx = regs.rdx;
  f->rax = regs.rax;
  f->rcx = regs.rcx;
  f->rsp = regs.rsp;
  f->rip = regs.rip;
  f->rflags = (f->rflags & ~kUserSettableFlags) | (regs.rflags & kUserSettableFlags);
  f->cs = x86::kUserCs;
  f->ss = x86::kUserSs;
  return true;
}

namespace {

// rep movsq, then rep movsb for the rest, with user memory open: returns the bytes not copied.
// A fault resumes after the instruction that took it, with rcx counting what that instruction
// had left (eight bytes a step for movsq, whose fix-up adds the tail). Under TCG each step of
// a rep string instruction costs about the same whatever its width (lib/arch/x86_64/mem.cc):
// a message descriptor (48 bytes) costs 6 steps instead of 48, on every channel syscall. The
// trap entry closes user memory (clac) for its handler; iretq reopens it with the saved
// flags, and the clac after the copy closes it again either way.
size_t copy_with_fixup(void* dst, const void* src, size_t n) {
  size_t left = n / 8;
  const size_t tail = n % 8;
  x86::open_user_memory();
  asm volatile(
      "1: rep movsq\n"
      "mov %[tail], %%rcx\n"
      "2: rep movsb\n"
      "3:\n"
      ".pushsection .fixup_table, \"a\"\n"
      ".quad 1b, 4f\n"
      ".quad 2b, 3b\n"
      ".popsection\n"
      ".pushsection .text.fixup, \"ax\"\n"
      "4: lea (%[tail], %%rcx, 8), %%rcx\n"
      "jmp 3b\n"
      ".popsection\n"
      : "+D"(dst), "+S"(src), "+c"(left)
      : [tail] "r"(tail)
      : "memory");
  x86::close_user_memory();
  return left;
}

bool user_range(uintptr_t addr, size_t n) { return addr + n >= addr && addr + n <= kUserTop; }

}  // namespace

lib::Result<void> copy_from_user(void* dst, uintptr_t src, size_t n) {
  if (!user_range(src, n)) return lib::Error::Fault;
  if (copy_with_fixup(dst, reinterpret_cast<const void*>(src), n)) return lib::Error::Fault;
  return {};
}

lib::Result<void> copy_to_user(uintptr_t dst, const void* src, size_t n) {
  if (!user_range(dst, n)) return lib::Error::Fault;
  if (copy_with_fixup(reinterpret_cast<void*>(dst), src, n)) return lib::Error::Fault;
  return {};
}

}  // namespace arch
