// The log under load: a process flooding it is held to its rate (the rest dropped and
// counted) while another process keeps answering, and console output that finds its queue
// full is dropped whole, counted and reported.

#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

// Sends n to pong and waits for 3n + 1; returns the round trip in ns, or 0 if no answer.
uint64_t ping(Channel* link, uint64_t n) {
  const uint64_t start = arch::now_ns();
  send_u64(link, n);
  Message* m = next_message(link, 5 * kSecond);
  if (!m) return 0;
  uint64_t answer = 0;
  if (m->data_size == sizeof(answer)) __builtin_memcpy(&answer, m->data, sizeof(answer));
  free_message(m);
  return answer == 3 * n + 1 ? arch::now_ns() - start : 0;
}

// Whether a message waits on ch (without taking it).
bool has_message(Channel* ch) {
  SpinlockGuard guard(sched_lock);
  return ch->peek() != nullptr;
}

KTEST(manual_log_flood_is_rate_limited) {
  constexpr uint64_t kRecords = 200000;
  const LogStats stats_before = log_stats();
  Pair control = make_pair(), exit = make_pair();
  Pair link = make_pair(), result = make_pair(), pong_exit = make_pair();
  const SpawnHandle flood_handles[] = {log_handle(), {control.user_end.get(), abi::kRightsAll}};
  const SpawnHandle pong_handles[] = {log_handle(),
                                      {link.user_end.get(), abi::kRightsAll},
                                      {result.user_end.get(), abi::kRightsAll}};
  auto flood = spawn_from_archive("logflood", flood_handles, 2, exit.user_end);
  auto pong = spawn_from_archive("pong", pong_handles, 3, pong_exit.user_end);
  KREQUIRE(flood.ok() && pong.ok());
  const uint64_t start = arch::now_ns();
  send_u64(control.kernel_end.get(), kRecords);
  // pong must keep answering while the flood goes on.
  uint64_t pings = 0, unanswered = 0, slowest = 0;
  while (!has_message(control.kernel_end.get()) && arch::now_ns() - start < 120 * kSecond) {
    const uint64_t rtt = ping(link.kernel_end.get(), pings++);
    if (rtt == 0) ++unanswered;
    if (rtt > slowest) slowest = rtt;
  }
  const uint64_t elapsed = arch::now_ns() - start;
  Message* m = next_message(control.kernel_end.get(), kSecond);
  KREQUIRE(m);
  uint64_t failed = 1;
  if (m->data_size == sizeof(failed)) __builtin_memcpy(&failed, m->data, sizeof(failed));
  free_message(m);
  KEXPECT(failed == 0);  // a dropped record is not the writer's error
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  uint64_t dropped;
  {
    SpinlockGuard guard(sched_lock);
    dropped = flood.value()->log_dropped();
  }
  // At most the burst and the rate over the time it ran got through.
  const uint64_t allowed = Process::kLogBurst + Process::kLogPerSecond * (elapsed / kSecond + 1);
  print(
      "ktest:   flood: {} records in {} ms, {} dropped over the rate; pong answered {} pings, "
      "slowest {} us\n",
      kRecords, elapsed / 1'000'000, dropped, pings - unanswered, slowest / 1000);
  KEXPECT(dropped + allowed >= kRecords);
  KEXPECT(log_stats().rate_limited - stats_before.rate_limited == dropped);
  KEXPECT(log_contains("[logflood] ") && log_contains("records dropped (over its log rate)"));
  // Answered all along (each ping waits 5 s at most); how fast is for the figures, not a test.
  KEXPECT(pings >= 3 && unanswered == 0);
  Ref<Process> flood_process = flood.release_value(), pong_process = pong.release_value();
  drop(link.kernel_end, flood_process, control.kernel_end, control.user_end, exit.kernel_end,
       exit.user_end);
  KEXPECT(wait_exit(pong_exit.kernel_end.get(), &info) && info.code == 0);
  drop(pong_process, link.user_end, result.kernel_end, result.user_end, pong_exit.kernel_end,
       pong_exit.user_end);
}

// Lines logged with interrupts off cannot wait for the UART: past the queue's room they are
// dropped whole and counted, and the next line that fits says how many.
KTEST(console_queue_drops_whole_records_when_full) {
  constexpr int kLines = 400;  // 400 lines of about 100 bytes: more than the 16 KiB queue
  const uint64_t before = log_stats().console_dropped;
  {
    Spinlock lock;
    SpinlockGuard guard(lock);  // interrupts off: as in a handler
    for (int i = 0; i < kLines; ++i) {
      log_info(
          "console overflow line {:>3} ..........................................................",
          i);
    }
  }
  const uint64_t dropped = log_stats().console_dropped - before;
  log_info("console overflow: {} lines dropped", dropped);
  KEXPECT(dropped > 0 && dropped < kLines);
  // Every line is in the log's ring all the same (the ring keeps the latest 256).
  KEXPECT(log_contains("console overflow line 399"));
}

}  // namespace
}  // namespace kernel
