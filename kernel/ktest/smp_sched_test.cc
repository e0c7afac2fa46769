// Threads on every CPU: each CPU runs threads, wake-ups cross CPUs, a mapping removed on one
// CPU is gone on the others (TLB shootdown) for the kernel's half and for a user address
// space, and processes killed while their channel calls cross CPUs end cleanly. At -smp 1
// they run on one CPU and check the same things there; at -smp 2 (qemu.*.smp2_stress) each
// also checks that the CPUs really were different, so none can pass without two. Manual:
// under virtual time (ktest=all runs) QEMU runs the vCPUs in turns, and nothing crosses.

#include <atomic>

#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/pmm.h"
#include "kernel/thread.h"
#include "kernel/wait_queue.h"

namespace kernel {
namespace {

using namespace ktest_user;

// The rounds of the shootdown tests, and the runs of the kill test: the option smp_rounds=N
// (each round of four changes), else fallback: fewer for a quick run by hand.
int rounds_or(int fallback) {
  char value[16];
  if (!boot_info().option("smp_rounds", value, sizeof(value))) return fallback;
  int n = 0;
  for (const char* c = value; *c >= '0' && *c <= '9' && n < 100'000; ++c) n = n * 10 + (*c - '0');
  return n > 0 ? n : fallback;
}

// Yields until done() or the deadline; false on timeout.
template <typename F>
bool wait_until(F done, uint64_t timeout_ns = 10 * kSecond) {
  const uint64_t deadline = arch::now_ns() + timeout_ns;
  while (!done()) {
    if (arch::now_ns() > deadline) return false;
    sched::yield();
  }
  return true;
}

KTEST(manual_smp_threads_run_on_every_cpu) {
  // As many spinners as CPUs, each until every CPU has been seen running one of them.
  static std::atomic<uint32_t> seen;
  static std::atomic<bool> stop;
  seen = 0;
  stop = false;
  const unsigned n = arch::cpu_count();
  const uint32_t all = n == 32 ? ~0u : (1u << n) - 1;
  Thread* threads[arch::kMaxCpus];
  for (unsigned i = 0; i < n; ++i) {
    auto t = Thread::create(
        "spinner",
        [](void*) {
          while (!stop.load()) seen.fetch_or(1u << arch::cpu_index());
        },
        nullptr);
    KREQUIRE(t.ok());
    threads[i] = t.value();
    threads[i]->start();
  }
  KEXPECT(wait_until([&] { return seen.load() == all; }));
  stop = true;
  for (unsigned i = 0; i < n; ++i) threads[i]->join();
  print("ktest:   {} CPU(s), seen {:#x}\n", n, seen.load());
}

// Two kernel threads take turns: each turn wakes the other, and the turns must alternate
// exactly (a lost or doubled wake-up stalls or repeats a turn). A player whose turn it is not
// spins a while before it waits, so that with two CPUs both stay on a CPU and turns cross
// between them, some taken running, some after a wake-up from the other CPU.
struct Turns {
  WaitQueue queue[2];
  int turn = 0;            // whose turn it is, under sched_lock
  uint64_t count[2] = {};  // turns taken
  uint64_t crossed = 0;    // turns taken on another CPU than the previous turn's
  unsigned last_cpu = 0;
  uint64_t rounds = 0;
  bool broken = false;
};
Turns* turns = nullptr;

void take_turns(void* arg) {
  constexpr uint64_t kSpins = 64;
  const auto me = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  Turns& g = *turns;
  for (uint64_t spins = 0;; ++spins) {
    SpinlockGuard guard(sched_lock);
    if (g.count[me] == g.rounds) return;
    if (g.turn != me) {
      if (spins % kSpins == kSpins - 1) (void)g.queue[me].wait();
      continue;
    }
    // Player 0 goes first: before its turn both took as many; before 1's, 0 took one more.
    if (g.count[1 - me] != g.count[me] + (me == 1 ? 1 : 0)) g.broken = true;
    const unsigned cpu = arch::cpu_index();
    if (cpu != g.last_cpu) ++g.crossed;
    g.last_cpu = cpu;
    ++g.count[me];
    g.turn = 1 - me;
    g.queue[1 - me].wake_one();
  }
}

KTEST(manual_smp_cross_cpu_wake_ping_pong) {
  static Turns g;  // the test runs once
  g.rounds = 20'000;
  turns = &g;
  Thread* players[2];
  for (int i = 0; i < 2; ++i) {
    auto t = Thread::create("player", take_turns, reinterpret_cast<void*>(intptr_t{i}));
    KREQUIRE(t.ok());
    players[i] = t.value();
  }
  players[0]->start();
  players[1]->start();
  players[0]->join();
  players[1]->join();
  print("ktest:   {} turns each, {} crossed CPUs\n", g.count[0], g.crossed);
  KEXPECT(!g.broken);
  KEXPECT(g.count[0] == g.rounds && g.count[1] == g.rounds);
  if (arch::cpu_count() > 1) KEXPECT(g.crossed > 0);
}

// A reader thread reads one page without pause, each read tagged with the generation it
// began in; the test changes the mapping and bumps the generation, and the first read of the
// new generation must see the new mapping: an unmapped page faults, a page mapped to another
// frame reads that frame. A CPU that kept the old translation would read the old frame.
struct Shootdown {
  uintptr_t va = 0;
  bool (*read)(uintptr_t va, uint8_t* out) = nullptr;
  std::atomic<uint64_t> generation{0};
  std::atomic<uint64_t> read_generation{0};
  std::atomic<int> value{0};  // -1: the read faulted
  std::atomic<unsigned> reader_cpu{0};
  std::atomic<bool> stop{false};
};
Shootdown* shootdown = nullptr;

void read_page(void*) {
  Shootdown& s = *shootdown;
  while (!s.stop.load()) {
    const uint64_t g = s.generation.load();
    uint8_t v = 0;
    const bool ok = s.read(s.va, &v);
    s.reader_cpu.store(arch::cpu_index());
    s.value.store(ok ? v : -1);
    s.read_generation.store(g);
    // With one CPU, give it back at once rather than at the end of the quantum; with more,
    // keep it, so that the test runs on another.
    if (arch::cpu_count() == 1) sched::yield();
  }
}

// The value the reader sees once it has read in a new generation (-2: it never did).
int next_read(Shootdown& s) {
  const uint64_t g = s.generation.fetch_add(1) + 1;
  if (!wait_until([&] { return s.read_generation.load() >= g; })) return -2;
  return s.value.load();
}

// Runs rounds of map(frame A) / unmap / map(frame B) / unmap with a reader on (where there is
// one) another CPU; map and unmap are the mapping's. Returns the rounds the reader was
// seen on another CPU than the test's, or -1 on a stale read.
template <typename Map, typename Unmap>
int run_shootdown(Shootdown& s, Map map, Unmap unmap, int rounds) {
  auto a = pmm::alloc_zeroed_page();
  auto b = pmm::alloc_zeroed_page();
  KASSERT(a.ok() && b.ok());
  *static_cast<uint8_t*>(arch::phys_to_virt(a.value())) = 0x11;
  *static_cast<uint8_t*>(arch::phys_to_virt(b.value())) = 0x22;
  shootdown = &s;
  auto reader = Thread::create("reader", read_page, nullptr);
  KASSERT(reader.ok());
  reader.value()->start();
  int crossed = 0;
  bool stale = false;
  for (int i = 0; i < rounds && !stale; ++i) {
    map(a.value());
    stale = next_read(s) != 0x11;
    unmap();
    stale = stale || next_read(s) != -1;
    if (s.reader_cpu.load() != arch::cpu_index()) ++crossed;
    map(b.value());
    stale = stale || next_read(s) != 0x22;
    unmap();
    stale = stale || next_read(s) != -1;
  }
  s.stop = true;
  reader.value()->join();
  (void)pmm::free_pages(a.value());
  (void)pmm::free_pages(b.value());
  return stale ? -1 : crossed;
}

void expect_crossed(int crossed, int rounds) {
  print("ktest:   {} of {} rounds with the reader on another CPU\n", crossed, rounds);
  KEXPECT(crossed >= 0);
  if (arch::cpu_count() > 1) KEXPECT(crossed > 0);
}

KTEST(manual_smp_kernel_unmap_shot_down) {
  static Shootdown s;
  s.va = arch::kTestRegionBase + 0x200000;
  s.read = [](uintptr_t va, uint8_t* out) { return arch::probe_read(va, out); };
  const int rounds = rounds_or(200);
  const int crossed = run_shootdown(
      s, [](uintptr_t frame) { KASSERT(arch::map_page(shootdown->va, frame, 0).ok()); },
      [] { KASSERT(arch::unmap_page(shootdown->va).ok()); }, rounds);
  expect_crossed(crossed, rounds);
}

// Page tables for a bare user root, straight from the physical allocator.
class Tables final : public arch::PageTableSource {
 public:
  lib::Result<uintptr_t> alloc_table() override { return pmm::alloc_zeroed_page(); }
  void free_table(uintptr_t phys) override { (void)pmm::free_pages(phys); }
};
Tables tables;
uintptr_t user_root = 0;

KTEST(manual_smp_user_unmap_shot_down) {
  // The reader loads the root itself, interrupts off so that it reads on the CPU that loaded
  // it; a kernel thread has no process, so a fault is refused, never paged in.
  static Shootdown s;
  auto root = arch::user_root_create();
  KREQUIRE(root.ok());
  user_root = root.value();
  s.va = 0x40000000;
  s.read = [](uintptr_t va, uint8_t* out) {
    const arch::IrqState irqs = arch::irq_save();
    arch::switch_root(user_root);
    const bool ok = arch::copy_from_user(out, va, 1).ok();
    arch::switch_root(0);
    arch::irq_restore(irqs);
    return ok;
  };
  const int rounds = rounds_or(200);
  const int crossed = run_shootdown(
      s,
      [](uintptr_t frame) {
        KASSERT(arch::user_map(user_root, shootdown->va, frame, arch::kPageUser, tables).ok());
      },
      [] { KASSERT(arch::user_unmap(user_root, shootdown->va, tables).ok()); }, rounds);
  arch::user_root_destroy(user_root);
  expect_crossed(crossed, rounds);
}

// ping and pong make channel calls without pause (on two CPUs, where there are two) and one
// of them is killed mid-stream, again and again: the other must see its peer gone and end
// on its own (ping fails its call; pong sees the channel closed, or fails its reply), the
// killed one as killed, and nothing may hang.
KTEST(manual_smp_kill_during_cross_cpu_calls) {
  const int runs = rounds_or(12) < 12 ? rounds_or(12) : 12;
  int ended = 0;
  for (int run = 0; run < runs; ++run) {
    PingPong g;
    KREQUIRE(g.spawn());
    g.start(100'000'000);  // far more than a run lasts
    sched::sleep_ns(uint64_t(1 + run % 5) * 3'000'000);
    Process* victim = run % 2 ? g.ping.get() : g.pong.get();
    {
      SpinlockGuard guard(sched_lock);
      victim->terminate(-1, ExitReason::Killed, "killed", 0, 0);
    }
    abi::ProcessExit info[2] = {};
    const bool ping_ended = wait_exit(g.exit_ping.kernel_end.get(), &info[0], 30 * kSecond);
    const bool pong_ended = wait_exit(g.exit_pong.kernel_end.get(), &info[1], 30 * kSecond);
    {  // and every thread of both is gone, so the next test counts what it frees
      SpinlockGuard guard(sched_lock);
      for (Process* p : {g.ping.get(), g.pong.get()})
        (void)wait_for_signals(p, abi::kSignalTerminated, arch::now_ns() + 30 * kSecond);
    }
    const abi::ProcessExit& killed = info[run % 2 ? 0 : 1];
    const abi::ProcessExit& other = info[run % 2 ? 1 : 0];
    if (ping_ended && pong_ended && killed.reason == abi::ExitReason::Killed &&
        other.reason == abi::ExitReason::Exited)
      ++ended;
    g.drop_all();
  }
  KEXPECT(ended == runs);
  // A thread's stack goes once its CPU has switched away from it, just after its process
  // says it ended: let the last ones go before a later test counts free pages.
  sched::sleep_ns(50'000'000);
}

}  // namespace
}  // namespace kernel
