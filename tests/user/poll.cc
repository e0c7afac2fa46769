// Wait sets and timers. Handles: log. Exits 0 if every check passes, else the failed step.
#include "user_test.h"

using namespace test;

int64_t stellina_main(const abi::StartupBlock& startup) {
  const auto poll = static_cast<abi::Handle>(sys::poll_create());
  const auto timer = static_cast<abi::Handle>(sys::timer_create());
  abi::Handle a[2];
  if (static_cast<int32_t>(poll) <= 0 || static_cast<int32_t>(timer) <= 0) return 1;
  if (sys::channel_create(a) != abi::kOk) return 2;
  if (sys::poll_add(poll, a[1], abi::kSignalReadable | abi::kSignalPeerClosed, 10) != abi::kOk)
    return 3;
  if (sys::poll_add(poll, timer, abi::kSignalReadable, 20) != abi::kOk) return 4;
  if (sys::poll_add(poll, timer, abi::kSignalReadable, 20) != abi::kErrInvalidArgument) return 5;
  if (sys::poll_add(poll, poll, abi::kSignalReadable, 30) != abi::kErrInvalidArgument) return 6;

  abi::PollEvent events[4];
  // Nothing is ready: a deadline ends the wait.
  uint64_t start = sys::clock_now();
  if (sys::poll_wait(poll, events, 4, start + 2'000'000) != abi::kErrTimedOut) return 7;
  if (sys::clock_now() - start < 2'000'000) return 8;

  // The timer fires after its deadline, not before.
  start = sys::clock_now();
  if (sys::timer_set(timer, start + 5'000'000) != abi::kOk) return 9;
  if (sys::poll_wait(poll, events, 4) != 1 || events[0].key != 20) return 10;
  if (sys::clock_now() - start < 5'000'000) return 11;
  // Level-triggered: still ready until re-armed or disarmed.
  if (sys::poll_wait(poll, events, 4) != 1) return 12;
  if (sys::timer_set(timer, 0) != abi::kOk) return 13;

  // A message makes the channel ready; receiving it makes it quiet again.
  uint64_t v = 1;
  abi::MessageBuffer m = data_message(&v, sizeof(v));
  if (sys::channel_send(a[0], &m) != abi::kOk) return 14;
  if (sys::poll_wait(poll, events, 4) != 1 || events[0].key != 10 ||
      !(events[0].signals & abi::kSignalReadable))
    return 15;
  if (sys::channel_recv(a[1], &m) != abi::kOk) return 16;
  if (sys::poll_wait(poll, events, 4, sys::clock_now() + 1'000'000) != abi::kErrTimedOut) return 17;

  // Closing the peer is reported; a removed entry is not.
  if (sys::handle_close(a[0]) != abi::kOk) return 18;
  if (sys::poll_wait(poll, events, 4) != 1 || !(events[0].signals & abi::kSignalPeerClosed))
    return 19;
  if (sys::poll_remove(poll, 10) != abi::kOk) return 20;
  if (sys::poll_remove(poll, 10) != abi::kErrNotFound) return 21;
  if (sys::poll_wait(poll, events, 4, sys::clock_now() + 1'000'000) != abi::kErrTimedOut) return 22;
  if (sys::poll_wait(poll, events, 0) != abi::kErrInvalidArgument) return 23;

  // A set of kMaxPollEntries: it grows past its first chunk, refuses one more, and reports
  // ready entries in turn, so that the first ones being always ready starves none.
  const auto big = static_cast<abi::Handle>(sys::poll_create());
  if (static_cast<int32_t>(big) <= 0) return 24;
  abi::Handle ready[2];
  if (sys::channel_create(ready) != abi::kOk) return 25;
  char byte = 'x';
  abi::MessageBuffer ping = data_message(&byte, 1);
  if (sys::channel_send(ready[0], &ping) != abi::kOk) return 26;  // ready[1] stays readable
  for (uint64_t key = 0; key < abi::kMaxPollEntries; ++key) {
    if (sys::poll_add(big, ready[1], abi::kSignalReadable, key) != abi::kOk) return 27;
  }
  if (sys::poll_add(big, ready[1], abi::kSignalReadable, 9999) != abi::kErrNoResources) return 28;
  abi::PollEvent many[abi::kMaxPollEvents];
  bool seen[abi::kMaxPollEntries] = {};
  for (uint32_t round = 0; round < abi::kMaxPollEntries / abi::kMaxPollEvents; ++round) {
    // Asking for more than kMaxPollEvents gets kMaxPollEvents.
    if (sys::poll_wait(big, many, 1000) != abi::kMaxPollEvents) return 29;
    for (const abi::PollEvent& e : many) {
      if (e.key >= abi::kMaxPollEntries || seen[e.key]) return 30;
      seen[e.key] = true;
    }
  }
  sys::handle_close(big);
  sys::handle_close(ready[0]);
  sys::handle_close(ready[1]);
  log(startup.handles[0], "poll: all checks passed");
  return 0;
}
