// Starver: proves that the SDK's loop keeps a message whose handles find no room in the
// handle table queued, with its channel open, and delivers it once room was made and some
// other message was handled (tests/qemu/CMakeLists.txt, qemu.startup.handle_starved).
//
// It makes two channels of its own (waiting, other), fills its handle table with duplicates
// of a third channel's end, and sends itself one message carrying a handle on waiting. Then,
// on timers: (1) the message was not delivered and waiting is still open, and the loop did
// not spin meanwhile; it closes a batch of handles; (2) still nothing, since no other message
// was handled; it sends a message without handles on other; once that was handled the
// waiting message comes, with its handle. Every step is logged; a broken promise logs FAIL.
#include <stellina/component.h>

using stellina::Bytes;
using stellina::Channel;
namespace abi = stellina::abi;
namespace sys = stellina::sys;

class Starver final : public stellina::Component {
  // Long enough that the loop has tried the waiting message before the first step, however
  // slow the host.
  static constexpr uint64_t kStepNs = 1'000'000'000;
  static constexpr size_t kBatch = 16;  // handles closed to make room
  // Wakeups of the loop allowed while the message waits: the one that found it, the timer's.
  static constexpr uint64_t kMaxWakeups = 3;
  static constexpr lib::StringView kCarrier = "with a handle";  // the waiting message's data

  void on_start() override {
    if (!make_channels() || !set_timer(sys::clock_now() + 10 * kStepNs).ok()) {
      log("FAIL: cannot set up its channels and timer");
      return stop(1);
    }
    const size_t made = fill();
    if (made == 0) return stop(1);
    abi::Handle moved = fillers_[--filled_];
    if (!waiting_peer_
             .send(abi::MessageKind::Data, Bytes(kCarrier.data(), kCarrier.size()), 0, &moved, 1)
             .ok()) {
      log("FAIL: cannot send the message with a handle");
      return stop(1);
    }
    fill();  // the slot the moved handle left
    log("handle table full after {} duplicates: kErrNoResources; a message with a handle sent",
        made);
    wakeups_ = 0;
    stellina::ignore(set_timer(sys::clock_now() + kStepNs), "the test times out");
  }

  bool make_channels() {
    abi::Handle ends[2];
    if (sys::channel_create(ends) != abi::kOk) return false;
    waiting_ = Channel(ends[0]);
    waiting_peer_ = Channel(ends[1]);
    if (sys::channel_create(ends) != abi::kOk) return false;
    other_ = Channel(ends[0]);
    other_peer_ = Channel(ends[1]);
    if (sys::channel_create(ends) != abi::kOk) return false;
    filler_ = Channel(ends[0]);
    filler_peer_ = Channel(ends[1]);
    return watch(waiting_, &waiting_).ok() && watch(other_, &other_).ok();
  }

  // Duplicates filler_ until the table is full; returns how many it made.
  size_t fill() {
    size_t made = 0;
    while (filled_ < kMaxFillers) {
      const int64_t h = sys::handle_duplicate(filler_.get(), abi::kRightsAll);
      if (h < 0) {
        if (h != abi::kErrNoResources) log("FAIL: a duplicate -> status {}", h);
        return made;
      }
      fillers_[filled_++] = static_cast<abi::Handle>(h);
      ++made;
    }
    log("FAIL: {} duplicates and the table is not full", made);
    return made;
  }

  void after_events() override { ++wakeups_; }

  void on_timer() override {
    if (step_++ == 0) {
      check_waiting("while the table is full");
      if (wakeups_ > kMaxWakeups) log("FAIL: the loop woke {} times while full", wakeups_);
      for (size_t i = 0; i < kBatch; ++i) sys::handle_close(fillers_[--filled_]);
      log("closed {} handles; the loop woke {} times while full", kBatch, wakeups_);
      stellina::ignore(set_timer(sys::clock_now() + kStepNs), "the test times out");
      return;
    }
    check_waiting("with room made, before another message");
    const char text[] = "no handles";
    if (!other_peer_.send(Bytes(text, sizeof(text) - 1)).ok()) log("FAIL: cannot send on other");
  }

  void check_waiting(const char* when) {
    const bool open = waiting_.valid() && context_of<Channel>(waiting_) == &waiting_;
    if (delivered_ || !open) {
      log("FAIL: {}: the message was delivered or its channel closed", when);
    } else {
      log("{}: the message waits, its channel open", when);
    }
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == &other_) {
      other_handled_ = true;
      log("the other channel's message handled");
      return;
    }
    delivered_ = true;
    const abi::Handle carried = take_handle(0);
    const bool whole = data.size == kCarrier.size() && carried != abi::kInvalidHandle;
    if (!other_handled_ || step_ < 2 || !whole) {
      log("FAIL: the waiting message came too early or incomplete (step {})", step_);
    } else {
      log("the waiting message delivered after the other, with its handle");
    }
    sys::handle_close(carried);
    stop(0);
  }

  void on_peer_closed(Channel& ch) override {
    log("FAIL: the {} channel was closed", &ch == &waiting_ ? "waiting" : "other");
  }

  static constexpr size_t kMaxFillers = 8192;
  abi::Handle fillers_[kMaxFillers];
  size_t filled_ = 0;
  Channel waiting_, waiting_peer_, other_, other_peer_, filler_, filler_peer_;
  uint64_t wakeups_ = 0;
  uint32_t step_ = 0;
  bool delivered_ = false;
  bool other_handled_ = false;
};

STELLINA_COMPONENT(Starver)
