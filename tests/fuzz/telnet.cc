// The telnet server's parser (lib/src/telnet.cc) on any client bytes, in pieces whose size the
// first byte chooses: commands, negotiation loops, subnegotiations of any length (NAWS with
// escaped bytes), IAC at every cut. Data passed on must never hold more bytes than came in,
// and what it sends back must stay bounded by what it was sent.
#include <lib/telnet.h>

#include <cstdlib>

namespace {

class Handler final : public lib::TelnetHandler {
 public:
  void telnet_data(const uint8_t* data, size_t size) override {
    for (size_t i = 0; i < size; ++i) sum_ += data[i];
    data_bytes += size;
  }
  void telnet_send(const uint8_t* data, size_t size) override {
    for (size_t i = 0; i < size; ++i) sum_ += data[i];
    sent_bytes += size;
  }
  void telnet_window_size(uint16_t columns, uint16_t rows) override { sum_ += columns + rows; }
  void telnet_command(uint8_t command) override { sum_ += command; }

  size_t data_bytes = 0;
  size_t sent_bytes = 0;

 private:
  unsigned sum_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = data[0] % 16 + 1;
  Handler handler;
  lib::TelnetServer server(handler);
  server.start();
  const size_t offer = handler.sent_bytes;
  for (size_t at = 1; at < size; at += piece) {
    server.receive(data + at, size - at < piece ? size - at : piece);
  }
  // Each byte of input is at most one data byte; each 3-byte negotiation gets at most one
  // 3-byte answer, plus a subnegotiation request per option at most.
  if (handler.data_bytes > size) std::abort();
  if (handler.sent_bytes > offer + 3 * size + 64) std::abort();
  return 0;
}
