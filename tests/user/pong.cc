// The other side of the ping-pong test. Handles: log, the channel to ping, a result channel.
// Answers every number n with 3n+1 (same call id) until ping's end closes, then sends the
// sum of its answers on the result channel. Serves with channel_reply_recv.
#include "user_test.h"

using namespace test;

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  const abi::Handle ping = startup.handles[1], result = startup.handles[2];
  uint64_t checksum = 0, value = 0;
  // Each answer goes with the wait for the next number, in one call.
  abi::MessageBuffer reply{}, m = data_message(&value, sizeof(value));
  int64_t r = sys::channel_reply_recv(ping, nullptr, &m);
  for (;;) {
    if (r == abi::kErrPeerClosed) break;
    if (r < 0 || m.data_size != sizeof(value)) return 2;
    value = 3 * value + 1;
    checksum += value;
    reply = data_message(&value, sizeof(value), m.call_id);
    m = data_message(&value, sizeof(value));  // the answer is copied out before this is filled
    r = sys::channel_reply_recv(ping, &reply, &m);
  }
  abi::MessageBuffer out = data_message(&checksum, sizeof(checksum));
  return sys::channel_send(result, &out) < 0 ? 4 : 0;
}
