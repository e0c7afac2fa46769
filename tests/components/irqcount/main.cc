// A test driver: its device (env().device) is an interrupt line. Each interrupt is reported to the
// client as a Data message holding the count so far; a Data message from the client says the device
// is dealt with, and the component acknowledges the interrupt.
#include <stellina/component.h>

#include <irqcount_env.h>

using stellina::Bytes;
using stellina::Channel;

class IrqCount final : public stellina::ComponentWith<stellina::components::irqcount::Env> {
  void on_start() override { watch_interrupt(env().device.interrupt); }
  void on_connect(Channel ch) override { listen(static_cast<Channel&&>(ch)); }
  void on_data(Channel& ch, Bytes) override {
    client_ = &ch;
    if (pending_) {
      pending_ = false;
      ack_interrupt();
    } else {
      ch.send(Bytes{&count_, sizeof(count_)});  // "ready": report the count so far
    }
  }
  void on_interrupt() override {
    ++count_;
    pending_ = true;
    if (client_) client_->send(Bytes{&count_, sizeof(count_)});
  }
  void on_peer_closed(Channel& ch) override {
    if (client_ == &ch) client_ = nullptr;
  }

  Channel* client_ = nullptr;
  uint64_t count_ = 0;
  bool pending_ = false;
};

STELLINA_COMPONENT(IrqCount)
