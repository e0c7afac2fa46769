// virtio-rng: the driver of a virtio entropy device (virtio 1.x over virtio-mmio or
// virtio-pci). It sets its device (env().device) up at start. It keeps one request
// in the device at a time: a client's Data message (the byte count as text; empty for 32) is
// answered with that many bytes of entropy, up to 256 (a larger count gets 256; text that is
// not a decimal number is refused with kErrInvalidArgument).
#include <lib/checked_number.h>
#include <stellina/component.h>

#include <virtio-rng_env.h>

#include "drivers/common/virtio_device.h"

namespace abi = stellina::abi;
using stellina::Bytes;
using stellina::Channel;

class VirtioRng final : public stellina::ComponentWith<stellina::components::virtio_rng::Env> {
  static constexpr uint32_t kRequestMax = 256;
  static constexpr size_t kBufferPage = 2;  // after the queue's two pages

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == &parent()) return;  // the startup server has nothing to send here
    const lib::StringView text(static_cast<const char*>(data.data), data.size);
    uint64_t want = 32;
    if (!text.empty()) {
      const lib::Result<uint64_t> count = lib::parse_decimal(text, kRequestMax);
      if (!count.ok() && count.error() != lib::Error::OutOfRange) {
        stellina::ignore(abort(ch, 0, abi::kErrInvalidArgument), "the client gets nothing");
        return;
      }
      want = count.ok() ? count.value() : kRequestMax;
      if (want == 0) want = 32;
    }
    if (waiting_ || !device_.ready()) {
      // One request at a time; a client whose queue is full misses the refusal and asks again.
      stellina::ignore(abort(ch, 0, abi::kErrWouldBlock), "the client asks again");
      return;
    }
    waiting_ = &ch;
    request(static_cast<uint32_t>(want));
  }

  void on_connect(Channel ch) override {
    if (!listen(static_cast<Channel&&>(ch)).ok()) log("a client refused: too many channels");
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch == waiting_) waiting_ = nullptr;  // its answer is dropped when it comes
  }

  void on_interrupt() override {
    device_.transport().interrupt_status();  // acknowledges
    lib::virtio::Completion done{};
    while (queue_.poll_used(done)) complete(done.length);
    if (!ack_interrupt().ok()) drivers::stop_driving(*this, "cannot acknowledge the interrupt");
  }

  void on_start() override {
    auto opened = device_.open(*this, env().device, 3);
    if (opened.ok()) {
      opened = lib::virtio::initialize(
                   device_.transport(), 0,
                   [&](uint64_t) -> lib::Result<void> {
                     TRY(lib::virtio::setup_queue(device_.transport(), 0, queue_,
                                                  device_.queue_memory(0), 16, false));
                     return {};
                   }).ok()
                   ? lib::Result<void>()
                   : lib::Result<void>(lib::Error::NotSupported);
    }
    if (!opened.ok()) {
      log("cannot drive the device: {}", lib::error_name(opened.error()));
      stop(1);
      return;
    }
    if (!watch_interrupt(env().device.interrupt).ok())
      return drivers::stop_driving(*this, "cannot watch the interrupt");
    request(32);  // a first sample, to show the device works
  }

  void request(uint32_t bytes) {
    const lib::virtio::Buffer b{device_.page_phys(kBufferPage), bytes, true};
    if (!queue_.submit(&b, 1).ok()) return;
    if (queue_.notify_needed()) device_.transport().notify(0);
  }

  void complete(uint32_t length) {
    const uint8_t* bytes = device_.page(kBufferPage);
    if (!first_done_) {
      first_done_ = true;
      log("{} bytes of entropy from the device, first {:02x}{:02x}{:02x}{:02x}", length, bytes[0],
          bytes[1], bytes[2], bytes[3]);
      return;
    }
    if (waiting_) {
      stellina::ignore(waiting_->send(Bytes{bytes, length}),
                       "a client that does not read loses its bytes");
    }
    waiting_ = nullptr;
  }

  drivers::VirtioDevice device_;
  lib::virtio::Queue queue_;
  Channel* waiting_ = nullptr;
  bool first_done_ = false;
};

STELLINA_COMPONENT(VirtioRng)
