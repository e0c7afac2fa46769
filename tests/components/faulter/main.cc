// Faulter: a component with a bug. It starts a second thread, which logs and ends (inside the
// kernel it runs on a kernel stack of its own: no stack is given); 50 ms after it starts it
// writes to an address in the first page, which nothing maps, so the CPU refuses the write.
#include <stellina/component.h>

namespace {

namespace sys = stellina::sys;

void second_thread(uint64_t log) {
  constexpr lib::StringView kText = "a second thread runs";
  (void)sys::log_write(static_cast<stellina::abi::Handle>(log), kText.data(), kText.size());
  sys::thread_exit(0);
}

}  // namespace

class Faulter final : public stellina::Component {
  static constexpr uintptr_t kUnmapped = 0x10;

  void on_start() override {
    const int64_t thread = sys::thread_create(second_thread, nullptr, log_handle());
    if (thread < 0) log("no second thread: status {}", thread);
    stellina::ignore(set_timer(sys::clock_now() + 50'000'000),
                     "without the timer it only never faults");
  }
  void on_timer() override {
    log("writing to {:#x}", kUnmapped);
    *reinterpret_cast<volatile uint32_t*>(kUnmapped) = 1;
    log("the write to {:#x} went through", kUnmapped);
  }
};

STELLINA_COMPONENT(Faulter)
