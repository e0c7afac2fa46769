// Interrupt controllers: the local APIC (EOI, the timer), the I/O APIC (device interrupts),
// and the legacy 8259 PIC, which is remapped and masked so it can never raise a vector that
// looks like an exception.

#include "cpu.h"
#include "kernel/acpi.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "platform.h"

namespace arch {

IrqState irq_save() {
  const uint64_t flags = x86::read_rflags();
  asm volatile("cli" ::: "memory");
  return flags & x86::kRflagsIf;
}
void irq_restore(IrqState state) {
  if (state) asm volatile("sti" ::: "memory");
}
void irq_enable() { asm volatile("sti" ::: "memory"); }
bool irqs_enabled() { return x86::read_rflags() & x86::kRflagsIf; }
void enable_and_wait() { asm volatile("sti; hlt" ::: "memory"); }
void halt_forever() {
  for (;;) asm volatile("cli; hlt");
}

namespace x86 {
namespace {

volatile uint32_t* lapic = nullptr;
volatile uint32_t* ioapic = nullptr;
uint32_t ioapic_gsi_base = 0;
unsigned ioapic_pins = 0;
struct Handler {
  void (*fn)(void*);
  void* context;
};
Handler irq_handlers[kMaxIrqs] = {};

constexpr unsigned kLapicEoi = 0xb0 / 4;
constexpr unsigned kLapicSpurious = 0xf0 / 4;
constexpr unsigned kLapicTpr = 0x80 / 4;
constexpr unsigned kLapicLvtTimer = 0x320 / 4;
constexpr unsigned kLapicTimerInitial = 0x380 / 4;
constexpr unsigned kLapicTimerCurrent = 0x390 / 4;
constexpr unsigned kLapicTimerDivide = 0x3e0 / 4;
constexpr uint32_t kLvtMasked = 1u << 16;

uint64_t timer_hz = 0;

void ioapic_write(uint32_t reg, uint32_t value) {
  ioapic[0] = reg;
  ioapic[4] = value;
}
uint32_t ioapic_read(uint32_t reg) {
  ioapic[0] = reg;
  return ioapic[4];
}

}  // namespace

void pic_disable() {
  // Initialize both PICs so stray interrupts land on vectors 0xe0-0xef, then mask them all.
  outb(0x20, 0x11);
  outb(0xa0, 0x11);
  outb(0x21, kVectorPicBase);
  outb(0xa1, kVectorPicBase + 8);
  outb(0x21, 4);
  outb(0xa1, 2);
  outb(0x21, 1);
  outb(0xa1, 1);
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
}

void lapic_init(uintptr_t phys) {
  auto regs = map_mmio(phys, 4096);
  if (!regs.ok()) kernel::panic("lapic: cannot map registers");
  lapic = static_cast<volatile uint32_t*>(regs.value());
  wrmsr(0x1b, rdmsr(0x1b) | (1u << 11));  // global enable
  lapic[kLapicTpr] = 0;
  lapic[kLapicSpurious] = 0x100 | kVectorSpurious;
  lapic[kLapicLvtTimer] = kLvtMasked | kVectorTimer;
  lapic[kLapicTimerDivide] = 0x3;  // divide by 16
}

void lapic_eoi() { lapic[kLapicEoi] = 0; }

void lapic_timer_calibrate() {
  // Count LAPIC timer ticks over a PIT-measured interval of about 10 ms.
  lapic[kLapicLvtTimer] = kLvtMasked | kVectorTimer;
  lapic[kLapicTimerInitial] = 0xffffffff;
  pit_start();
  uint64_t elapsed = 0;
  while ((elapsed = pit_elapsed_ns()) < 10'000'000) {
  }
  const uint32_t ticks = 0xffffffff - lapic[kLapicTimerCurrent];
  lapic[kLapicTimerInitial] = 0;
  timer_hz = uint64_t{ticks} * 1'000'000'000 / elapsed;
  lapic[kLapicLvtTimer] = kVectorTimer;  // one-shot, unmasked
}

uint64_t lapic_timer_hz() { return timer_hz; }

void lapic_timer_stop() { lapic[kLapicTimerInitial] = 0; }

void lapic_timer_oneshot(uint64_t ticks) {
  if (ticks == 0) ticks = 1;
  if (ticks > 0xffffffff) ticks = 0xffffffff;
  lapic[kLapicTimerInitial] = static_cast<uint32_t>(ticks);
}

void ioapic_init() {
  const kernel::acpi::Info& info = kernel::acpi::info();
  if (info.ioapic_count == 0) kernel::panic("no I/O APIC described by the firmware");
  auto regs = map_mmio(info.ioapics[0].phys, 4096);
  if (!regs.ok()) kernel::panic("ioapic: cannot map registers");
  ioapic = static_cast<volatile uint32_t*>(regs.value());
  ioapic_gsi_base = info.ioapics[0].gsi_base;
  ioapic_pins = ((ioapic_read(1) >> 16) & 0xff) + 1;
  if (ioapic_pins > kMaxIrqs) ioapic_pins = kMaxIrqs;
  for (unsigned pin = 0; pin < ioapic_pins; ++pin) {
    ioapic_write(0x10 + 2 * pin, 1u << 16);  // masked
    ioapic_write(0x11 + 2 * pin, 0);
  }
}

namespace {

struct Route {
  unsigned pin;
  bool active_low, level;
};

// Where an ISA line arrives on the I/O APIC, after the firmware's overrides.
lib::Result<Route> route_of(unsigned isa_irq) {
  uint32_t gsi = isa_irq;
  bool active_low = false, level = false;  // ISA default: edge, active high
  const kernel::acpi::Info& info = kernel::acpi::info();
  for (size_t i = 0; i < info.override_count; ++i) {
    const auto& o = info.overrides[i];
    if (o.source != isa_irq) continue;
    gsi = o.gsi;
    active_low = (o.flags & 3) == 3;
    level = ((o.flags >> 2) & 3) == 3;
  }
  if (isa_irq >= 16 || gsi < ioapic_gsi_base || gsi - ioapic_gsi_base >= ioapic_pins)
    return lib::Error::NotFound;
  return Route{gsi - ioapic_gsi_base, active_low, level};
}

void program_pin(const Route& r, bool masked) {
  ioapic_write(0x11 + 2 * r.pin, 0);  // destination: APIC 0
  ioapic_write(0x10 + 2 * r.pin, (kVectorIrqBase + r.pin) | (r.active_low ? 1u << 13 : 0) |
                                     (r.level ? 1u << 15 : 0) | (masked ? 1u << 16 : 0));
}

}  // namespace

void irq_dispatch(unsigned vector) {
  const Handler& h = irq_handlers[vector - kVectorIrqBase];
  if (h.fn) h.fn(h.context);
}

}  // namespace x86
}  // namespace arch

namespace arch {

lib::Result<void> irq_attach(unsigned line, void (*handler)(void*), void* context) {
  const x86::Route r = TRY(x86::route_of(line));
  const auto state = irq_save();
  if (x86::irq_handlers[r.pin].fn) {
    irq_restore(state);
    return lib::Error::Busy;
  }
  x86::irq_handlers[r.pin] = {handler, context};
  x86::program_pin(r, false);
  irq_restore(state);
  return {};
}

void irq_detach(unsigned line) {
  auto r = x86::route_of(line);
  if (!r.ok()) return;
  const auto state = irq_save();
  x86::program_pin(r.value(), true);
  x86::irq_handlers[r.value().pin] = {};
  irq_restore(state);
}

void irq_set_masked(unsigned line, bool masked) {
  auto r = x86::route_of(line);
  if (!r.ok()) return;
  const auto state = irq_save();
  x86::program_pin(r.value(), masked);
  irq_restore(state);
}

}  // namespace arch
