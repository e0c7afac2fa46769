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
  log(startup.handles[0], "poll: all checks passed");
  return 0;
}
