// COM1, the 16550 UART at port 0x3f8: the console on every machine Stellina boots on.

#include "cpu.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "platform.h"

namespace arch {
namespace {

constexpr uint16_t kCom1 = 0x3f8;
void (*input_handler)(char) = nullptr;

void on_serial_irq(void*) {
  while (x86::inb(kCom1 + 5) & 0x01) {  // line status: data ready
    const char c = static_cast<char>(x86::inb(kCom1));
    if (input_handler) input_handler(c);
  }
}

void put(char c) {
  for (int spin = 0; spin < 100000 && !(x86::inb(kCom1 + 5) & 0x20); ++spin) {
  }
  x86::outb(kCom1, static_cast<uint8_t>(c));
}

}  // namespace

void console_init() {
  x86::outb(kCom1 + 1, 0x00);  // no interrupts yet
  x86::outb(kCom1 + 3, 0x80);  // divisor latch
  x86::outb(kCom1 + 0, 0x01);  // 115200 baud
  x86::outb(kCom1 + 1, 0x00);
  x86::outb(kCom1 + 3, 0x03);  // 8N1
  x86::outb(kCom1 + 2, 0xc7);  // FIFO on, cleared, 14-byte threshold
  x86::outb(kCom1 + 4, 0x0b);  // DTR, RTS, OUT2 (routes the interrupt)
}

void console_write_raw(const char* s, size_t n) {
  for (size_t i = 0; i < n; ++i) put(s[i]);
}

// With the FIFO on, THRE (line status bit 5) means the whole 16-byte FIFO is empty. No UART
// at the port reads all ones: idle, and the bytes go nowhere.
bool console_tx_idle() { return (x86::inb(kCom1 + 5) & 0x20) != 0; }

void console_tx_burst(const char* s, size_t n) {
  for (size_t i = 0; i < n && i < kConsoleBurst; ++i) x86::outb(kCom1, static_cast<uint8_t>(s[i]));
}

bool console_set_input_handler(void (*handler)(char)) {
  // No UART answers at the port: the bus reads all ones, line status included.
  if (x86::inb(kCom1 + 5) == 0xff) {
    kernel::log_warn("console: no serial port at COM1");
    return false;
  }
  input_handler = handler;
  auto line = isa_irq_line(x86::kIsaIrqCom1);
  if (!line.ok() || !irq_attach(line.value(), on_serial_irq, nullptr).ok()) {
    kernel::log_warn("console: no interrupt for COM1: typing will not work");
    return false;
  }
  x86::outb(kCom1 + 1, 0x01);  // interrupt on received data
  return true;
}

}  // namespace arch
