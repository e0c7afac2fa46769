// Allocation-failure injection: tests/user/churn.cc makes one pass over every syscall family
// (twice, with an interrupt line claimed and the platform asked each time), and the nth kernel
// allocation after it starts fails, for every n until the run no longer reaches it. Each time the
// kernel must answer with an error (no panic, no hang) and give back every object, heap allocation
// and page the run made.

#include "kernel/alloc_failure.h"
#include "kernel/arch.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/platform.h"
#include "kernel/silo.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr uint64_t kModeOnePass = 3;

struct Run {
  bool ended;     // the process ended in time
  bool reached;   // the armed allocation was reached (and failed)
  uint64_t made;  // allocations the run made
  int64_t code;   // the process's exit code: how many calls were refused
};

// One run of churn with the nth allocation after it starts failing (UINT64_MAX: none).
Run run_failing(uint64_t n) {
  constexpr uint32_t kLogRights =
      abi::kRightRead | abi::kRightWrite | abi::kRightDuplicate | abi::kRightTransfer;
  Pair control = make_pair(), exit = make_pair();  // the exit report is made under failure too
  const SpawnHandle handles[] = {{LogObject::get(), kLogRights},
                                 {control.user_end.get(), abi::kRightsAll},
                                 {&Silo::root(), abi::kRightRead | abi::kRightManage},
                                 {Platform::get(), abi::kRightRead | abi::kRightManage}};
  auto spawned = spawn_from_archive("churn", handles, 4, exit.user_end);
  KASSERT(spawned.ok());
  Ref<Process> process = spawned.release_value();
  // COM2's line: no one else claims it in this test.
  const arch::IrqLine line = arch::isa_irq_line(3).value();
  const uint64_t flags =
      (line.level ? abi::kInterruptLevel : 0) | (line.active_low ? abi::kInterruptActiveLow : 0);
  auto m = Message::create(MessageKind::Data, 0, 4 * sizeof(uint64_t));
  KASSERT(m.ok());
  const uint64_t words[4] = {kModeOnePass, 0, line.gsi, flags};
  __builtin_memcpy(m.value()->data, words, sizeof(words));
  Run run{};
  {
    SpinlockGuard guard(sched_lock);
    alloc_failure::arm(n);  // the message is made: counting starts with the run
    KASSERT(control.kernel_end->send(m.value()).ok());
    run.ended =
        wait_for_signals(process.get(), abi::kSignalTerminated, arch::now_ns() + 20 * kSecond).ok();
    if (!run.ended) process->terminate(-1, ExitReason::Killed, "hung", 0, 0);
    run.code = process->exit_record().code;
  }
  run.made = alloc_failure::counted();
  run.reached = alloc_failure::disarm();
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
  return run;
}

KTEST(manual_allocation_failures) {
  (void)LogObject::get();  // these live forever: made before the count
  (void)Platform::get();
  // Two clean runs first make whatever the kernel keeps once made (slabs, page tables of
  // the stack area).
  KREQUIRE(run_failing(UINT64_MAX).ended);
  const Run clean = run_failing(UINT64_MAX);
  KREQUIRE(clean.ended && !clean.reached);
  KEXPECT(clean.code == 0);  // with nothing failing, every call succeeds
  print("ktest:   a run makes {} allocations, {} calls refused\n", clean.made, clean.code);
  Usage before = settled_usage(usage());
  constexpr uint64_t kMaxAllocations = 20000;  // far more than a run makes
  uint64_t n = 1, leaks = 0, hangs = 0, refused = 0, killed = 0;
  for (; n <= kMaxAllocations; ++n) {
    const Run run = run_failing(n);
    refused += run.code > 0 ? 1 : 0;  // a call returned an error
    killed += run.code < 0 ? 1 : 0;   // a page fault could not get its page
    if (!run.ended) {
      ++hangs;
      print("ktest:   allocation {} failing: the run hung\n", n);
    }
    const Usage after = settled_usage(before);
    if (!(after == before)) {
      ++leaks;
      print("ktest:   allocation {} failing: objects {} -> {}, heap {} -> {}, pages {} -> {}\n", n,
            before.objects, after.objects, before.heap_allocations, after.heap_allocations,
            before.free_pages, after.free_pages);
      before = after;  // report each leak once
    }
    if (!run.reached) break;  // the run made fewer than n allocations: each has failed once
  }
  print(
      "ktest:   {} allocations failed one by one ({} runs saw a call refused, {} were killed): "
      "{} leaks, {} hangs\n",
      n - 1, refused, killed, leaks, hangs);
  KEXPECT(n > 1 && n <= kMaxAllocations);
  KEXPECT(leaks == 0);
  KEXPECT(hangs == 0);
}

}  // namespace
}  // namespace kernel
