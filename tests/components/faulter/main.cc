// Faulter: a component with a bug. 50 ms after it starts it writes to an address in the
// first page, which nothing maps, so the CPU refuses the write.
#include <stellina/component.h>

class Faulter final : public stellina::Component {
  static constexpr uintptr_t kUnmapped = 0x10;

  void on_start() override {
    stellina::ignore(set_timer(stellina::sys::clock_now() + 50'000'000),
                     "without the timer it only never faults");
  }
  void on_timer() override {
    log("writing to {:#x}", kUnmapped);
    *reinterpret_cast<volatile uint32_t*>(kUnmapped) = 1;
    log("the write to {:#x} went through", kUnmapped);
  }
};

STELLINA_COMPONENT(Faulter)
