// Platform pieces of power control and port I/O that ACPI register descriptions refer to.

#include "cpu.h"
#include "kernel/acpi.h"
#include "platform.h"

namespace arch {

void reset_fallback() {
  asm volatile("cli");
  x86::outb(0xcf9, 0x02);  // PCI reset control: hard reset
  x86::outb(0xcf9, 0x06);
  for (int i = 0; i < 100000 && (x86::inb(0x64) & 0x02); ++i) {
  }
  x86::outb(0x64, 0xfe);  // keyboard controller: pulse the reset line
  // Last resort: an empty IDT turns the next exception into a triple fault.
  struct [[gnu::packed]] {
    uint16_t limit;
    uint64_t base;
  } empty{0, 0};
  asm volatile("lidt %0; int3" ::"m"(empty));
  halt_forever();
}

void debug_exit(uint8_t code) { x86::outb(0xf4, code); }

void io_write(uint16_t port, uint32_t value, unsigned width_bytes) {
  switch (width_bytes) {
    case 1: x86::outb(port, static_cast<uint8_t>(value)); break;
    case 2: x86::outw(port, static_cast<uint16_t>(value)); break;
    default: x86::outl(port, value); break;
  }
}

uint32_t io_read(uint16_t port, unsigned width_bytes) {
  switch (width_bytes) {
    case 1: return x86::inb(port);
    case 2: return x86::inw(port);
    default: return x86::inl(port);
  }
}

uintptr_t find_acpi_rsdp() {
  // The RSDP sits on a 16-byte boundary in the BIOS area, with the signature "RSD PTR ".
  for (uintptr_t p = 0xe0000; p < 0x100000; p += 16) {
    const auto* s = static_cast<const char*>(phys_to_virt(p));
    if (s[0] == 'R' && s[1] == 'S' && s[2] == 'D' && s[3] == ' ' && s[4] == 'P' && s[5] == 'T' &&
        s[6] == 'R' && s[7] == ' ')
      return p;
  }
  return 0;
}

void platform_init() {
  x86::pic_disable();
  x86::lapic_init(kernel::acpi::info().lapic_phys);
  x86::ioapic_init();
  x86::clock_init();
}

}  // namespace arch
