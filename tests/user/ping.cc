// One side of the ping-pong test. Handles: log, the channel to pong, a result channel.
// Reads the round count from the result channel, makes that many calls to pong (each
// carrying a number, answered with 3n+1), and sends back the sum of the answers.
#include "user_test.h"

using namespace test;

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  const abi::Handle log_h = startup.handles[0], pong = startup.handles[1],
                    result = startup.handles[2];
  uint64_t rounds = 0;
  abi::MessageBuffer m = data_message(&rounds, sizeof(rounds));
  if (receive(result, m) < 0 || m.data_size != sizeof(rounds)) return 2;

  uint64_t checksum = 0;
  for (uint64_t i = 1; i <= rounds; ++i) {
    uint64_t value = i;
    abi::MessageBuffer call = data_message(&value, sizeof(value), i);
    if (sys::channel_call(pong, &call) < 0 || call.call_id != i) return 3;
    checksum += value;
  }
  abi::MessageBuffer out = data_message(&checksum, sizeof(checksum));
  if (sys::channel_send(result, &out) < 0) return 4;
  log(log_h, "ping: done");
  return 0;
}
