// A test driver: its device (env().device) is an interrupt line. Each interrupt is reported to the
// client as a Data message holding the count so far; a Data message from the client says the device
// is dealt with, and the component acknowledges the interrupt.
#include <stellina/component.h>

#include <irqcount_env.h>

using stellina::Bytes;
using stellina::Channel;

class IrqCount final : public stellina::ComponentWith<stellina::components::irqcount::Env> {
  void on_start() override {
    if (!watch_interrupt(env().device.interrupt).ok()) log("cannot watch the interrupt");
  }
  void on_connect(Channel ch) override {
    if (!listen(static_cast<Channel&&>(ch)).ok()) log("a client refused: too many channels");
  }
  void on_data(Channel& ch, Bytes) override {
    client_ = &ch;
    if (pending_) {
      pending_ = false;
      if (!ack_interrupt().ok()) log("cannot acknowledge the interrupt");
    } else {
      // "ready": report the count so far
      stellina::ignore(ch.send(Bytes{&count_, sizeof(count_)}), "the test reads every report");
    }
  }
  void on_interrupt() override {
    ++count_;
    pending_ = true;
    if (client_) {
      stellina::ignore(client_->send(Bytes{&count_, sizeof(count_)}),
                       "the test reads every report");
    }
  }
  void on_peer_closed(Channel& ch) override {
    if (client_ == &ch) client_ = nullptr;
  }

  Channel* client_ = nullptr;
  uint64_t count_ = 0;
  bool pending_ = false;
};

STELLINA_COMPONENT(IrqCount)
