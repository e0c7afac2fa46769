// Ticker: a Data message holding a number of milliseconds asks for a reply that many
// milliseconds later, on the same channel, saying how late (in ns) it actually came.
// Exercises the event loop's timer.
#include <stellina/component.h>

using stellina::Bytes;
using stellina::Channel;

class Ticker final : public stellina::Component {
  void on_connect(Channel ch) override {
    if (!listen(static_cast<Channel&&>(ch)).ok()) log("a client refused: too many channels");
  }
  void on_data(Channel& ch, Bytes data) override {
    uint64_t ms = 0;
    if (data.size != sizeof(ms)) return;
    __builtin_memcpy(&ms, data.data, sizeof(ms));
    requested_ = stellina::sys::clock_now();
    reply_to_ = &ch;  // the loop keeps watched channels in place
    if (!set_timer(requested_ + ms * 1'000'000).ok()) reply_to_ = nullptr;  // no tick to answer
  }
  void on_timer() override {
    const uint64_t elapsed = stellina::sys::clock_now() - requested_;
    if (reply_to_) {
      stellina::ignore(reply_to_->send(Bytes{&elapsed, sizeof(elapsed)}),
                       "a client that does not read loses its tick");
    }
  }
  void on_peer_closed(Channel& ch) override {
    if (reply_to_ == &ch) reply_to_ = nullptr;
  }

  Channel* reply_to_ = nullptr;
  uint64_t requested_ = 0;
};

STELLINA_COMPONENT(Ticker)
