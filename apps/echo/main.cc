// Echo: answers every Data message with the same bytes. Open{"echo:"} gives a caller a fresh
// echo channel of its own. The smallest useful component, and the one that proves a component
// runs unchanged in user mode and inside the kernel.
#include <stellina/component.h>

using stellina::Bytes;
using stellina::Channel;

class Echo final : public stellina::Component {
  void on_connect(Channel ch) override {
    if (!listen(static_cast<Channel&&>(ch)).ok()) log("a client refused: too many channels");
  }
  void on_data(Channel& ch, Bytes data) override {
    stellina::ignore(ch.send(data), "a client that does not read loses its echo");
  }
  void on_open(Channel& ch, uint64_t call_id, const char* uri, size_t size) override {
    if (lib::StringView(uri, size) != "echo:") {
      return stellina::ignore(abort(ch, call_id, stellina::abi::kErrNotFound),
                              "a caller that left wants no answer");
    }
    stellina::abi::Handle ends[2];
    if (stellina::sys::channel_create(ends) != stellina::abi::kOk) {
      return stellina::ignore(abort(ch, call_id, stellina::abi::kErrNoResources),
                              "a caller that left wants no answer");
    }
    if (!listen(Channel(ends[0])).ok()) {
      return stellina::ignore(abort(ch, call_id, stellina::abi::kErrNoResources),
                              "a caller that left wants no answer");
    }
    stellina::ignore(reply_open(ch, call_id, Channel(ends[1])),
                     "a caller that left closes its session with its answer");
  }
};

STELLINA_COMPONENT(Echo)
