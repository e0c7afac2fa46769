#pragma once
// In-kernel tests: KTEST(name) { ... } registers a test in the .ktests section of the test
// build; KEXPECT records a failure and carries on, KREQUIRE records it and ends the test.

#include "kernel/log.h"

namespace kernel::ktest {

struct Test {
  const char* name;
  void (*run)();
};

// Records a failed expectation in the running test.
void fail(const char* expression, const char* file, int line);
bool current_failed();

}  // namespace kernel::ktest

#define KTEST(name)                                                                                \
  static void ktest_##name();                                                                      \
  [[gnu::used, gnu::section(".ktests")]] static const ::kernel::ktest::Test ktest_entry_##name = { \
      #name, ktest_##name};                                                                        \
  static void ktest_##name()

#define KEXPECT(cond)                                              \
  do {                                                             \
    if (!(cond)) ::kernel::ktest::fail(#cond, __FILE__, __LINE__); \
  } while (0)

#define KREQUIRE(cond)                                  \
  do {                                                  \
    if (!(cond)) {                                      \
      ::kernel::ktest::fail(#cond, __FILE__, __LINE__); \
      return;                                           \
    }                                                   \
  } while (0)

// For a test of how threads share one CPU (silo CPU shares, the lent quantum): with more
// CPUs its threads do not compete, so it says so and passes nothing: it returns, printing
// that it did not run (docs/smp.md lists what is not done for several CPUs).
#define KTEST_ONE_CPU_ONLY()                                                           \
  do {                                                                                 \
    if (::arch::cpu_count() > 1) {                                                     \
      ::kernel::print("ktest:   not run: checks one CPU's sharing, and {} CPUs run\n", \
                      ::arch::cpu_count());                                            \
      return;                                                                          \
    }                                                                                  \
  } while (0)
