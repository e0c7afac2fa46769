// The interrupt descriptor table and the C++ side of every trap: exceptions (with fault
// fix-ups for probe_read/probe_write), the LAPIC timer and routed device interrupts.

#include <lib/format.h>

#include "cpu.h"
#include "kernel/arch_hooks.h"
#include "kernel/event_trace.h"
#include "kernel/log.h"
#include "platform.h"

extern "C" char isr_stubs[];
struct FixupEntry {
  uint64_t instruction;
  uint64_t handler;
};
// NOLINTBEGIN(readability-identifier-naming): linker-script symbols
extern "C" const FixupEntry fixup_table_start[];
extern "C" const FixupEntry fixup_table_end[];
// NOLINTEND(readability-identifier-naming)

namespace arch {
namespace x86 {
namespace {

struct [[gnu::packed]] IdtEntry {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type;
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
};
struct [[gnu::packed]] IdtPointer {
  uint16_t limit;
  uint64_t base;
};

alignas(16) IdtEntry idt[256];

constexpr uint8_t kVectorNmi = 2;
constexpr uint8_t kVectorDoubleFault = 8;
constexpr uint8_t kVectorGeneralProtection = 13;
constexpr uint8_t kVectorPageFault = 14;
constexpr uint64_t kPageFaultFetch = 1 << 4;  // error code: an instruction fetch

const char* const kExceptionNames[32] = {"divide error",
                                         "debug",
                                         "NMI",
                                         "breakpoint",
                                         "overflow",
                                         "bound range exceeded",
                                         "invalid opcode",
                                         "device not available",
                                         "double fault",
                                         "coprocessor segment overrun",
                                         "invalid TSS",
                                         "segment not present",
                                         "stack-segment fault",
                                         "general protection fault",
                                         "page fault",
                                         "reserved",
                                         "x87 floating-point",
                                         "alignment check",
                                         "machine check",
                                         "SIMD floating-point",
                                         "virtualization",
                                         "control protection",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "hypervisor injection",
                                         "VMM communication",
                                         "security",
                                         "reserved"};

bool apply_fixup(TrapFrame* f) {
  for (const FixupEntry* e = fixup_table_start; e < fixup_table_end; ++e) {
    if (e->instruction == f->rip) {
      f->rip = e->handler;
      return true;
    }
  }
  return false;
}

// An instruction fetch that faulted at the target of a call: if the call's return address
// (on top of the stack) has a fix-up, the call is undone and resumes there (probe_execute).
bool apply_call_fixup(TrapFrame* f) {
  const uint64_t return_address = *reinterpret_cast<const uint64_t*>(f->rsp);
  for (const FixupEntry* e = fixup_table_start; e < fixup_table_end; ++e) {
    if (e->instruction == return_address) {
      f->rip = e->handler;
      f->rsp += 8;
      return true;
    }
  }
  return false;
}

[[noreturn]] void fatal_exception(TrapFrame* f) {
  kernel::begin_fatal();
  const char* name = kExceptionNames[f->vector];
  kernel::log_error("CPU exception {} ({}) error={:#x} rip={:#018x}", f->vector, name, f->error,
                    f->rip);
  if (f->vector == kVectorPageFault) {
    const uintptr_t addr = read_cr2();
    kernel::log_error("  fault address {:#018x} ({} {}{}){}", addr,
                      (f->error & 1) ? "protection violation" : "page not present",
                      (f->error & 2) ? "write" : "read",
                      (f->error & 16) ? " instruction fetch" : "",
                      kernel::fault_address_hint(addr));
    if (addr < kUserTop && (f->error & 1) && user_pages_guarded()) {
      kernel::log_error("  a user page, {} by the kernel outside the user copies (SMEP/SMAP)",
                        (f->error & 16) ? "executed" : "touched");
    }
  } else if (f->vector == kVectorDoubleFault) {
    // Almost always a kernel stack overflow: the page fault on the guard page could not be
    // delivered on the overflowed stack. CR2 still holds the faulting address.
    const uintptr_t addr = read_cr2();
    kernel::log_error("  last page fault address {:#018x}{}", addr,
                      kernel::fault_address_hint(addr));
  }
  kernel::log_error("  rax={:#018x} rbx={:#018x} rcx={:#018x} rdx={:#018x}", f->rax, f->rbx, f->rcx,
                    f->rdx);
  kernel::log_error("  rsi={:#018x} rdi={:#018x} rbp={:#018x} rsp={:#018x}", f->rsi, f->rdi, f->rbp,
                    f->rsp);
  kernel::log_error("  r8 ={:#018x} r9 ={:#018x} r10={:#018x} r11={:#018x}", f->r8, f->r9, f->r10,
                    f->r11);
  kernel::log_error("  r12={:#018x} r13={:#018x} r14={:#018x} r15={:#018x}", f->r12, f->r13, f->r14,
                    f->r15);
  kernel::log_error("  cs={:#x} ss={:#x} rflags={:#x} cr2={:#x} cr3={:#x}", f->cs, f->ss, f->rflags,
                    read_cr2(), read_cr3());
  kernel::on_fatal_exception(name, f->rbp, f->rip);
}

void set_gate(unsigned vector, uint8_t ist) {
  const auto addr = reinterpret_cast<uint64_t>(isr_stubs + size_t{vector} * 16);
  idt[vector] = IdtEntry{static_cast<uint16_t>(addr),
                         0x08,
                         ist,
                         0x8e,  // present, ring 0, interrupt gate
                         static_cast<uint16_t>(addr >> 16),
                         static_cast<uint32_t>(addr >> 32),
                         0};
}

}  // namespace

void idt_init() {
  for (unsigned v = 0; v < 256; ++v) set_gate(v, 0);
  set_gate(kVectorDoubleFault, 1);
  set_gate(kVectorNmi, 2);
  idt_load();
}

void idt_load() {
  const IdtPointer idtr{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
  asm volatile("lidt %0" ::"m"(idtr));
}

}  // namespace x86

bool probe_read(uintptr_t addr, uint8_t* out) {
  uint8_t value = 0;
  int ok = 1;
  asm volatile(
      "1: movb (%2), %0\n"
      "2:\n"
      ".pushsection .fixup_table, \"a\"\n"
      ".quad 1b, 3f\n"
      ".popsection\n"
      ".pushsection .text.fixup, \"ax\"\n"
      "3: xorl %1, %1\n"
      "jmp 2b\n"
      ".popsection\n"
      : "=&q"(value), "+r"(ok)
      : "r"(addr)
      : "memory");
  if (ok) *out = value;
  return ok;
}

bool probe_write(uintptr_t addr, uint8_t value) {
  int ok = 1;
  asm volatile(
      "1: movb %2, (%1)\n"
      "2:\n"
      ".pushsection .fixup_table, \"a\"\n"
      ".quad 1b, 3f\n"
      ".popsection\n"
      ".pushsection .text.fixup, \"ax\"\n"
      "3: xorl %0, %0\n"
      "jmp 2b\n"
      ".popsection\n"
      : "+r"(ok)
      : "r"(addr), "q"(value)
      : "memory");
  return ok;
}

bool probe_execute(uintptr_t addr) {
  // The fix-up is keyed on the return address: a fetch fault at the target leaves the
  // call's return address on the stack (apply_call_fixup).
  int ok = 1;
  asm volatile(
      "call *%1\n"
      "1: nop\n"
      ".pushsection .fixup_table, \"a\"\n"
      ".quad 1b, 2f\n"
      ".popsection\n"
      ".pushsection .text.fixup, \"ax\"\n"
      "2: xorl %0, %0\n"
      "jmp 1b\n"
      ".popsection\n"
      : "+r"(ok)
      : "r"(addr)
      : "memory");
  return ok;
}

}  // namespace arch

extern "C" void syscall_entry_c(arch::x86::TrapFrame* f) {
  arch::irq_enable();
  f->rax = static_cast<uint64_t>(
      kernel::user_syscall(f->rax, f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9));
  // Interrupts stay off from here to iretq, as after an interrupt from user mode: the checks
  // below take locks without turning them back on at each release (under TCG every sti ends
  // the translated block and goes back through QEMU's main loop).
  arch::irq_save();
  kernel::on_return_to_user(reinterpret_cast<arch::UserFrame*>(f));
  // A syscall as the last instruction below the canonical hole returns to a non-canonical
  // address.
  arch::x86::check_user_return(*f);
  kernel::on_interrupt_exit();
}

namespace {

// A page fault the demand pager may resolve: at a user address, from user code or from a
// user copy. With SMAP on, a copy runs with AC set; any other kernel access to a user page is
// a kernel bug, left to fault.
bool demand_fault(const arch::x86::TrapFrame& f, uintptr_t addr) {
  if (addr >= arch::kUserTop) return false;
  return (f.cs & 3) || !smap_enabled || (f.rflags & arch::x86::kRflagsAc);
}

// What a Linux process is told of an exception its user code took (its signal).
kernel::UserFault user_fault_of(const arch::x86::TrapFrame& f) {
  using kernel::UserFault;
  switch (f.vector) {
    case 0: return UserFault::Divide;
    case 1:
    case 3: return UserFault::Breakpoint;
    case 6: return UserFault::InvalidOpcode;
    case 11:
    case 12: return UserFault::Segment;
    case arch::x86::kVectorPageFault:
      return (f.error & 1) ? UserFault::PageProtection : UserFault::PageNotMapped;
    case 16:
    case 19: return UserFault::FloatingPoint;
    case 17: return UserFault::Alignment;
    default: return UserFault::Protection;
  }
}

void dispatch_trap(arch::x86::TrapFrame* f) {
  using namespace arch::x86;
  if (f->vector < 32) {
    const bool from_user = f->cs & 3;
    if (f->vector == kVectorPageFault) {
      const uintptr_t addr = read_cr2();
      if (demand_fault(*f, addr) &&
          kernel::handle_user_page_fault(addr, f->error & 2, f->error & 16))
        return;
    }
    if (!from_user && (f->vector == kVectorPageFault || f->vector == kVectorGeneralProtection) &&
        apply_fixup(f))
      return;
    if (!from_user && f->vector == kVectorPageFault && (f->error & kPageFaultFetch) &&
        apply_call_fixup(f))
      return;
    const uintptr_t addr = f->vector == kVectorPageFault ? read_cr2() : 0;
    if (from_user && kernel::user_fault_signal(user_fault_of(*f), f->rip, addr)) {
      kernel::on_return_to_user(reinterpret_cast<arch::UserFrame*>(f));
      return;
    }
    if (from_user) kernel::kill_current_process(kExceptionNames[f->vector], f->rip, addr);
    if (f->rflags & kRflagsIf)
      kernel::end_faulting_component(kExceptionNames[f->vector], f->rip, addr);
    fatal_exception(f);
  }
  if (f->vector == kVectorTimer) {
    lapic_eoi();
    kernel::on_timer_interrupt();
  } else if (f->vector == kVectorTlb) {
    serve_tlb_requests();
    lapic_eoi();
  } else if ((f->vector >= kVectorIrqBase && f->vector < kVectorIrqBase + kMaxIrqs) ||
             (f->vector >= kVectorMsiBase && f->vector < kVectorMsiBase + kMaxMsi)) {
    irq_dispatch(f->vector);
    lapic_eoi();
  } else if (f->vector == kVectorSpurious ||
             (f->vector >= kVectorPicBase && f->vector < kVectorPicBase + 16)) {
    return;  // spurious: no EOI
  } else {
    lapic_eoi();
  }
  if (f->rflags & kRflagsIf) kernel::on_interrupt_exit();
  if (f->cs & 3) kernel::on_return_to_user(reinterpret_cast<arch::UserFrame*>(f));
}

// What the event trace calls a trap with this vector.
kernel::event_trace::Kind trace_kind(uint64_t vector) {
  using kernel::event_trace::Kind;
  if (vector < 32) return Kind::Exception;
  return vector == arch::x86::kVectorTimer ? Kind::Timer : Kind::Interrupt;
}

// An NMI can arrive between syscall_entry's first instruction and its swapgs, or between
// trap_return's swapgs and iretq: the saved CS says kernel, yet GS_BASE holds the user's
// base (never a kernel address: user code cannot write it). The NMI path tells by the MSR.
bool nmi_on_user_gs(const arch::x86::TrapFrame& f) {
  constexpr uint32_t kGsBase = 0xc0000101;
  return f.vector == 2 && !(f.cs & 3) && static_cast<int64_t>(arch::x86::rdmsr(kGsBase)) >= 0;
}

}  // namespace

extern "C" void trap_entry(arch::x86::TrapFrame* f) {
  // Another CPU stops the machine (a panic, shutdown): nothing more runs here.
  if (f->vector == 2 && arch::x86::halt_requested()) arch::halt_forever();
  const bool swap_gs = nmi_on_user_gs(*f);
  if (swap_gs) asm volatile("swapgs" ::: "memory");
  kernel::event_trace::record(trace_kind(f->vector), static_cast<uint32_t>(f->vector));
  dispatch_trap(f);
  if (f->cs & 3) arch::x86::check_user_return(*f);
  if (swap_gs) asm volatile("swapgs" ::: "memory");
}
