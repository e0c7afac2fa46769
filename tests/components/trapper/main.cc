// Trapper: a wasm component with a bug. 50 ms after it starts it stores to an address past
// the end of its linear memory: the engine traps, and the kernel ends it as a fault.
#include <stellina/component.h>

class Trapper final : public stellina::Component {
  static constexpr uintptr_t kPastMemory = 0xfffffff0;

  void on_start() override {
    stellina::ignore(set_timer(stellina::sys::clock_now() + 50'000'000),
                     "without the timer it only never traps");
  }
  void on_timer() override {
    log("storing to {:#x}", kPastMemory);
    *reinterpret_cast<volatile uint32_t*>(kPastMemory) = 1;
    log("the store to {:#x} went through", kPastMemory);
  }
};

STELLINA_COMPONENT(Trapper)
