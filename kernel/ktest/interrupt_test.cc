// Manual (needs a second serial port, COM2: QEMU -serial null after the console, on q35; a
// microvm has one serial port): an Interrupt
// object on COM2's line, with the UART in loopback mode as the device. A user process waits
// for the interrupt and acknowledges it, as a driver would. Then the device manager's side:
// a user process claims lines through the platform capability (interrupt_create); its
// refusals run everywhere, without COM2.

#include <stellina/device.h>
#include <stellina/platform.h>

#include "kernel/acpi.h"
#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/interrupt.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/platform.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr uint16_t kCom2 = 0x2f8;
constexpr unsigned kCom2Irq = 3;

// COM2's line: ISA IRQ 3 after the firmware's overrides.
arch::IrqLine com2_line() {
  auto line = arch::isa_irq_line(kCom2Irq);
  return line.ok() ? line.value() : arch::IrqLine{kCom2Irq, false, false};
}

uint64_t next_word(Channel* ch) {
  Message* m = next_message(ch, 10 * kSecond);
  uint64_t word = 0;
  if (m && m->data_size == sizeof(word)) __builtin_memcpy(&word, m->data, sizeof(word));
  if (m) free_message(m);
  return word;
}

// Puts COM2 in loopback mode with its interrupt off; panics the test if there is no COM2.
void setup_com2() {
  arch::io_write(kCom2 + 7, 0x5a, 1);  // the scratch register answers if the UART is there
  KASSERT(arch::io_read(kCom2 + 7, 1) == 0x5a);
  arch::io_write(kCom2 + 1, 0x00, 1);  // no interrupts while setting up
  arch::io_write(kCom2 + 3, 0x03, 1);  // 8N1
  arch::io_write(kCom2 + 2, 0x00, 1);  // no FIFO: one byte, one interrupt
  arch::io_write(kCom2 + 4, 0x18, 1);  // loopback, OUT2
  while (arch::io_read(kCom2 + 5, 1) & 1) (void)arch::io_read(kCom2, 1);  // drain
}

KTEST(manual_interrupt_loopback) {
  setup_com2();

  auto created = InterruptObject::create(com2_line());
  KREQUIRE(created.ok());
  Ref<InterruptObject> irq = Ref<InterruptObject>::adopt(created.value());
  KEXPECT(InterruptObject::create(com2_line()).error() == lib::Error::Busy);  // one owner
  arch::io_write(kCom2 + 1, 0x01, 1);  // interrupt on received data

  Pair control = make_pair(), exit = make_pair();
  constexpr uint32_t kDriverRights = abi::kRightWrite | abi::kRightWait | abi::kRightRead;
  const SpawnHandle handles[] = {
      log_handle(), {control.user_end.get(), abi::kRightsAll}, {irq.get(), kDriverRights}};
  auto p = spawn_from_archive("irqwait", handles, 3, exit.user_end);
  KREQUIRE(p.ok());
  for (uint8_t round = 0; round < 3; ++round) {
    KREQUIRE(next_word(control.kernel_end.get()) == 1);  // ready
    arch::io_write(kCom2, 'A' + round, 1);               // loops back: data ready, interrupt
    KREQUIRE(next_word(control.kernel_end.get()) == 2);  // the driver saw it
    KEXPECT(arch::io_read(kCom2, 1) == 'A' + round);     // clear the device
    send_u64(control.kernel_end.get(), 3);               // cleared
  }
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  KEXPECT(irq->count() == 3);
  arch::io_write(kCom2 + 1, 0x00, 1);
  Ref<Process> process = p.release_value();
  drop(process, irq, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
  auto again = InterruptObject::create(com2_line());  // the line was freed with the object
  KEXPECT(again.ok());
  if (again.ok()) {
    SpinlockGuard guard(sched_lock);
    again.value()->release();
  }
}

}  // namespace
}  // namespace kernel

namespace kernel {
namespace {

using namespace ktest_user;
using Starter = lib::Result<Ref<Process>> (*)(const char*, const SpawnHandle*, size_t, Ref<Channel>,
                                              Ref<Silo>);

// The same driver component (tests/components/irqcount) in either isolation mode, on COM2.
void interrupt_component_test(Starter start) {
  setup_com2();
  auto created = InterruptObject::create(com2_line());
  KREQUIRE(created.ok());
  Ref<InterruptObject> irq = Ref<InterruptObject>::adopt(created.value());
  arch::io_write(kCom2 + 1, 0x01, 1);  // interrupt on received data
  Pair startup = make_pair(), exit = make_pair(), client = make_pair();
  const SpawnHandle handles[] = {log_handle(),
                                 {startup.user_end.get(), abi::kRightsAll},
                                 {irq.get(), abi::kRightWrite | abi::kRightWait | abi::kRightRead}};
  // What the startup server would queue: its device is the line, handle 2.
  abi::DeviceResources resources{};
  resources.interrupt = 2;
  auto m = Message::create(MessageKind::Data, 0, sizeof(resources));
  KREQUIRE(m.ok());
  __builtin_memcpy(m.value()->data, &resources, sizeof(resources));
  {
    SpinlockGuard guard(sched_lock);
    KREQUIRE(startup.kernel_end->send(m.value()).ok());
  }
  auto p = start("irqcount", handles, 3, exit.user_end, Ref<Silo>());
  KREQUIRE(p.ok());
  connect(startup.kernel_end.get(), client.user_end.get());
  drop(client.user_end);
  for (uint8_t round = 0; round < 3; ++round) {
    send_u64(client.kernel_end.get(), 0);                        // ready?
    KREQUIRE(next_word(client.kernel_end.get()) == round);       // ready, count so far
    arch::io_write(kCom2, 'a' + round, 1);                       // the device interrupts
    KREQUIRE(next_word(client.kernel_end.get()) == round + 1u);  // the driver saw it
    KEXPECT(arch::io_read(kCom2, 1) == 'a' + round);             // clear the device
    send_u64(client.kernel_end.get(), 0);                        // done: acknowledge
  }
  drop(client.kernel_end, startup.kernel_end);
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.code == 0);
  KEXPECT(irq->count() == 3);
  arch::io_write(kCom2 + 1, 0x00, 1);
  Ref<Process> process = p.release_value();
  drop(process, irq, startup.user_end, exit.kernel_end, exit.user_end);
}

KTEST(manual_interrupt_component_user) { interrupt_component_test(spawn_from_archive); }
KTEST(manual_interrupt_component_kernel) { interrupt_component_test(spawn_in_kernel); }

}  // namespace
}  // namespace kernel

namespace kernel {
namespace {

using namespace ktest_user;

// What tests/user/irqclaim.cc receives.
struct IrqClaimProbe {
  uint32_t gsi, flags;
  uint32_t kernel_gsis[3];
  uint32_t second_ioapic_gsi;
  uint32_t loopback;
};

uint32_t flags_of(const arch::IrqLine& line) {
  return (line.level ? abi::kInterruptLevel : 0) | (line.active_low ? abi::kInterruptActiveLow : 0);
}

// The device manager's side: irqclaim claims COM2's line through the platform capability and
// checks the refusals; with loopback (COM2 present) it also counts and acknowledges three
// interrupts, and the kernel makes COM2 interrupt once while the line is free.
void irqclaim_test(bool loopback) {
  Platform* platform = Platform::get();  // lives forever: made before counting
  const SpawnHandle log = log_handle();
  sched::sleep_ns(10'000'000);  // let earlier tests' exited threads be reaped first
  const auto heap_before = heap::stats();
  if (loopback) {
    setup_com2();
    arch::io_write(kCom2 + 1, 0x01, 1);  // interrupt on received data
  }
  const arch::IrqLine line = com2_line();
  IrqClaimProbe probe{line.gsi, flags_of(line), {}, 0, loopback ? 1u : 0u};
  probe.kernel_gsis[0] = arch::isa_irq_line(0).value().gsi;  // the PIT
  probe.kernel_gsis[1] = arch::isa_irq_line(2).value().gsi;  // the cascade
  probe.kernel_gsis[2] = arch::isa_irq_line(4).value().gsi;  // COM1, the console
  const acpi::Info& acpi = acpi::info();
  if (acpi.ioapic_count > 1) probe.second_ioapic_gsi = acpi.ioapics[1].gsi_base;

  Pair control = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {
      log,
      {control.user_end.get(), abi::kRightsAll},
      {platform, abi::kRightRead | abi::kRightManage | abi::kRightDuplicate}};
  auto p = spawn_from_archive("irqclaim", handles, 3, exit.user_end);
  KREQUIRE(p.ok());
  {
    auto m = Message::create(MessageKind::Data, 0, sizeof(probe));
    KREQUIRE(m.ok());
    __builtin_memcpy(m.value()->data, &probe, sizeof(probe));
    SpinlockGuard guard(sched_lock);
    KEXPECT(control.kernel_end->send(m.value()).ok());
  }
  if (loopback) {
    for (uint8_t round = 0; round < 3; ++round) {
      KREQUIRE(next_word(control.kernel_end.get()) == 1);  // ready
      arch::io_write(kCom2, 'a' + round, 1);               // loops back: data ready, interrupt
      KREQUIRE(next_word(control.kernel_end.get()) == 2);  // the driver saw it
      KEXPECT(arch::io_read(kCom2, 1) == 'a' + round);     // clear the device
      send_u64(control.kernel_end.get(), 3);               // cleared
    }
    KREQUIRE(next_word(control.kernel_end.get()) == 4);  // closed: the line is free
    arch::io_write(kCom2, 'z', 1);                       // an interrupt nobody owns
    sched::sleep_ns(10'000'000);
    KEXPECT(arch::io_read(kCom2, 1) == 'z');
    send_u64(control.kernel_end.get(), 5);
  }
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  if (info.code) print("ktest:   irqclaim: step {} failed ({})\n", info.code, info.detail);
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  if (loopback) arch::io_write(kCom2 + 1, 0x00, 1);
  Ref<Process> process = p.release_value();
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);

  // The process's lines died with it: the kernel can claim COM2's again, and nothing leaked.
  auto again = InterruptObject::create(line);
  KEXPECT(again.ok());
  if (again.ok()) {
    SpinlockGuard guard(sched_lock);
    again.value()->release();
  }
  for (int spin = 0; spin < 100 && heap::stats().live_allocations != heap_before.live_allocations;
       ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(heap::stats().live_allocations == heap_before.live_allocations);
}

KTEST(user_interrupt_create_refusals) { irqclaim_test(false); }
KTEST(manual_interrupt_create_loopback) { irqclaim_test(true); }

}  // namespace
}  // namespace kernel
