// Floods the kernel log. Handles: log, control. Receives a count n on control, writes n
// records as fast as it can, answers with the number of calls that failed, and exits.
#include "user_test.h"

using namespace test;

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return 1;
  const abi::Handle control = startup.handles[1];
  uint64_t count = 0;
  abi::MessageBuffer m = data_message(&count, sizeof(count));
  if (receive(control, m) != abi::kOk || m.data_size != sizeof(count)) return 2;
  uint64_t failed = 0;
  char text[48] = "logflood: record ";
  const size_t prefix = length(text);
  for (uint64_t i = 0; i < count; ++i) {
    number(static_cast<int64_t>(i), text + prefix);
    if (sys::log_write(startup.handles[0], text, length(text)) != abi::kOk) ++failed;
  }
  abi::MessageBuffer reply = data_message(&failed, sizeof(failed));
  return sys::channel_send(control, &reply) == abi::kOk ? 0 : 3;
}
