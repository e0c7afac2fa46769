// Handle transfer. Handles: log, a channel to the test. Makes a new channel, sends one end
// to the test inside a Connect message, then waits on the other end for the test's message
// and echoes its payload back on the first channel.
#include "user_test.h"

using namespace test;

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return 1;
  const abi::Handle control = startup.handles[1];
  abi::Handle pair[2];
  if (sys::channel_create(pair) != abi::kOk) return 2;
  abi::MessageBuffer connect{};
  connect.kind = abi::MessageKind::Connect;
  connect.handles = &pair[1];
  connect.handle_count = 1;
  if (sys::channel_send(control, &connect) != abi::kOk) return 3;
  // The end we sent is no longer ours.
  abi::HandleInfo info;
  if (sys::handle_query(pair[1], &info) != abi::kErrBadHandle) return 4;
  char text[64];
  abi::MessageBuffer m = data_message(text, sizeof(text));
  if (receive(pair[0], m) != abi::kOk) return 5;
  abi::MessageBuffer echo = data_message(text, m.data_size);
  return sys::channel_send(control, &echo) == abi::kOk ? 0 : 6;
}
