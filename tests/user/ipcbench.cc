// The user side of the IPC benchmark (bench/ipc). Handles: log, control, link. The first
// message on control gives the mode and the iteration count; the program then times each
// iteration with the TSC and sends its Report back on control, followed by the slow samples
// (those over kSlowFactor times the median) as Windows, for the kernel side to match against
// what the kernel did meanwhile (kernel/event_trace.h).
//   mode 1: null syscall (clock_now)
//   mode 2: channel round trip on link: send, wait, receive
//   mode 3: call round trip on link (channel_call)
//   mode 4: echo server on link: answers every message with the same call id until closed
//           (channel_reply_recv)
#include <lib/order_statistics.h>

#include "user_test.h"

using namespace test;

namespace {

constexpr uint32_t kMaxSamples = 200000;
uint32_t samples[kMaxSamples];          // ticks of each timed iteration
uint32_t sorted[kMaxSamples];           // the same, reordered by the percentiles
uint64_t starts[kMaxSamples];           // the TSC when each began
constexpr uint32_t kMaxWindows = 4096;  // slow samples sent back at most
constexpr uint32_t kWindowsPerMessage = abi::kMaxMessageData / (2 * sizeof(uint64_t));

// What the program sends back first, in ticks.
struct Report {
  uint64_t median, p99, n, p90, p999, max;
  uint64_t slow;          // samples over the threshold
  uint64_t threshold;     // kSlowFactor x median
  uint64_t window_count;  // slow samples that follow as (start, ticks) pairs, in order
};

// The goal a slow sample misses: the null syscall's p99 within twice its median, a round
// trip's within three times.
uint64_t slow_factor(uint64_t mode) { return mode == 1 ? 2 : 3; }

uint64_t rdtsc() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t{hi} << 32) | lo;
}

// Answers each request with channel_reply_recv: the reply and the wait for the next request
// in one syscall, so the client gets the CPU back as the server blocks.
int64_t serve(abi::Handle link) {
  uint64_t value = 0;
  abi::MessageBuffer reply{}, m = data_message(&value, sizeof(value));
  for (int64_t r = sys::channel_reply_recv(link, nullptr, &m);;
       r = sys::channel_reply_recv(link, &reply, &m)) {
    if (r == abi::kErrPeerClosed) return 0;
    if (r < 0) return 10;
    reply = data_message(&value, m.data_size, m.call_id);
    m = data_message(&value, sizeof(value));  // the reply is copied out before this is filled
  }
}

uint64_t rank(uint32_t n, unsigned per_mille) {
  return lib::kth_smallest(sorted, n, (static_cast<uint64_t>(n) * per_mille + 999) / 1000 - 1);
}

// Sends the Report, then the slow samples' windows, at most kWindowsPerMessage a message.
bool send_report(abi::Handle control, uint64_t mode, uint32_t n) {
  __builtin_memcpy(sorted, samples, n * sizeof(samples[0]));
  Report report{};
  report.median = rank(n, 500);
  report.p90 = rank(n, 900);
  report.p99 = rank(n, 990);
  report.p999 = rank(n, 999);
  report.max = rank(n, 1000);
  report.n = n;
  report.threshold = slow_factor(mode) * report.median;
  static uint64_t windows[2 * kMaxWindows];
  for (uint32_t i = 0; i < n; ++i) {
    if (samples[i] <= report.threshold) continue;
    if (report.window_count < kMaxWindows) {
      windows[2 * report.window_count] = starts[i];
      windows[2 * report.window_count + 1] = samples[i];
      ++report.window_count;
    }
    ++report.slow;
  }
  abi::MessageBuffer out = data_message(&report, sizeof(report));
  if (sys::channel_send(control, &out) < 0) return false;
  for (uint64_t sent = 0; sent < report.window_count; sent += kWindowsPerMessage) {
    const uint64_t count = report.window_count - sent < kWindowsPerMessage
                               ? report.window_count - sent
                               : kWindowsPerMessage;
    out = data_message(&windows[2 * sent], static_cast<uint32_t>(count * 2 * sizeof(uint64_t)));
    if (sys::channel_send(control, &out) < 0) return false;
  }
  return true;
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
    if (i >= warmup) {
      samples[i - warmup] = ticks > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ticks);
      starts[i - warmup] = start;
    }
  }
  return send_report(control, mode, n) ? 0 : 7;
}
