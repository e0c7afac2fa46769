// Shared memory: two processes move records through a ring in a folio both have mapped, with
// only small notifications on a channel. Handles: log, control, the folio, the link to the
// peer. The first message on control gives the mode (1 writer, 2 reader) and the record
// count; each side sends the sum of the records it saw back on control.
#include "user_test.h"

using namespace test;

namespace {

constexpr uint32_t kSlots = 64;

struct Ring {
  uint64_t batch;  // records in the current batch
  uint64_t records[kSlots];
};

uint64_t record(uint64_t i) { return i * 2654435761u + 7; }

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 4) return 1;
  const abi::Handle control = startup.handles[1], folio = startup.handles[2],
                    link = startup.handles[3];
  uint64_t request[2] = {0, 0};
  abi::MessageBuffer first = data_message(request, sizeof(request));
  if (receive(control, first) < 0) return 2;
  const bool writer = request[0] == 1;
  const uint64_t count = request[1];

  uintptr_t address = 0;
  if (!writer && sys::folio_map(folio, true, &address) != abi::kErrAccessDenied) return 3;
  if (sys::folio_map(folio, writer, &address) != abi::kOk) return 4;
  auto* ring = reinterpret_cast<volatile Ring*>(address);

  uint64_t sum = 0, done = 0, token = 0;
  while (done < count) {
    abi::MessageBuffer note = data_message(&token, sizeof(token));
    if (writer) {
      const uint64_t n = count - done < kSlots ? count - done : kSlots;
      for (uint64_t i = 0; i < n; ++i) {
        ring->records[i] = record(done + i);
        sum += record(done + i);
      }
      ring->batch = n;
      if (sys::channel_send(link, &note) != abi::kOk) return 5;  // "a batch is ready"
      if (receive(link, note) != abi::kOk) return 6;             // "consumed"
      done += n;
    } else {
      if (receive(link, note) != abi::kOk) return 7;
      const uint64_t n = ring->batch;
      if (n == 0 || n > kSlots) return 8;
      for (uint64_t i = 0; i < n; ++i) sum += ring->records[i];
      done += n;
      if (sys::channel_send(link, &note) != abi::kOk) return 9;
    }
  }
  abi::MessageBuffer out = data_message(&sum, sizeof(sum));
  if (sys::channel_send(control, &out) != abi::kOk) return 10;
  return sys::folio_unmap(static_cast<uint64_t>(address)) == abi::kOk ? 0 : 11;
}
