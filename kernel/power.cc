#include "kernel/power.h"

#include "kernel/acpi.h"
#include "kernel/arch.h"
#include "kernel/log.h"

namespace kernel::power {
namespace {

void wait_a_moment() {
  const uint64_t until = arch::now_ns() + 100'000'000;
  while (arch::now_ns() < until) {
  }
}

}  // namespace

void shutdown() {
  log_info("power: shutting down");
  arch::irq_save();
  log_flush();
  arch::halt_other_cpus();
  const acpi::Info& a = acpi::info();
  if (a.sleep_control.present()) {
    // SLP_TYPx in bits 2-4, SLP_EN in bit 5. QEMU's microvm uses sleep type 5 for S5.
    const uint8_t type = a.s5_sleep_type_a ? a.s5_sleep_type_a : 5;
    acpi::write_register(a.sleep_control, (type & 7u) << 2 | 1u << 5);
    wait_a_moment();
  }
  if (a.pm1a_control) {
    // SLP_TYPx in bits 10-12, SLP_EN in bit 13.
    arch::io_write(static_cast<uint16_t>(a.pm1a_control), (a.s5_sleep_type_a & 7u) << 10 | 1u << 13,
                   2);
    if (a.pm1b_control) {
      arch::io_write(static_cast<uint16_t>(a.pm1b_control),
                     (a.s5_sleep_type_b & 7u) << 10 | 1u << 13, 2);
    }
    wait_a_moment();
  }
  log_error("power: the machine did not turn off; halting");
  log_flush();
  arch::halt_forever();
}

void reboot() {
  log_info("power: rebooting");
  arch::irq_save();
  log_flush();
  arch::halt_other_cpus();
  const acpi::Info& a = acpi::info();
  if (a.reset.present()) {
    acpi::write_register(a.reset, a.reset_value);
    wait_a_moment();
  }
  arch::reset_fallback();
}

}  // namespace kernel::power
