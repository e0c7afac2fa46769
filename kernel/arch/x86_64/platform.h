#pragma once
// Interfaces between the x86_64 files; nothing outside kernel/arch/x86_64 includes this but
// the in-kernel tests of the clocks (kernel/ktest/clock_test.cc).

#include <cstddef>
#include <cstdint>

#include "kernel/arch.h"

namespace arch::x86 {

// Interrupt vectors.
constexpr uint8_t kVectorTimer = 0x20;
constexpr uint8_t kVectorIrqBase = 0x30;  // GSI n arrives on kVectorIrqBase + n
constexpr unsigned kMaxIrqs = 64;         // GSIs 0-63: two I/O APICs of 24 pins and room
constexpr uint8_t kVectorMsiBase = 0x70;  // message-signalled interrupts, one vector each
constexpr unsigned kMaxMsi = 64;
// ISA lines the kernel keeps for itself (irq_is_kernel_line): the PIT, the cascade (where
// QEMU's I/O APIC delivers the PIT even when the MADT has no override for it, as on
// microvm), and the console's COM1.
constexpr unsigned kIsaIrqPit = 0;
constexpr unsigned kIsaIrqCascade = 2;
constexpr unsigned kIsaIrqCom1 = 4;
constexpr uint8_t kVectorPicBase = 0xe0;  // the legacy PIC, remapped out of the way, masked
// Interprocessor interrupts (ipi.cc): a kick makes the CPU look at its scheduler on the way
// out of the interrupt; a TLB request makes it flush its TLB.
constexpr uint8_t kVectorKick = 0xf0;
constexpr uint8_t kVectorTlb = 0xf1;
constexpr uint8_t kVectorSpurious = 0xff;

// Saved by the common interrupt stub (isr.S), in this order.
struct TrapFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error;
  uint64_t rip, cs, rflags, rsp, ss;
};

void idt_init();
// Loads the IDT idt_init built on the calling CPU (the other CPUs share it).
void idt_load();

// Turns on SMEP and SMAP where the CPU has them (user_mode.cc).
void user_access_init();
// Ends the current process if f is not a frame iretq can load for ring 3 (a non-canonical or
// kernel-half RIP, flags or selectors that are not user mode's); returns if it is.
void check_user_return(const TrapFrame& f);
void lapic_init(uintptr_t phys);
// Turns on the calling CPU's local APIC: spurious vector, timer masked (lapic_init does it
// for the boot CPU, after mapping the registers every CPU shares).
void lapic_enable_this_cpu();
void lapic_eoi();
// The calling CPU's local APIC ID.
uint32_t lapic_id();
// Sends an interprocessor interrupt (command: the ICR's low word) to apic_id and waits for
// the local APIC to have sent it; false if it never says so. Safe with interrupts on.
bool lapic_send_ipi(uint32_t apic_id, uint32_t command);
// Calibration (clock.cc): the timer counts down from its maximum, masked, and is read; then
// it is given the rate found and unmasked, one-shot.
void lapic_timer_count_down();
uint32_t lapic_timer_count();
void lapic_timer_calibrated(uint64_t hz);
void lapic_timer_oneshot(uint64_t ticks);
void lapic_timer_stop();
// Unmasks the calling CPU's timer, one-shot, at the rate the boot CPU calibrated.
void lapic_timer_enable_this_cpu();
uint64_t lapic_timer_hz();
// Shootdown (ipi.cc): flush requests made of the calling CPU served (cpu_relax runs it, and
// the kVectorTlb interrupt); every other CPU that may hold translations under root (0: the
// kernel's half, so all of them) made to flush, and waited for; every other CPU that has root
// loaded made to load the kernel's root instead (the root is about to be freed).
void serve_tlb_requests();
void tlb_shootdown(uintptr_t root);
void tlb_leave_root(uintptr_t root);
// Whether halt_other_cpus has run: an NMI then halts the CPU it reaches.
bool halt_requested();
void ioapic_init();
void irq_dispatch(unsigned vector);
void pic_disable();

// Measures elapsed time with the PIT (channel 0, polled) for calibration.
void pit_start();
uint64_t pit_elapsed_ns();

void clock_init();

// The physical address of the kernel's own top-level page table (paging.cc).
uintptr_t kernel_page_root();

}  // namespace arch::x86
