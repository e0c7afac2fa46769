// Threads in one process. Handles: log, control. The first message on control picks:
//   1: four threads sum ranges into a shared array; main waits on their handles and checks
//      the sums; one thread blocks forever on a channel; main exits the process with 0, which
//      must end the blocked thread too (the test then sees exit code 0).
//   2: a second thread faults: the whole process is killed (reason Fault).
//   3: every thread, main included, ends with thread_exit; the last one's code (7) becomes
//      the process's exit code.
#include "user_test.h"

using namespace test;

namespace {

constexpr int kWorkers = 4;
alignas(16) uint8_t stacks[kWorkers + 2][16384];
uint64_t sums[kWorkers];
abi::Handle blocker_channel;

void* stack_top(int i) { return stacks[i] + sizeof(stacks[i]); }

void worker(uint64_t index) {
  uint64_t sum = 0;
  for (uint64_t i = index * 1000; i < (index + 1) * 1000; ++i) sum += i;
  sums[index] = sum;
  sys::thread_exit(0);
}

void blocker(uint64_t) {
  sys::object_wait(blocker_channel, abi::kSignalReadable);  // nothing ever comes
  sys::thread_exit(99);
}

void faulter(uint64_t) {
  *reinterpret_cast<volatile int*>(16) = 1;
  sys::thread_exit(98);
}

void last(uint64_t) {
  sys::object_wait(blocker_channel, abi::kSignalReadable, sys::clock_now() + 20'000'000);
  sys::thread_exit(7);
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return 1;
  uint64_t mode = 0;
  abi::MessageBuffer first = data_message(&mode, sizeof(mode));
  if (receive(startup.handles[1], first) < 0) return 2;
  abi::Handle pair[2];
  if (sys::channel_create(pair) != abi::kOk) return 3;
  blocker_channel = pair[0];

  if (mode == 2) {
    if (sys::thread_create(faulter, stack_top(0), 0) <= 0) return 4;
    sys::object_wait(pair[0], abi::kSignalReadable);  // killed while waiting
    return 5;
  }
  if (mode == 3) {
    if (sys::thread_create(last, stack_top(0), 0) <= 0) return 6;
    sys::thread_exit(3);  // main goes first; the other thread's code wins
  }

  if (sys::thread_create(worker, nullptr, 0) != abi::kErrInvalidArgument) return 7;
  abi::Handle threads[kWorkers];
  for (int i = 0; i < kWorkers; ++i) {
    const int64_t h = sys::thread_create(worker, stack_top(i), static_cast<uint64_t>(i));
    if (h <= 0) return 8;
    threads[i] = static_cast<abi::Handle>(h);
  }
  for (int i = 0; i < kWorkers; ++i) {
    if (sys::object_wait(threads[i], abi::kSignalTerminated) != abi::kOk) return 9;
    const uint64_t base = static_cast<uint64_t>(i) * 1000;
    if (sums[i] != 1000 * base + 999 * 1000 / 2) return 10;
  }
  if (sys::thread_create(blocker, stack_top(kWorkers), 0) <= 0) return 11;
  log(startup.handles[0], "threads: workers done, exiting with a thread still blocked");
  return 0;  // process_exit: the blocked thread must end as well
}
