// Threads, the scheduler, sleeping and locking, on the real kernel with preemption on.

#include <atomic>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/mutex.h"
#include "kernel/pmm.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

constexpr int kThreads = 50;

// Creates, runs and joins kThreads threads; returns the number that behaved.
int run_threads_once() {
  Thread* threads[kThreads];
  static int ran[kThreads];
  int good = 0;
  for (int i = 0; i < kThreads; ++i) {
    ran[i] = 0;
    auto t = Thread::create(
        "worker",
        [](void* arg) {
          const auto i = reinterpret_cast<intptr_t>(arg);
          ran[i] = 1;
          if (i % 2) thread_exit(static_cast<int>(i));  // odd ones exit explicitly
        },
        reinterpret_cast<void*>(static_cast<intptr_t>(i)));
    if (!t.ok()) return good;
    threads[i] = t.value();
    threads[i]->start();
  }
  for (int i = 0; i < kThreads; ++i) {
    const int code = threads[i]->join();
    if (code == (i % 2 ? i : 0) && ran[i] == 1) ++good;
  }
  return good;
}

KTEST(thread_create_exit_join) {
  // The first round may create page tables for new stack slots; they stay, and later
  // rounds reuse them, so the second round must give back exactly what it took.
  KEXPECT(run_threads_once() == kThreads);
  const size_t pages_before = pmm::free_page_count();
  const auto heap_before = heap::stats();
  const size_t threads_before = Thread::count();
  KEXPECT(run_threads_once() == kThreads);
  KEXPECT(Thread::count() == threads_before);
  KEXPECT(pmm::free_page_count() == pages_before);
  KEXPECT(heap::stats().live_allocations == heap_before.live_allocations);
}

KTEST(thread_detached_frees_itself) {
  const size_t threads_before = Thread::count();
  static std::atomic<int> done{0};
  for (int i = 0; i < 10; ++i) {
    auto t = Thread::create(
        "detached", [](void*) { done.fetch_add(1); }, nullptr);
    KREQUIRE(t.ok());
    t.value()->detach();
    t.value()->start();
  }
  for (int spin = 0; spin < 100 && (done.load() < 10 || Thread::count() != threads_before); ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(done.load() == 10);
  KEXPECT(Thread::count() == threads_before);
}

KTEST(preemption_busy_threads_all_progress) {
  // Threads that never yield or block: only the timer can take the CPU away from them.
  constexpr int kThreads = 4;
  static volatile uint64_t progress[kThreads];
  static volatile bool stop;
  stop = false;
  Thread* threads[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    progress[i] = 0;
    auto t = Thread::create(
        "spinner",
        [](void* arg) {
          const auto i = reinterpret_cast<intptr_t>(arg);
          while (!stop) progress[i] = progress[i] + 1;
        },
        reinterpret_cast<void*>(static_cast<intptr_t>(i)));
    KREQUIRE(t.ok());
    threads[i] = t.value();
    threads[i]->start();
  }
  const auto preemptions_before = sched::stats().preemptions;
  sched::sleep_ns(300'000'000);  // main has the same priority: it must get back in, too
  stop = true;
  for (Thread* t : threads) t->join();
  for (int i = 0; i < kThreads; ++i) {
    KEXPECT(progress[i] > 0);
    print("ktest:   spinner {} counted to {}\n", i, progress[i]);
  }
  KEXPECT(sched::stats().preemptions > preemptions_before + 10);
}

KTEST(priority_higher_runs_first) {
  static volatile int order[3];
  static std::atomic<int> next{0};
  next = 0;
  Thread* threads[3];
  const unsigned prios[3] = {sched::kPriorityNormal - 2, sched::kPriorityNormal - 1,
                             sched::kPriorityNormal - 3};
  for (int i = 0; i < 3; ++i) {
    auto t = Thread::create(
        "prio",
        [](void* arg) {
          order[next.fetch_add(1)] = static_cast<int>(reinterpret_cast<intptr_t>(arg));
        },
        reinterpret_cast<void*>(static_cast<intptr_t>(i)), prios[i]);
    KREQUIRE(t.ok());
    threads[i] = t.value();
  }
  for (Thread* t : threads) t->start();  // all below main's priority: none runs yet
  KEXPECT(next.load() == 0);
  for (Thread* t : threads) t->join();  // main blocks: they run, highest first
  KEXPECT(order[0] == 1 && order[1] == 0 && order[2] == 2);
}

KTEST(priority_changed_while_ready) {
  // Three threads ready below main: the one raised while it waits in the run queue runs
  // first, the one lowered last (process_set_priority's path, sched::set_priority).
  static volatile int order[3];
  static std::atomic<int> next{0};
  next = 0;
  Thread* threads[3];
  for (int i = 0; i < 3; ++i) {
    auto t = Thread::create(
        "reprio",
        [](void* arg) {
          order[next.fetch_add(1)] = static_cast<int>(reinterpret_cast<intptr_t>(arg));
        },
        reinterpret_cast<void*>(static_cast<intptr_t>(i)), sched::kPriorityNormal - 2);
    KREQUIRE(t.ok());
    threads[i] = t.value();
  }
  for (Thread* t : threads) t->start();  // ready, in the order 0, 1, 2
  {
    SpinlockGuard guard(sched_lock);
    sched::set_priority(threads[2], sched::kPriorityNormal - 1);
    sched::set_priority(threads[0], sched::kPriorityNormal - 3);
    KEXPECT(!sched::resched_pending());  // all still below main
  }
  KEXPECT(next.load() == 0);
  KEXPECT(threads[2]->priority() == sched::kPriorityNormal - 1);
  for (Thread* t : threads) t->join();
  KEXPECT(order[0] == 2 && order[1] == 1 && order[2] == 0);
}

KTEST(priority_raised_above_the_running_thread_preempts) {
  // A ready thread raised above main asks for a reschedule, and runs at the next chance.
  static volatile bool ran;
  ran = false;
  auto t = Thread::create(
      "raised", [](void*) { ran = true; }, nullptr, sched::kPriorityNormal - 1);
  KREQUIRE(t.ok());
  t.value()->start();
  KEXPECT(!ran);
  {
    SpinlockGuard guard(sched_lock);
    sched::set_priority(t.value(), sched::kPriorityNormal + 1);
    KEXPECT(sched::resched_pending());
  }
  sched::preempt_point();
  KEXPECT(ran);
  t.value()->join();
}

KTEST(priority_raised_thread_that_keeps_the_cpu_shares_it) {
  // A thread raised above main that never blocks preempts main at once, but after a quantum
  // it runs at main's priority and main gets its turn (kernel/sched.cc, raised()); without
  // that, main would run only after the spinner gave up 500 ms later.
  static std::atomic<bool> main_ran;
  static std::atomic<bool> gave_up;
  main_ran = false;
  gave_up = false;
  auto t = Thread::create(
      "spinner",
      [](void*) {
        const uint64_t end = arch::now_ns() + 500'000'000;
        while (!main_ran.load()) {
          if (arch::now_ns() >= end) {
            gave_up = true;
            return;
          }
        }
      },
      nullptr, sched::kPriorityNormal + 4);
  KREQUIRE(t.ok());
  t.value()->start();  // runs now: main is below it
  // With one CPU, main runs again only once the spinner is lowered (or has given up); with
  // more, main goes on on another CPU at once, and only the last check applies.
  KEXPECT(t.value()->given_priority() == sched::kPriorityNormal + 4);
  if (arch::cpu_count() == 1)
    KEXPECT(gave_up.load() || t.value()->priority() == sched::kPriorityNormal);
  main_ran = true;
  t.value()->join();
  KEXPECT(!gave_up.load());
}

KTEST(priority_idle_reserved) {
  // Nothing would ever preempt idle for a thread at its priority: refused.
  auto t = Thread::create(
      "lowest", [](void*) {}, nullptr, sched::kPriorityIdle);
  KEXPECT(!t.ok() && t.error() == lib::Error::InvalidArgument);
  auto u = Thread::create(
      "too-high", [](void*) {}, nullptr, 32);
  KEXPECT(!u.ok() && u.error() == lib::Error::InvalidArgument);
}

KTEST(join_wakes_promptly_from_idle) {
  // The joiner is woken by the dead thread's successor, which is often idle; idle must
  // switch to it at once, not halt until some unrelated interrupt.
  for (int round = 0; round < 6; ++round) {
    auto t = Thread::create(
        "empty", [](void*) {}, nullptr);
    KREQUIRE(t.ok());
    const uint64_t start = arch::now_ns();
    t.value()->start();
    t.value()->join();
    const uint64_t us = (arch::now_ns() - start) / 1000;
    KEXPECT(us < 50'000);
    if (us >= 50'000) print("ktest:   round {}: join took {} us\n", round, us);
  }
}

KTEST(wake_on_switch_preempts_lower_priority) {
  // main joins A; A's death is handled by B (lower priority than main, freshly started),
  // which wakes main: main must run before B finishes its 50 ms of computation.
  static volatile bool b_done;
  b_done = false;
  auto a = Thread::create(
      "a", [](void*) {}, nullptr, sched::kPriorityNormal - 6);
  auto b = Thread::create(
      "b",
      [](void*) {
        const uint64_t until = arch::now_ns() + 50'000'000;
        while (arch::now_ns() < until) {
        }
        b_done = true;
      },
      nullptr, sched::kPriorityNormal - 6);
  KREQUIRE(a.ok() && b.ok());
  a.value()->start();
  b.value()->start();
  a.value()->join();
  KEXPECT(!b_done);
  b.value()->join();
  KEXPECT(b_done);
}

KTEST(sleep_accuracy) {
  const uint64_t requests_ms[] = {1, 5, 10, 25, 50};
  for (uint64_t ms : requests_ms) {
    const uint64_t start = arch::now_ns();
    sched::sleep_ns(ms * 1'000'000);
    const uint64_t slept = arch::now_ns() - start;
    print("ktest:   sleep {} ms took {} us\n", ms, slept / 1000);
    KEXPECT(slept >= ms * 1'000'000);              // never early
    KEXPECT(slept < ms * 1'000'000 + 50'000'000);  // not much late, even on a busy TCG host
  }
}

KTEST(wait_queue_timeout) {
  WaitQueue q;
  const uint64_t start = arch::now_ns();
  lib::Result<void> r;
  {
    SpinlockGuard guard(sched_lock);
    r = q.wait(start + 5'000'000);
  }
  KEXPECT(!r.ok() && r.error() == lib::Error::TimedOut);
  KEXPECT(arch::now_ns() - start >= 5'000'000);
  KEXPECT(q.empty());
}

KTEST(mutex_mutual_exclusion_under_preemption) {
  // Each thread does a slow read-modify-write of a shared counter inside the lock; the
  // timer preempts them in the middle. Without exclusion, increments would be lost.
  constexpr int kThreads = 6;
  constexpr int kIterations = 300;
  static Mutex mutex;
  static volatile uint64_t counter;
  static volatile int inside;
  static volatile bool overlap;
  counter = 0;
  inside = 0;
  overlap = false;
  Thread* threads[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    auto t = Thread::create(
        "locker",
        [](void*) {
          for (int n = 0; n < kIterations; ++n) {
            MutexGuard guard(mutex);
            if (inside) overlap = true;
            inside = 1;
            const uint64_t value = counter;
            for (int spin = 0; spin < 2000; ++spin) asm volatile("");
            if (n % 50 == 0) sched::yield();
            counter = value + 1;
            inside = 0;
          }
        },
        nullptr);
    KREQUIRE(t.ok());
    threads[i] = t.value();
    threads[i]->start();
  }
  for (Thread* t : threads) t->join();
  KEXPECT(!overlap);
  KEXPECT(counter == uint64_t{kThreads} * kIterations);
}

KTEST(mutex_try_lock) {
  static Mutex mutex;
  auto t = Thread::create(
      "contender", [](void*) { thread_exit(mutex.try_lock() ? 1 : 0); }, nullptr);
  KREQUIRE(t.ok());
  if (!mutex.try_lock()) {
    KEXPECT(!"try_lock of a free mutex failed");
    t.value()->start();
    t.value()->join();
    return;
  }
  KEXPECT(mutex.held_by_current());
  t.value()->start();
  KEXPECT(t.value()->join() == 0);  // held by main: the other thread cannot take it
  mutex.unlock();
  KEXPECT(!mutex.held_by_current());
}

}  // namespace
}  // namespace kernel
