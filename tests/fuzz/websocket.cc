// The WebSocket receiver (lib/src/websocket.cc) on any client bytes, in pieces whose size the
// first byte chooses: frame headers of every length form, masks, fragmentation, control
// frames, close codes and reasons, text that is not UTF-8, lengths near 2^64. A message must
// never pass the limit, and nothing may arrive after the connection is closed.
#include <lib/websocket.h>

#include <cstdlib>

namespace {

constexpr uint64_t kMaxMessage = 4096;

class Handler final : public lib::WebSocketHandler {
 public:
  void websocket_data(bool, const uint8_t* data, size_t size) override {
    if (closed) std::abort();
    for (size_t i = 0; i < size; ++i) sum_ += data[i];
    message_bytes += size;
    if (message_bytes > kMaxMessage) std::abort();
  }
  void websocket_message_end(bool) override {
    if (closed) std::abort();
    message_bytes = 0;
  }
  void websocket_send(const uint8_t* data, size_t size) override {
    for (size_t i = 0; i < size; ++i) sum_ += data[i];
  }
  void websocket_closed(uint16_t code) override {
    if (closed) std::abort();
    closed = true;
    sum_ += code;
  }

  bool closed = false;
  uint64_t message_bytes = 0;

 private:
  unsigned sum_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = data[0] % 32 + 1;
  Handler handler;
  lib::WebSocketReceiver receiver(handler, kMaxMessage);
  for (size_t at = 1; at < size; at += piece) {
    receiver.receive(data + at, size - at < piece ? size - at : piece);
  }
  return 0;
}
