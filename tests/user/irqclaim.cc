// A device manager's side of interrupts: claims a line through the platform capability,
// checks every refusal, and (with a device that interrupts) waits for and acknowledges its
// interrupts. Handles: log, control, the platform (kRightRead | kRightManage |
// kRightDuplicate).
// The first message on control is an IrqClaimProbe. With `loopback`, three rounds as in
// irqwait: say 1 "ready", wait for the interrupt, say 2, wait for "cleared", acknowledge;
// then close the line and say 4, and after the kernel's "done" (the device interrupted
// while the line was free) claim it again and see nothing. Exits 0, or the step that failed.
#include "user_test.h"

using namespace test;

namespace {

struct IrqClaimProbe {
  uint32_t gsi, flags;         // the line to claim (COM2's)
  uint32_t kernel_gsis[3];     // lines the kernel keeps: the PIT's, the cascade's, COM1's
  uint32_t second_ioapic_gsi;  // the first GSI of a second I/O APIC; 0 if none
  uint32_t loopback;           // 1: the line's device interrupts on the kernel's command
};

constexpr uint32_t kIrqRights = abi::kRightRead | abi::kRightWrite | abi::kRightWait |
                                abi::kRightDuplicate | abi::kRightTransfer;
constexpr uint64_t kMillisecond = 1'000'000;

bool say(abi::Handle ch, uint64_t word) {
  abi::MessageBuffer m = data_message(&word, sizeof(word));
  return sys::channel_send(ch, &m) == abi::kOk;
}

uint64_t hear(abi::Handle ch) {
  uint64_t word = 0;
  abi::MessageBuffer m = data_message(&word, sizeof(word));
  return receive(ch, m) == abi::kOk ? word : ~uint64_t{0};
}

// Whether the object raises kSignalReadable within ms milliseconds.
bool readable_within(abi::Handle h, uint64_t ms) {
  uint32_t signals = 0;
  return sys::object_wait(h, abi::kSignalReadable, sys::clock_now() + ms * kMillisecond,
                          &signals) == abi::kOk;
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  const abi::Handle control = startup.handles[1], platform = startup.handles[2];
  IrqClaimProbe probe{};
  abi::MessageBuffer first = data_message(&probe, sizeof(probe));
  if (receive(control, first) < 0 || first.data_size != sizeof(probe)) return 2;

  // Refusals: not a platform, no kRightManage, GSIs no I/O APIC serves (including one that
  // would be COM2's if the kernel cut it to 32 bits), unknown flags, the kernel's own lines.
  if (sys::interrupt_create(control, probe.gsi, 0) != abi::kErrWrongType) return 10;
  const int64_t read_only = sys::handle_duplicate(platform, abi::kRightRead);
  if (read_only <= 0) return 11;
  if (sys::interrupt_create(static_cast<abi::Handle>(read_only), probe.gsi, probe.flags) !=
      abi::kErrAccessDenied)
    return 12;
  sys::handle_close(static_cast<abi::Handle>(read_only));
  if (sys::interrupt_create(platform, 1000, 0) != abi::kErrInvalidArgument) return 13;
  if (sys::interrupt_create(platform, ~0u, 0) != abi::kErrInvalidArgument) return 14;
  if (sys::syscall(abi::kSysInterruptCreate, platform, (uint64_t{1} << 32) | probe.gsi, 0) !=
      abi::kErrInvalidArgument)
    return 15;
  if (sys::interrupt_create(platform, probe.gsi, 1u << 2) != abi::kErrInvalidArgument) return 16;
  if (sys::interrupt_create(platform, probe.gsi, ~0u) != abi::kErrInvalidArgument) return 17;
  for (uint32_t gsi : probe.kernel_gsis) {
    if (sys::interrupt_create(platform, gsi, 0) != abi::kErrWouldBlock) return 18;
  }
  // Message-signalled interrupts: no GSI and no other flag; a message the caller cannot take
  // gives back its vector; each has a vector of its own until there are none left.
  abi::MsiMessage msi{};
  if (sys::interrupt_create(platform, 0, abi::kInterruptMsi | abi::kInterruptLevel) !=
      abi::kErrInvalidArgument)
    return 60;
  if (sys::syscall(abi::kSysInterruptCreate, platform, 0, abi::kInterruptMsi, 8) != abi::kErrFault)
    return 61;
  constexpr size_t kMsiVectors = 64;
  abi::Handle msis[kMsiVectors];
  uint32_t seen_data[kMsiVectors];
  for (size_t i = 0; i < kMsiVectors; ++i) {
    const int64_t h = sys::interrupt_create_msi(platform, &msi);
    if (h <= 0 || msi.address != 0xfee00000) return 62;
    for (size_t k = 0; k < i; ++k) {
      if (seen_data[k] == msi.data) return 63;  // a vector handed out twice
    }
    msis[i] = static_cast<abi::Handle>(h);
    seen_data[i] = msi.data;
  }
  if (sys::interrupt_create_msi(platform, &msi) != abi::kErrNoResources) return 64;
  sys::handle_close(msis[7]);  // its vector is free again
  const int64_t again = sys::interrupt_create_msi(platform, &msi);
  if (again <= 0 || msi.data != seen_data[7]) return 65;
  msis[7] = static_cast<abi::Handle>(again);
  for (size_t i = 0; i < kMsiVectors; ++i) sys::handle_close(msis[i]);

  // The line: one owner at a time, whatever the flags.
  const int64_t claimed = sys::interrupt_create(platform, probe.gsi, probe.flags);
  if (claimed <= 0) return 20;
  const auto irq = static_cast<abi::Handle>(claimed);
  abi::HandleInfo info{};
  if (sys::handle_query(irq, &info) != abi::kOk) return 21;
  if (info.type != abi::ObjectType::Interrupt || info.rights != kIrqRights) return 22;
  if (sys::interrupt_create(platform, probe.gsi, probe.flags) != abi::kErrWouldBlock) return 23;
  if (sys::interrupt_create(platform, probe.gsi, abi::kInterruptLevel) != abi::kErrWouldBlock)
    return 24;

  // A line of the second I/O APIC (microvm's virtio-mmio slots), level-triggered.
  if (probe.second_ioapic_gsi) {
    const int64_t second =
        sys::interrupt_create(platform, probe.second_ioapic_gsi, abi::kInterruptLevel);
    if (second <= 0) return 30;
    if (sys::interrupt_create(platform, probe.second_ioapic_gsi, 0) != abi::kErrWouldBlock)
      return 31;
    if (sys::handle_close(static_cast<abi::Handle>(second)) != abi::kOk) return 32;
    const int64_t again = sys::interrupt_create(platform, probe.second_ioapic_gsi, 0);
    if (again <= 0) return 33;
    sys::handle_close(static_cast<abi::Handle>(again));
  }

  if (probe.loopback) {
    for (uint64_t round = 0; round < 3; ++round) {
      if (!say(control, 1)) return 40;
      if (!readable_within(irq, 5000)) return 41;
      if (!say(control, 2)) return 42;
      if (hear(control) != 3) return 43;
      if (sys::interrupt_ack(irq) != abi::kOk) return 44;
    }
    if (readable_within(irq, 20)) return 45;  // acknowledged, and no more interrupts
  }

  // Closing the handle frees the line.
  if (sys::handle_close(irq) != abi::kOk) return 50;
  if (probe.loopback) {
    if (!say(control, 4)) return 51;
    if (hear(control) != 5) return 52;
  }
  const int64_t reclaimed = sys::interrupt_create(platform, probe.gsi, probe.flags);
  if (reclaimed <= 0) return 53;
  // What the device did while the line was free went nowhere: no interrupt for the new owner.
  if (readable_within(static_cast<abi::Handle>(reclaimed), 50)) return 54;
  if (sys::handle_close(static_cast<abi::Handle>(reclaimed)) != abi::kOk) return 55;
  return 0;
}
