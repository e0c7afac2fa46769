// The user side of the IPC benchmark (bench/ipc). Handles: log, control, link. The first
// message on control gives the mode and the iteration count; the program then times each
// iteration with the TSC and sends {median, p99, n} in ticks back on control.
//   mode 1: null syscall (clock_now)
//   mode 2: channel round trip on link: send, wait, receive
//   mode 3: call round trip on link (channel_call)
//   mode 4: echo server on link: answers every message with the same call id until closed
#include <lib/order_statistics.h>

#include "user_test.h"

using namespace test;

namespace {

constexpr uint32_t kMaxSamples = 200000;
uint32_t samples[kMaxSamples];

uint64_t rdtsc() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t{hi} << 32) | lo;
}

int64_t serve(abi::Handle link) {
  for (;;) {
    uint64_t value;
    abi::MessageBuffer m = data_message(&value, sizeof(value));
    const int64_t r = receive(link, m);
    if (r == abi::kErrPeerClosed) return 0;
    if (r < 0) return 10;
    abi::MessageBuffer reply = data_message(&value, m.data_size, m.call_id);
    if (sys::channel_send(link, &reply) < 0) return 11;
  }
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  const abi::Handle control = startup.handles[1], link = startup.handles[2];
  uint64_t request[2] = {0, 0};  // mode, iterations
  abi::MessageBuffer first = data_message(request, sizeof(request));
  if (receive(control, first) < 0) return 2;
  const uint64_t mode = request[0];
  if (mode == 4) return serve(link);
  const uint32_t n = request[1] < kMaxSamples ? static_cast<uint32_t>(request[1]) : kMaxSamples;
  if (n == 0) return 3;
  const uint32_t warmup = n / 10;
  for (uint32_t i = 0; i < n + warmup; ++i) {
    uint64_t value = i;
    const uint64_t start = rdtsc();
    if (mode == 1) {
      sys::clock_now();
    } else if (mode == 2) {
      abi::MessageBuffer m = data_message(&value, sizeof(value));
      if (sys::channel_send(link, &m) < 0) return 4;
      if (receive(link, m) < 0) return 5;
    } else {
      abi::MessageBuffer m = data_message(&value, sizeof(value), i + 1);
      if (sys::channel_call(link, &m) < 0) return 6;
    }
    const uint64_t ticks = rdtsc() - start;
    if (i >= warmup)
      samples[i - warmup] = ticks > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ticks);
  }
  uint64_t report[3];
  report[0] = lib::percentile(samples, n, 50);
  report[1] = lib::percentile(samples, n, 99);
  report[2] = n;
  abi::MessageBuffer out = data_message(report, sizeof(report));
  return sys::channel_send(control, &out) < 0 ? 7 : 0;
}
