// Direct handoff (kernel/sched.cc, take_handoff): a thread that blocks right after waking
// another gives it the CPU straight away, on the rest of its own quantum, unless the
// scheduler's priorities say otherwise.

#include <atomic>
#include <type_traits>

#include "kernel/arch.h"
#include "kernel/ktest/ktest.h"
#include "kernel/thread.h"
#include "kernel/wait_queue.h"

namespace kernel {
namespace {

// Two threads taking turns: each waits for its turn, passes it to the other and wakes it.
struct PingPong {
  WaitQueue waiting[2];
  int turn = 0;
  uint64_t rounds = 0;  // turns each player takes; 0: until stop
  volatile bool stop = false;
  uint64_t turns[2] = {0, 0};
};

PingPong* game = nullptr;

void player(void* arg) {
  const auto me = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  for (uint64_t i = 0; game->rounds == 0 ? !game->stop : i < game->rounds; ++i) {
    SpinlockGuard guard(sched_lock);  // let go at each turn: interrupts come in between
    while (game->turn != me && !game->stop) (void)game->waiting[me].wait();
    game->turn = 1 - me;
    ++game->turns[me];
    game->waiting[1 - me].wake_one();
  }
  SpinlockGuard guard(sched_lock);
  game->stop = true;  // the other one may wait for a turn that will not come
  game->waiting[1 - me].wake_all();
}

Thread* start_player(int index) {
  auto t = Thread::create("player", player, reinterpret_cast<void*>(static_cast<intptr_t>(index)));
  if (!t.ok()) return nullptr;
  t.value()->start();
  return t.value();
}

KTEST(handoff_goes_to_the_woken_thread) {
  static PingPong g;
  g.rounds = 2000;
  game = &g;
  const uint64_t before = sched::stats().handoffs;
  Thread* a = start_player(0);
  Thread* b = start_player(1);
  KREQUIRE(a && b);
  a->join();
  b->join();
  const uint64_t handoffs = sched::stats().handoffs - before;
  print("ktest:   {} turns each, {} handoffs\n", g.turns[0], handoffs);
  KEXPECT(g.turns[0] == g.rounds && g.turns[1] == g.rounds);
  // Every turn but a few (a preemption, the last ones) ends with a handoff to the other.
  KEXPECT(handoffs >= g.rounds);
}

uint64_t runtime_of(Thread* t) {
  SpinlockGuard guard(sched_lock);
  return t->runtime_ns();
}

KTEST(handoff_lends_the_quantum) {
  KTEST_ONE_CPU_ONLY();
  // A pair handing the CPU back and forth runs on one quantum: a busy thread of the same
  // priority gets the CPU when it ends, as it would against one thread. Were the quantum
  // renewed at each handoff, the pair would keep the CPU for ever.
  static PingPong g;
  game = &g;
  static volatile bool spin_stop;
  spin_stop = false;
  auto spinner = Thread::create(
      "spinner",
      [](void*) {
        while (!spin_stop) {
        }
      },
      nullptr);
  KREQUIRE(spinner.ok());
  Thread* a = start_player(0);
  Thread* b = start_player(1);
  KREQUIRE(a && b);
  spinner.value()->start();
  sched::sleep_ns(300'000'000);
  const uint64_t pair_ns = runtime_of(a) + runtime_of(b);
  const uint64_t spinner_ns = runtime_of(spinner.value());
  g.stop = true;
  {
    SpinlockGuard guard(sched_lock);
    g.waiting[0].wake_all();
    g.waiting[1].wake_all();
  }
  spin_stop = true;
  a->join();
  b->join();
  spinner.value()->join();
  print("ktest:   pair ran {} ms ({} turns), spinner {} ms\n", pair_ns / 1'000'000,
        g.turns[0] + g.turns[1], spinner_ns / 1'000'000);
  KEXPECT(g.turns[0] > 0 && g.turns[1] > 0);
  KEXPECT(spinner_ns * 3 >= pair_ns);  // about half each
  KEXPECT(pair_ns * 3 >= spinner_ns);
}

// A player whose turn is a call's: pass the turn and wake the other, then wait for it to
// come back, under one hold of the lock (with the quantum timer deferred or not), as a
// channel_call or channel_reply_recv does.
template <bool kDeferred>
void calling_player(void* arg) {
  const auto me = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  while (!game->stop) {
    SpinlockGuard guard(sched_lock);  // let go at each turn: interrupts come in between
    [[maybe_unused]] std::conditional_t<kDeferred, sched::QuantumTimerDeferred, int> deferred;
    if (game->turn == me) {
      game->turn = 1 - me;
      ++game->turns[me];
      game->waiting[1 - me].wake_one();
    }
    while (game->turn != me && !game->stop) (void)game->waiting[me].wait();
  }
  SpinlockGuard guard(sched_lock);
  game->waiting[1 - me].wake_all();
}

// Timer interrupts during 100 ms of a pair of calling players taking turns (from 30 ms after
// they start); turns: how many they took meanwhile.
template <bool kDeferred>
uint64_t timer_interrupts_of_calling_pair(uint64_t* turns) {
  static PingPong g;  // one per instantiation, each run once
  game = &g;
  Thread* players[2];
  for (int i = 0; i < 2; ++i) {
    auto t = Thread::create("caller", calling_player<kDeferred>,
                            reinterpret_cast<void*>(static_cast<intptr_t>(i)));
    if (!t.ok()) return UINT64_MAX;
    players[i] = t.value();
  }
  players[0]->start();
  players[1]->start();
  sched::sleep_ns(30'000'000);  // past the quantum its start made matter
  const uint64_t before = sched::stats().timer_interrupts;
  const uint64_t turns_before = g.turns[0] + g.turns[1];
  sched::sleep_ns(100'000'000);
  const uint64_t interrupts = sched::stats().timer_interrupts - before;
  {
    SpinlockGuard guard(sched_lock);
    g.stop = true;
    g.waiting[0].wake_all();
    g.waiting[1].wake_all();
  }
  players[0]->join();
  players[1]->join();
  *turns = g.turns[0] + g.turns[1] - turns_before;
  return interrupts;
}

KTEST(handoff_deferred_timer_spares_a_calling_pair) {
  // The woken partner is ready for a moment only: with the timer deferred, nothing arms the
  // quantum, and the pair runs with no more interrupts than main sleeping alone. Without
  // it, each wake-up arms the quantum timer, and it fires about every 10 ms.
  uint64_t turns_deferred = 0, turns_plain = 0;
  uint64_t idle = sched::stats().timer_interrupts;
  sched::sleep_ns(100'000'000);
  idle = sched::stats().timer_interrupts - idle;
  const uint64_t deferred = timer_interrupts_of_calling_pair<true>(&turns_deferred);
  const uint64_t plain = timer_interrupts_of_calling_pair<false>(&turns_plain);
  print("ktest:   timer interrupts in 100 ms: {} idle, {} deferred ({} turns), {} not ({} turns)\n",
        idle, deferred, turns_deferred, plain, turns_plain);
  KEXPECT(turns_deferred > 0 && turns_plain > 0);
  // The system's other timers (idle: those of 100 ms of main sleeping alone) come to both,
  // and a thread they wake makes the quantum matter for a moment. The pair without the
  // deferral is printed, not judged: whether its quantum timer fires depends on where the
  // wake-ups fall against the timer's deadline (under real time on q35 it often does not).
  KEXPECT(deferred <= idle + 3);
}

KTEST(handoff_yields_to_higher_priority) {
  // main wakes a higher thread, then a lower one (the last woken), and blocks: the higher
  // one must run first, not the one a handoff would pick.
  static WaitQueue high_q, low_q, main_q;
  static int order[2];
  static std::atomic<int> ran;
  ran = 0;
  const auto record_and_wake = [](void* arg) {
    SpinlockGuard guard(sched_lock);
    auto* q = static_cast<WaitQueue*>(arg);
    (void)q->wait();
    order[ran++] = q == &high_q ? 1 : 2;
    main_q.wake_all();
  };
  auto high = Thread::create("high", record_and_wake, &high_q, sched::kPriorityNormal + 2);
  auto low = Thread::create("low", record_and_wake, &low_q, sched::kPriorityNormal + 1);
  KREQUIRE(high.ok() && low.ok());
  high.value()->start();
  low.value()->start();
  for (;;) {  // both waiting
    {
      SpinlockGuard guard(sched_lock);
      if (!high_q.empty() && !low_q.empty()) break;
    }
    sched::sleep_ns(1'000'000);
  }
  {
    SpinlockGuard guard(sched_lock);
    high_q.wake_one();
    low_q.wake_one();
    while (ran < 2) (void)main_q.wait();
  }
  high.value()->join();
  low.value()->join();
  KEXPECT(order[0] == 1 && order[1] == 2);
}

}  // namespace
}  // namespace kernel
