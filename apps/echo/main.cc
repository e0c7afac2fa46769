// Echo: answers every Data message with the same bytes. Open{"echo:"} gives a caller a fresh
// echo channel of its own. The smallest useful component, and the one that proves a component
// runs unchanged in user mode and inside the kernel.
#include <stellina/component.h>

using stellina::Bytes;
using stellina::Channel;

class Echo final : public stellina::Component {
  void on_connect(Channel ch) override { listen(static_cast<Channel&&>(ch)); }
  void on_data(Channel& ch, Bytes data) override { ch.send(data); }
  void on_open(Channel& ch, uint64_t call_id, const char* uri, size_t size) override {
    if (size != 5 || __builtin_memcmp(uri, "echo:", 5) != 0) {
      abort(ch, call_id, stellina::abi::kErrNotFound);
      return;
    }
    stellina::abi::Handle ends[2];
    if (stellina::sys::channel_create(ends) != stellina::abi::kOk) {
      abort(ch, call_id, stellina::abi::kErrNoResources);
      return;
    }
    listen(Channel(ends[0]));
    reply_open(ch, call_id, Channel(ends[1]));
  }
};

STELLINA_COMPONENT(Echo)
