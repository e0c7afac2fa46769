// The program spawnimage starts from an image in a folio. Handles: log, a channel end.
// Receives a number n, answers n + 1 on the same channel, and exits with code n: what its
// spawner sees proves the startup handles arrived in order and the image ran.
#include "user_test.h"

using namespace test;

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count != 2) return -1;
  const abi::Handle ch = startup.handles[1];
  uint64_t n = 0;
  abi::MessageBuffer m = data_message(&n, sizeof(n));
  if (receive(ch, m) != abi::kOk || m.data_size != sizeof(n)) return -2;
  uint64_t answer = n + 1;
  abi::MessageBuffer reply = data_message(&answer, sizeof(answer));
  if (sys::channel_send(ch, &reply) != abi::kOk) return -3;
  log(startup.handles[0], "imagechild: answered from an image in a folio");
  return static_cast<int64_t>(n);
}
