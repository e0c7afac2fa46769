// Interrupt controllers: the local APIC (EOI, the timer), the I/O APIC (device interrupts),
// and the legacy 8259 PIC, which is remapped and masked so it can never raise a vector that
// looks like an exception.

#include "cpu.h"
#include "kernel/acpi.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "platform.h"

namespace arch {

bool irqs_enabled() { return x86::read_rflags() & x86::kRflagsIf; }
void enable_and_wait() { asm volatile("sti; hlt" ::: "memory"); }
void cpu_relax() {
  asm volatile("pause");
  // A CPU that spins with interrupts off must still answer shootdowns (ipi.cc).
  if (cpu_count() > 1) x86::serve_tlb_requests();
}
void halt_forever() {
  for (;;) asm volatile("cli; hlt");
}

namespace x86 {
namespace {

volatile uint32_t* lapic = nullptr;

// Every I/O APIC the firmware describes (microvm has a second one for its virtio-mmio slots).
struct IoApic {
  volatile uint32_t* regs;
  uint32_t gsi_base;
  unsigned pins;
};
IoApic ioapics[4] = {};
size_t ioapic_count = 0;

// What is routed to each GSI; the vector is kVectorIrqBase + gsi.
struct Handler {
  void (*fn)(void*);
  void* context;
  IrqLine line;
};
Handler irq_handlers[kMaxIrqs] = {};
Handler msi_handlers[kMaxMsi] = {};  // by vector - kVectorMsiBase

constexpr unsigned kLapicId = 0x20 / 4;
constexpr unsigned kLapicEoi = 0xb0 / 4;
constexpr unsigned kLapicSpurious = 0xf0 / 4;
constexpr unsigned kLapicTpr = 0x80 / 4;
constexpr unsigned kLapicLvtTimer = 0x320 / 4;
constexpr unsigned kLapicTimerInitial = 0x380 / 4;
constexpr unsigned kLapicTimerCurrent = 0x390 / 4;
constexpr unsigned kLapicTimerDivide = 0x3e0 / 4;
constexpr unsigned kLapicIcrLow = 0x300 / 4;
constexpr unsigned kLapicIcrHigh = 0x310 / 4;
constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kIcrDeliveryPending = 1u << 12;

uint64_t timer_hz = 0;

void ioapic_write(const IoApic& io, uint32_t reg, uint32_t value) {
  io.regs[0] = reg;
  io.regs[4] = value;
}
uint32_t ioapic_read(const IoApic& io, uint32_t reg) {
  io.regs[0] = reg;
  return io.regs[4];
}

// The I/O APIC with an input for gsi, if any.
const IoApic* ioapic_of(uint32_t gsi) {
  for (size_t i = 0; i < ioapic_count; ++i) {
    const IoApic& io = ioapics[i];
    if (gsi >= io.gsi_base && gsi - io.gsi_base < io.pins) return &io;
  }
  return nullptr;
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
  lapic_enable_this_cpu();
}

// Every CPU's local APIC sits at the same physical address (each CPU sees its own there):
// the mapping lapic_init made serves them all.
void lapic_enable_this_cpu() {
  wrmsr(0x1b, rdmsr(0x1b) | (1u << 11));  // global enable
  lapic[kLapicTpr] = 0;
  lapic[kLapicSpurious] = 0x100 | kVectorSpurious;
  lapic[kLapicLvtTimer] = kLvtMasked | kVectorTimer;
  lapic[kLapicTimerDivide] = 0x3;  // divide by 16
}

void lapic_eoi() { lapic[kLapicEoi] = 0; }

uint32_t lapic_id() { return lapic[kLapicId] >> 24; }

bool lapic_send_ipi(uint32_t apic_id, uint32_t command) {
  const auto state = irq_save();  // the two writes must not be split by another send
  lapic[kLapicIcrHigh] = apic_id << 24;
  lapic[kLapicIcrLow] = command;
  // Bounded: a local APIC that never clears the bit must not hang its caller.
  bool sent = false;
  for (int i = 0; i < 1'000'000 && !sent; ++i) {
    sent = !(lapic[kLapicIcrLow] & kIcrDeliveryPending);
    if (!sent) asm volatile("pause");
  }
  irq_restore(state);
  return sent;
}

void lapic_timer_count_down() {
  lapic[kLapicLvtTimer] = kLvtMasked | kVectorTimer;
  lapic[kLapicTimerInitial] = 0xffffffff;
}

uint32_t lapic_timer_count() { return lapic[kLapicTimerCurrent]; }

void lapic_timer_calibrated(uint64_t hz) {
  timer_hz = hz;
  lapic_timer_enable_this_cpu();
}

uint64_t lapic_timer_hz() { return timer_hz; }

void lapic_timer_enable_this_cpu() {
  lapic[kLapicTimerInitial] = 0;
  lapic[kLapicLvtTimer] = kVectorTimer;  // one-shot, unmasked
}

void lapic_timer_stop() { lapic[kLapicTimerInitial] = 0; }

void lapic_timer_oneshot(uint64_t ticks) {
  if (ticks == 0) ticks = 1;
  if (ticks > 0xffffffff) ticks = 0xffffffff;
  lapic[kLapicTimerInitial] = static_cast<uint32_t>(ticks);
}

void ioapic_init() {
  const kernel::acpi::Info& info = kernel::acpi::info();
  if (info.ioapic_count == 0) kernel::panic("no I/O APIC described by the firmware");
  for (size_t i = 0; i < info.ioapic_count; ++i) {
    auto regs = map_mmio(info.ioapics[i].phys, 4096);
    if (!regs.ok()) kernel::panic("ioapic: cannot map registers");
    IoApic& io = ioapics[ioapic_count++];
    io = {static_cast<volatile uint32_t*>(regs.value()), info.ioapics[i].gsi_base, 0};
    io.pins = ((ioapic_read(io, 1) >> 16) & 0xff) + 1;
    for (unsigned pin = 0; pin < io.pins; ++pin) {
      ioapic_write(io, 0x10 + 2 * pin, 1u << 16);  // masked
      ioapic_write(io, 0x11 + 2 * pin, 0);
    }
    const uint32_t last = io.gsi_base + io.pins - 1;
    kernel::log_info("ioapic: {:#x}: GSIs {}-{}", info.ioapics[i].phys, io.gsi_base, last);
    if (last >= kMaxIrqs)
      kernel::log_warn("ioapic: GSIs from {} have no vector and are never routed", kMaxIrqs);
  }
}

namespace {

// Writes gsi's redirection entry: the line's vector, trigger mode and polarity, to APIC 0.
void program(const IoApic& io, const IrqLine& line, bool masked) {
  const unsigned pin = line.gsi - io.gsi_base;
  ioapic_write(io, 0x11 + 2 * pin, 0);  // destination: APIC 0
  ioapic_write(io, 0x10 + 2 * pin,
               (kVectorIrqBase + line.gsi) | (line.active_low ? 1u << 13 : 0) |
                   (line.level ? 1u << 15 : 0) | (masked ? 1u << 16 : 0));
}

}  // namespace

void irq_dispatch(unsigned vector) {
  const Handler& h = vector >= kVectorMsiBase ? msi_handlers[vector - kVectorMsiBase]
                                              : irq_handlers[vector - kVectorIrqBase];
  if (h.fn) h.fn(h.context);
}

}  // namespace x86
}  // namespace arch

namespace arch {

lib::Result<IrqLine> isa_irq_line(unsigned isa_irq) {
  if (isa_irq >= 16) return lib::Error::NotFound;
  IrqLine line{isa_irq, false, false};  // ISA default: edge, active high
  const kernel::acpi::Info& info = kernel::acpi::info();
  for (size_t i = 0; i < info.override_count; ++i) {
    const auto& o = info.overrides[i];
    if (o.source != isa_irq) continue;
    line.gsi = o.gsi;
    line.active_low = (o.flags & 3) == 3;
    line.level = ((o.flags >> 2) & 3) == 3;
  }
  return line;
}

bool irq_is_kernel_line(uint32_t gsi) {
  for (unsigned isa : {x86::kIsaIrqPit, x86::kIsaIrqCascade, x86::kIsaIrqCom1}) {
    auto line = isa_irq_line(isa);
    if (line.ok() && line.value().gsi == gsi) return true;
  }
  return false;
}

lib::Result<void> irq_attach(const IrqLine& line, void (*handler)(void*), void* context) {
  const x86::IoApic* io = x86::ioapic_of(line.gsi);
  if (!io || line.gsi >= x86::kMaxIrqs) return lib::Error::NotFound;
  const auto state = irq_save();
  x86::Handler& h = x86::irq_handlers[line.gsi];
  if (h.fn) {
    irq_restore(state);
    return lib::Error::Busy;
  }
  h = {handler, context, line};
  x86::program(*io, line, false);
  irq_restore(state);
  return {};
}

void irq_detach(uint32_t gsi) {
  const x86::IoApic* io = x86::ioapic_of(gsi);
  if (!io || gsi >= x86::kMaxIrqs) return;
  const auto state = irq_save();
  x86::Handler& h = x86::irq_handlers[gsi];
  if (h.fn) x86::program(*io, h.line, true);
  h = {};
  irq_restore(state);
}

void irq_set_masked(uint32_t gsi, bool masked) {
  const x86::IoApic* io = x86::ioapic_of(gsi);
  if (!io || gsi >= x86::kMaxIrqs) return;
  const auto state = irq_save();
  const x86::Handler& h = x86::irq_handlers[gsi];
  if (h.fn) x86::program(*io, h.line, masked);  // a detached line stays masked
  irq_restore(state);
}

// The address names local APIC 0 (physical destination mode, where the I/O APIC entries
// point too); the data is the vector, fixed delivery, edge-triggered (Intel SDM vol. 3,
// 11.11).
lib::Result<MsiMessage> msi_attach(void (*handler)(void*), void* context) {
  constexpr uint64_t kMsiAddress = 0xfee00000;
  const auto state = irq_save();
  for (unsigned i = 0; i < x86::kMaxMsi; ++i) {
    x86::Handler& h = x86::msi_handlers[i];
    if (h.fn) continue;
    h = {handler, context, {}};
    irq_restore(state);
    const uint32_t vector = x86::kVectorMsiBase + i;
    return MsiMessage{kMsiAddress, vector, vector};
  }
  irq_restore(state);
  return lib::Error::NoResources;
}

void msi_detach(uint32_t vector) {
  if (vector < x86::kVectorMsiBase || vector >= x86::kVectorMsiBase + x86::kMaxMsi) return;
  const auto state = irq_save();
  x86::msi_handlers[vector - x86::kVectorMsiBase] = {};
  irq_restore(state);
}

}  // namespace arch
