// The other CPUs: every one the firmware lists is accounted for, and one that never answers
// is reported and left out within a bounded time, with what was made for it given back.
// What runs on them: smp_sched_test.cc.

#include "kernel/arch.h"
#include "kernel/ktest/ktest.h"
#include "kernel/pmm.h"
#include "kernel/sched.h"

namespace kernel {
namespace {

constexpr size_t kMaxRecords = 64;

KTEST(smp_every_listed_cpu_accounted_for) {
  arch::CpuRecord records[kMaxRecords];
  const size_t listed = arch::cpu_records(records, kMaxRecords);
  KREQUIRE(listed >= 1 && listed <= kMaxRecords);
  bool seen[arch::kMaxCpus] = {};
  unsigned running = 0;
  for (size_t i = 0; i < listed; ++i) {
    if (records[i].state != arch::CpuState::Running) continue;
    KREQUIRE(records[i].index < arch::kMaxCpus);
    KEXPECT(!seen[records[i].index]);  // each index names one CPU
    seen[records[i].index] = true;
    ++running;
  }
  KEXPECT(running == arch::cpu_count());
  for (unsigned i = 0; i < running; ++i) KEXPECT(seen[i]);  // indices 0..n-1, no gaps
  KEXPECT(arch::cpu_index() < running);
}

KTEST(smp_cpu_that_does_not_answer_left_out) {
  arch::CpuRecord records[kMaxRecords];
  const size_t listed = arch::cpu_records(records, kMaxRecords);
  uint32_t boot_id = 0;
  for (size_t i = 0; i < listed && i < kMaxRecords; ++i) {
    if (records[i].state == arch::CpuState::Running && records[i].index == 0)
      boot_id = records[i].firmware_id;
  }
  KEXPECT(arch::start_cpu(boot_id).error() == lib::Error::AlreadyExists);

  // No machine the tests run on has a CPU with local APIC ID 200.
  const unsigned count = arch::cpu_count();
  const size_t free_pages = pmm::free_page_count();
  const uint64_t start = arch::now_ns();
  auto absent = arch::start_cpu(200);
  const uint64_t took = arch::now_ns() - start;
  KREQUIRE(!absent.ok());
  KEXPECT(absent.error() == lib::Error::TimedOut);
  KEXPECT(took < 2'000'000'000);  // the 0.5 s bound, with room for a loaded host
  KEXPECT(arch::cpu_count() == count);
  KEXPECT(pmm::free_page_count() == free_pages);  // its stacks were given back
}

}  // namespace
}  // namespace kernel
