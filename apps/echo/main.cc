// Echo: answers every Data message with the same bytes. The smallest useful component, and
// the one that proves a component runs unchanged in user mode and inside the kernel.
#include <stellina/component.h>

using stellina::Bytes;
using stellina::Channel;

class Echo final : public stellina::Component {
  void on_connect(Channel ch) override { listen(static_cast<Channel&&>(ch)); }
  void on_data(Channel& ch, Bytes data) override { ch.send(data); }
};

STELLINA_COMPONENT(Echo)
