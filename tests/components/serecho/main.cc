// SerEcho: holds the serial port for the serial test (tests/qemu/serial.py). It opens
// serial:, writes a banner, and sends back every byte typed: letters in capitals, CR as CR LF,
// other control bytes as ^X (so the test sees they came raw). Two bytes are commands: '!'
// opens serial: again (the newest holder has the port: the console closes the channel
// before), '#' stops reading for 5 s (typing meanwhile fills the queue: the console drops and
// counts what does not fit).
#include <stellina/component.h>

#include "serecho_env.h"

using stellina::Bytes;
using stellina::Channel;
namespace abi = stellina::abi;
namespace sys = stellina::sys;

class SerEcho final : public stellina::ComponentWith<stellina::components::serecho::Env> {
  static constexpr uint64_t kPauseNs = 5'000'000'000;

  void on_start() override { hold(); }

  void hold() {
    auto port = open("serial:");
    log("open serial: -> status {}", stellina::status_code(port));
    if (!port.ok()) return;
    auto kept = listen(port.release_value());
    if (!kept.ok()) return;
    port_ = kept.value();
    ++opens_;
    char banner[96];
    // The banner's second line ends in LF alone: the port must get it as it is.
    const size_t n = lib::format_to(banner, sizeof(banner),
                                    "serecho: ready (open {})\r\nraw: no CR added\n", opens_);
    stellina::ignore(port_->send(Bytes(banner, n)), "the test waits for the banner");
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch != port_) return;
    log("{} bytes typed", data.size);
    char* out = out_;
    size_t n = 0;
    bool again = false;
    for (size_t i = 0; i < data.size; ++i) {
      const char c = static_cast<const char*>(data.data)[i];
      if (c == '!') {
        again = true;
      } else if (c == '#') {
        log("paused for 5 s");
        pause(ch);
        stellina::ignore(set_timer(sys::clock_now() + kPauseNs), "the test would time out");
      } else if (c == '\r') {
        out[n++] = '\r';
        out[n++] = '\n';
      } else if ((c >= 0 && c < ' ') || c == 0x7f) {
        out[n++] = '^';
        out[n++] = static_cast<char>(c ^ 0x40);
      } else {
        out[n++] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      }
    }
    // A message holds at most kMaxMessageData bytes: two hold the answer.
    for (size_t at = 0; at < n; at += abi::kMaxMessageData) {
      const size_t size = n - at < abi::kMaxMessageData ? n - at : abi::kMaxMessageData;
      stellina::ignore(ch.send(Bytes(out + at, size)), "a full port loses its echo");
    }
    if (again) hold();
  }

  void on_timer() override {
    log("reading again");
    if (port_) resume(*port_);
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch == port_) {
      log("the serial port's channel closed");
      port_ = nullptr;
    } else {
      log("the console closed the channel that held the port before");
    }
  }

  Channel* port_ = nullptr;
  uint32_t opens_ = 0;
  char out_[2 * abi::kMaxMessageData];
};

STELLINA_COMPONENT(SerEcho)
