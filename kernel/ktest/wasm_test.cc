// Wasm isolation (kernel/wasm/): modules from ktest/wasm/*.wat run by the kernel's engine
// on threads of their own. Floats survive preemption, pointers are checked, a trap or a
// runaway loop ends only its component, and a silo's quotas hold: its memory for linear
// memory (at start and as it grows), its CPU share for the interpreter's thread.

#include <stellina/process.h>

#include "kernel/arch.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/ktest/wasm_modules.h"
#include "kernel/silo.h"
#include "kernel/thread.h"
#include "kernel/wasm/wasm_component.h"

namespace kernel {
namespace {

using namespace ktest_user;

KTEST_WASM_MODULE(float_sum)
KTEST_WASM_MODULE(syscalls)
KTEST_WASM_MODULE(traps)
KTEST_WASM_MODULE(grow)
KTEST_WASM_MODULE(initial_memory)

bool same(const char* a, const char* b) {
  size_t i = 0;
  while (a[i] && a[i] == b[i]) ++i;
  return a[i] == b[i];
}

// A component started from module with handle_count startup handles (the log, then none)
// that reports its end on exit.
struct Started {
  Ref<Process> process;
  Pair exit;
};

Started start(lib::ByteSpan module, size_t handle_count, Ref<Silo> silo = {}) {
  Started s{{}, make_pair()};
  SpawnHandle handles[4] = {log_handle()};
  auto p = spawn_wasm_module("wasm-test", module, handles, handle_count, s.exit.user_end,
                             static_cast<Ref<Silo>&&>(silo));
  KASSERT(p.ok());
  s.process = p.release_value();
  return s;
}

abi::ProcessExit finish(Started& s) {
  abi::ProcessExit info{};
  KEXPECT(wait_exit(s.exit.kernel_end.get(), &info));
  drop(s.process, s.exit.kernel_end, s.exit.user_end);
  return info;
}

// Two kernel threads marked as using the FPU (as wasm components' threads are) each keep a
// value of their own in xmm0 while they yield to each other: each must find its own there.
struct XmmProbe {
  uint64_t value;
  bool kept = true;
};

void xmm_probe_thread(void* arg) {
  auto* probe = static_cast<XmmProbe*>(arg);
  asm volatile("movq %0, %%xmm0" : : "r"(probe->value) : "xmm0");
  for (int i = 0; i < 50; ++i) {
    sched::yield();
    uint64_t seen = 0;
    asm volatile("movq %%xmm0, %0" : "=r"(seen));
    if (seen != probe->value) probe->kept = false;
  }
}

KTEST(wasm_thread_fpu_registers_kept) {
  XmmProbe probes[2] = {{0x1111'2222'3333'4444}, {0x5555'6666'7777'8888}};
  Thread* threads[2];
  for (int i = 0; i < 2; ++i) {
    auto t = Thread::create("xmm-probe", xmm_probe_thread, &probes[i]);
    KREQUIRE(t.ok());
    threads[i] = t.value();
    threads[i]->set_uses_fpu();
  }
  for (Thread* t : threads) t->start();
  for (Thread* t : threads) t->join();
  KEXPECT(probes[0].kept && probes[1].kept);
}

// Two components sum in f64 at once, preempted in the middle of their loops: each must find
// its own exact sum (exit code 0), so each kept its FPU registers across every switch.
KTEST(wasm_floats_kept_across_preemption) {
  static_cast<void>(log_handle());  // the log object is made at its first use: not a leak
  const Usage before = usage();
  Started a = start(float_sum_module(), 1), b = start(float_sum_module(), 1);
  const abi::ProcessExit ea = finish(a), eb = finish(b);
  KEXPECT(ea.reason == abi::ExitReason::Exited && ea.code == 0);
  KEXPECT(eb.reason == abi::ExitReason::Exited && eb.code == 0);
  KEXPECT(settled_usage(before) == before);  // the engine gave back all it took
}

// Syscalls with pointers inside and outside linear memory, and one wasm may not make.
KTEST(wasm_syscall_pointers_checked) {
  Pair channel = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {log_handle(), {channel.user_end.get(), abi::kRightsAll}};
  auto p = spawn_wasm_module("wasm-syscalls", syscalls_module(), handles, 2, exit.user_end);
  KREQUIRE(p.ok());
  Message* m = next_message(channel.kernel_end.get(), 10 * kSecond);
  KREQUIRE(m);
  int64_t results[4] = {1, 1, 1, 1};
  KEXPECT(m->kind == MessageKind::Data && m->data_size == sizeof(results));
  if (m->data_size == sizeof(results)) __builtin_memcpy(results, m->data, sizeof(results));
  free_message(m);
  KEXPECT(results[0] == 0);                      // log_write inside memory
  KEXPECT(results[1] == abi::kErrFault);         // log_write past its end
  KEXPECT(results[2] == abi::kErrNotSupported);  // thread_create
  KEXPECT(results[3] == abi::kErrFault);         // a MessageBuffer past its end
  KEXPECT(log_contains("hello"));
  abi::ProcessExit info{};
  KEXPECT(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 7);
  Ref<Process> process = p.release_value();
  drop(process, channel.kernel_end, channel.user_end, exit.kernel_end, exit.user_end);
}

// Each trap ends the component as a fault naming the trap; the kernel carries on.
KTEST(wasm_traps_end_only_the_component) {
  const Usage before = usage();
  const char* const expected[] = {"unreachable", "out of bounds memory access",
                                  "call stack exhausted"};
  for (size_t i = 0; i < 3; ++i) {
    Started s = start(traps_module(), i + 1);
    const abi::ProcessExit info = finish(s);
    KEXPECT(info.reason == abi::ExitReason::Fault && info.code == -1);
    KEXPECT(same(info.detail, expected[i]));
  }
  KEXPECT(settled_usage(before) == before);
}

// A loop that never calls the host is preempted (this thread runs while it loops) and ends
// when its process is killed.
KTEST(wasm_runaway_loop_preempted_and_killed) {
  const Usage before = usage();
  Started s = start(traps_module(), 4);
  const uint64_t asleep = arch::now_ns();
  sched::sleep_ns(50'000'000);
  KEXPECT(arch::now_ns() - asleep < 5 * kSecond);
  {
    SpinlockGuard guard(sched_lock);
    KEXPECT(!s.process->terminated());
    s.process->terminate(-1, abi::ExitReason::Killed, "killed", 0, 0);
  }
  const abi::ProcessExit info = finish(s);
  KEXPECT(info.reason == abi::ExitReason::Killed);
  KEXPECT(settled_usage(before) == before);
}

// Linear memory is charged to the component's silo: in a silo of 1 MiB, memory.grow fails
// well before the component's own limit, and everything comes back when it ends.
KTEST(wasm_linear_memory_held_to_silo_quota) {
  auto created = Silo::create(Silo::root(), {256, 0, 0});
  KREQUIRE(created.ok());
  Ref<Silo> silo = Ref<Silo>::adopt(created.value());
  Started s = start(grow_module(), 1, silo);
  const abi::ProcessExit info = finish(s);
  KEXPECT(info.reason == abi::ExitReason::Exited);
  KEXPECT(info.code >= 1 && info.code < 16);  // 16 pages of 64 KiB are the whole quota
  for (int spin = 0; spin < 200 && silo->stats().memory_bytes != 0; ++spin)
    sched::sleep_ns(10'000'000);
  const SiloStats stats = silo->stats();
  KEXPECT(stats.memory_bytes == 0);
  KEXPECT(stats.quota_failures >= 1);
  KEXPECT(stats.memory_peak_bytes <= 256 * Silo::kPageBytes);
  drop(silo);
}

// The initial linear memory is charged too: a module that declares more than its silo holds
// is refused before it runs (a fault, not its exit code), and the kernel carries on.
KTEST(wasm_initial_memory_over_silo_quota_refused) {
  const Usage before = usage();
  auto created = Silo::create(Silo::root(), {256, 0, 0});
  KREQUIRE(created.ok());
  Ref<Silo> silo = Ref<Silo>::adopt(created.value());
  Started s = start(initial_memory_module(), 1, silo);
  const abi::ProcessExit info = finish(s);
  KEXPECT(info.reason == abi::ExitReason::Fault && info.code == -1);
  for (int spin = 0; spin < 200 && silo->stats().memory_bytes != 0; ++spin)
    sched::sleep_ns(10'000'000);
  const SiloStats stats = silo->stats();
  KEXPECT(stats.memory_bytes == 0);
  KEXPECT(stats.quota_failures >= 1);
  KEXPECT(stats.memory_peak_bytes <= 256 * Silo::kPageBytes);
  drop(silo);
  KEXPECT(settled_usage(before) == before);
}

// A wasm component's thread is held to its silo's CPU share like any other: a loop that never
// calls the host, alone in a silo capped at 25%, gets a quarter of the CPU (the rest idles),
// throttled in most periods, until it is killed.
KTEST(wasm_component_held_to_silo_cpu_share) {
  constexpr uint64_t kWindowNs = 1'000'000'000;
  constexpr uint64_t kTolerancePercent = 7;
  auto created = Silo::create(Silo::root(), {0, 0, 25});
  KREQUIRE(created.ok());
  Ref<Silo> silo = Ref<Silo>::adopt(created.value());
  // Measured from the start of a period, once the module runs its loop (decoding and
  // instantiating it take part of the first periods).
  Started s = start(traps_module(), 4, silo);
  sched::sleep_ns(3 * Silo::kCpuPeriodNs - arch::now_ns() % Silo::kCpuPeriodNs);
  const SiloStats before = silo->stats();
  const uint64_t start_ns = arch::now_ns();
  sched::sleep_ns(kWindowNs);
  // A late timer leaves the silo owing time to the next periods: the window ends once it
  // has paid it back (within a second), as cpu_share_test.cc's do.
  for (int waited = 0; waited < 100 && silo->stats().cpu_owed_ns > 0; ++waited)
    sched::sleep_ns(10'000'000);
  const uint64_t window = arch::now_ns() - start_ns;
  const SiloStats after = silo->stats();
  const uint64_t percent = (after.cpu_ns - before.cpu_ns) * 100 / window;
  const uint64_t throttled = after.cpu_throttled_periods - before.cpu_throttled_periods;
  print("ktest:   wasm loop in a silo capped at 25%: {}% of {} ms, throttled in {} periods\n",
        percent, window / 1'000'000, throttled);
  KEXPECT(percent + kTolerancePercent >= 25 && percent <= 25 + kTolerancePercent);
  KEXPECT(throttled >= 8);
  {
    SpinlockGuard guard(sched_lock);
    s.process->terminate(-1, abi::ExitReason::Killed, "killed", 0, 0);
  }
  const abi::ProcessExit info = finish(s);
  KEXPECT(info.reason == abi::ExitReason::Killed);
  drop(silo);
}

}  // namespace
}  // namespace kernel
