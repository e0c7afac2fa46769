// LateServe: answers "late:slow" kLateNs after it came, "late:fast" at once. Each answer is a
// fresh channel whose first message names the URI; the loop keeps the other end, and logs
// when the client closes it.
#include <stellina/component.h>

using stellina::Channel;
namespace abi = stellina::abi;
namespace sys = stellina::sys;

namespace {

constexpr uint64_t kLateNs = 1'000'000'000;
constexpr size_t kMaxHeld = 8;  // slow Opens waiting for their answer

struct Held {
  uint64_t call = 0;  // 0: free
  uint64_t due_ns = 0;
};

}  // namespace

class LateServe final : public stellina::Component {
  void on_open(Channel& ch, uint64_t call_id, const char* uri_text, size_t uri_size) override {
    const lib::StringView uri(uri_text, uri_size);
    if (uri == "late:fast") return answer(ch, call_id, "fast");
    if (uri != "late:slow") {
      stellina::ignore(abort(ch, call_id, abi::kErrNotFound), "the client sees it fail");
      return;
    }
    for (Held& h : held_) {
      if (h.call) continue;
      h = Held{call_id, sys::clock_now() + kLateNs};
      rearm();
      return;
    }
    stellina::ignore(abort(ch, call_id, abi::kErrNoResources), "the client sees it fail");
  }

  void on_timer() override {
    const uint64_t now = sys::clock_now();
    for (Held& h : held_) {
      if (!h.call || h.due_ns > now) continue;
      answer(parent(), h.call, "slow");
      log("answered slow call {} late", h.call);
      h.call = 0;
    }
    rearm();
  }

  void on_peer_closed(Channel& ch) override {
    const char* name = context_of<const char>(ch);
    if (name && lib::StringView(name) == "slow")
      log("the client closed slow resource {}", ++slow_closed_);
  }

  // Makes a channel, says which URI it answers on the end it gives, keeps the other.
  void answer(Channel& ch, uint64_t call_id, const char* name) {
    abi::Handle ends[2];
    if (sys::channel_create(ends) != abi::kOk) {
      stellina::ignore(abort(ch, call_id, abi::kErrNoResources), "the client sees it fail");
      return;
    }
    Channel kept(ends[0]);
    Channel given(ends[1]);
    if (!kept.send(name).ok() ||
        !listen(static_cast<Channel&&>(kept), const_cast<char*>(name)).ok())
      return log("FAIL: cannot keep the {} resource", name);
    stellina::ignore(reply_open(ch, call_id, static_cast<Channel&&>(given)),
                     "a client that left closes it");
  }

  void rearm() {
    uint64_t next = 0;
    for (const Held& h : held_)
      if (h.call && (!next || h.due_ns < next)) next = h.due_ns;
    if (next && !set_timer(next).ok()) log("FAIL: cannot set the timer");
  }

  Held held_[kMaxHeld];
  uint64_t slow_closed_ = 0;  // the late answers the client closed
};

STELLINA_COMPONENT(LateServe)
