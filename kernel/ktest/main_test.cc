// kernel_main of the test build (stellina-test.elf): runs the tests named by the command line
// option ktest= (a comma-separated list, or "all"; tests marked manual run only by name), prints
// one line per test and a summary, and exits QEMU with the verdict.

#include "kernel/main.h"
#include "kernel/arch.h"
#include "kernel/build.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/pmm.h"

// NOLINTBEGIN(readability-identifier-naming): linker-script symbols
extern "C" const kernel::ktest::Test ktests_start[];
extern "C" const kernel::ktest::Test ktests_end[];
// NOLINTEND(readability-identifier-naming)

namespace kernel {

const bool build::kTestBuild = true;

namespace ktest {
namespace {

bool failed = false;

// Whether the n characters at a spell b, all of it.
bool equals(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i] || !a[i]) return false;
  return b[n] == '\0';
}

// Whether name is in the comma-separated list (manual tests, named manual_*, need their name).
bool selected(const char* list, const char* name) {
  const char* prefix = "manual_";
  bool manual = true;
  for (size_t i = 0; prefix[i]; ++i) manual = manual && name[i] == prefix[i];
  for (const char* p = list; *p;) {
    const char* end = p;
    while (*end && *end != ',') ++end;
    const size_t n = static_cast<size_t>(end - p);
    if ((!manual && equals(p, "all", n)) || equals(p, name, n)) return true;
    p = *end ? end + 1 : end;
  }
  return false;
}

}  // namespace

void fail(const char* expression, const char* file, int line) {
  failed = true;
  log_error("ktest: expectation failed: {} ({}:{})", expression, file, line);
}

bool current_failed() { return failed; }

}  // namespace ktest

void kernel_main(const BootInfo& boot) {
  char list[256];
  if (!boot.option("ktest", list, sizeof(list))) lib::format_to(list, sizeof(list), "all");
  unsigned passed = 0, failures = 0;
  for (const ktest::Test* t = ktests_start; t < ktests_end; ++t) {
    if (!ktest::selected(list, t->name)) continue;
    ktest::failed = false;
    const uint64_t start = arch::now_ns();
    t->run();
    const uint64_t us = (arch::now_ns() - start) / 1000;
    print("ktest: {} {} ({} us)\n", ktest::failed ? "FAIL" : "ok  ", t->name, us);
    (ktest::failed ? failures : passed)++;
  }
  print("ktest: {} passed, {} failed\n", passed, failures);
  log_flush();  // everything out before QEMU exits
  arch::debug_exit(failures == 0 && passed > 0 ? build::kExitSuccess : build::kExitFailure);
  arch::halt_forever();
}

}  // namespace kernel
