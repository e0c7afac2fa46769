// LateOpen: opens "late:slow" kSlowOpens times, giving up on each after 100 ms (lateserve
// answers it a second late), then, with those answers still to come, "late:fast": it must
// get its own answer, the channel that says "fast". The late answers are dropped by the kernel as
// they come (each channel_call gave its call up), which closes their channels (lateserve logs each
// close). Then it opens "late:fast" once more, after the
// late answers came, and must again get "fast".
#include <stellina/component.h>

using stellina::Channel;
namespace abi = stellina::abi;
namespace sys = stellina::sys;

namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kGiveUpNs = 100 * kMs;
constexpr int kSlowOpens = 3;
constexpr uint64_t kAfterLateNs = 3'000 * kMs;  // past lateserve's second, with room

}  // namespace

class LateOpen final : public stellina::Component {
  void on_start() override {
    for (int i = 0; i < kSlowOpens; ++i) {
      const auto slow = open("late:slow", kGiveUpNs);
      if (stellina::status_code(slow) != abi::kErrTimedOut)
        return log("FAIL: open late:slow -> status {}, not timed out", stellina::status_code(slow));
    }
    log("gave up on {} slow opens", kSlowOpens);
    if (!open_fast("before the late answers")) return;
    if (!set_timer(sys::clock_now() + kAfterLateNs).ok()) log("FAIL: cannot set the timer");
  }

  void on_timer() override {
    if (open_fast("after the late answers")) log("done");
  }

  // Opens late:fast and reads what its channel says: it must be "fast".
  bool open_fast(const char* when) {
    auto fast = open("late:fast");
    if (!fast.ok()) {
      log("FAIL: open late:fast {} -> status {}", when, stellina::status_code(fast));
      return false;
    }
    const Channel& ch = fast.value();
    char said[16] = {};
    abi::MessageBuffer m{};
    m.data = said;
    m.data_capacity = sizeof(said) - 1;
    const uint64_t deadline = sys::clock_now() + 5'000 * kMs;
    int64_t r = abi::kErrWouldBlock;
    while ((r = sys::channel_recv(ch.get(), &m)) == abi::kErrWouldBlock) {
      if (sys::object_wait(ch.get(), abi::kSignalReadable | abi::kSignalPeerClosed, deadline) !=
          abi::kOk)
        break;
    }
    if (r != abi::kOk || lib::StringView(said) != "fast") {
      log("FAIL: open late:fast {} got a channel that says '{}' (status {})", when, said, r);
      return false;
    }
    log("open late:fast {}: its own answer", when);
    return true;
  }
};

STELLINA_COMPONENT(LateOpen)
