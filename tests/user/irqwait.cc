// A driver's interrupt loop, without the device work. Handles: log, control, an Interrupt.
// Three times: say "ready", wait for the interrupt, say "got it", wait for "cleared" (the
// test clears the device), acknowledge. Exits 0, or the failed step.
#include "user_test.h"

using namespace test;

namespace {

bool say(abi::Handle ch, uint64_t word) {
  abi::MessageBuffer m = data_message(&word, sizeof(word));
  return sys::channel_send(ch, &m) == abi::kOk;
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  const abi::Handle control = startup.handles[1], irq = startup.handles[2];
  for (uint64_t round = 0; round < 3; ++round) {
    if (!say(control, 1)) return 2;
    uint32_t signals = 0;
    if (sys::object_wait(irq, abi::kSignalReadable, sys::clock_now() + 5'000'000'000, &signals) !=
        abi::kOk)
      return 3;
    if (!say(control, 2)) return 4;
    uint64_t word = 0;
    abi::MessageBuffer cleared = data_message(&word, sizeof(word));
    if (receive(control, cleared) != abi::kOk) return 5;
    if (sys::interrupt_ack(irq) != abi::kOk) return 6;
  }
  return 0;
}
