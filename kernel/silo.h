#pragma once
// A silo: a group of processes under quotas (see abi/stellina/silo.h for what is charged).
// Silos form a tree under the root silo. A charge goes to a silo and every silo above it, all
// or nothing: if any of them would go over its limit, nothing is charged and the charge fails
// with QuotaExceeded. Whoever charges keeps a reference to the silo until it gives the charge
// back, so a silo never dies with anything charged to it.

#include <stellina/silo.h>

#include <lib/result.h>

#include "kernel/object.h"
#include "kernel/spinlock.h"

namespace kernel {

using stellina::abi::SiloLimits;
using stellina::abi::SiloStats;

// Guards every silo's limits and counters. A leaf lock (nothing else is taken while it is
// held), so charges can be made with or without sched_lock, from syscalls and page faults.
extern Spinlock silo_lock;

class Silo final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Silo;
  static constexpr uint64_t kPageBytes = 4096;  // the unit of SiloLimits::memory_pages
  // The period of SiloLimits::cpu_percent: periods start at multiples of it on the clock
  // (arch::now_ns), and each gives a capped silo cpu_percent% of it to run.
  static constexpr uint64_t kCpuPeriodNs = 100'000'000;
  // The most CPU time a silo can owe the periods after one it overran, in budgets.
  static constexpr uint64_t kMaxOwedPeriods = 8;

  // The root silo: no limits, exists from boot, never dies. Processes created without a
  // silo, and kernel threads, belong to it.
  static Silo& root();

  // A silo below parent with the given limits (holding a reference to parent).
  // Errors: InvalidArgument (see check_limits), NoResources (deeper than kMaxSiloDepth),
  // NoMemory.
  static lib::Result<Silo*> create(Silo& parent, const SiloLimits& limits);
  // Errors: InvalidArgument (see check_limits, against this silo's parent).
  lib::Result<void> set_limits(const SiloLimits& limits);
  SiloStats stats() const;
  Silo* parent() const { return parent_.get(); }

  // Memory in bytes, limited at memory_pages * kPageBytes. Errors: QuotaExceeded.
  lib::Result<void> charge_memory(size_t bytes);
  void uncharge_memory(size_t bytes);
  // One live thread. Errors: QuotaExceeded.
  lib::Result<void> charge_thread();
  void uncharge_thread();
  // Live processes (no limit, only counted).
  void process_started();
  void process_ended();
  // CPU time used by a thread of this silo, a run of ns ending at now_ns (the scheduler
  // calls this at each switch). The part inside the current period uses its budget; what a
  // period used beyond its budget (a late timer) is owed by the next, up to one budget.
  void add_cpu_time(uint64_t ns, uint64_t now_ns);
  // How long a thread of this silo may still run in the period holding now_ns before this
  // silo or one above it has used its cpu_percent: 0 when throttled, UINT64_MAX with no cap.
  uint64_t cpu_budget_left(uint64_t now_ns) const;

  Silo() : Object(kType) {}  // use create
  uint64_t used_in(uint64_t period, uint64_t budget) const REQUIRES(silo_lock);

 private:
  ~Silo() override;
  // Limits a silo below parent may have: cpu_percent at most 100, and for each limit the
  // parent has (memory, threads, a CPU cap), a limit no larger (so not unlimited).
  static lib::Result<void> check_limits(const Silo* parent, const SiloLimits& limits)
      REQUIRES(silo_lock);

  Ref<Silo> parent_;  // null only for the root
  uint32_t depth_ = 0;
  SiloLimits limits_ GUARDED_BY(silo_lock) = {};
  uint64_t memory_bytes_ GUARDED_BY(silo_lock) = 0;
  uint64_t memory_peak_bytes_ GUARDED_BY(silo_lock) = 0;
  uint32_t threads_ GUARDED_BY(silo_lock) = 0;
  uint32_t threads_peak_ GUARDED_BY(silo_lock) = 0;
  uint64_t quota_failures_ GUARDED_BY(silo_lock) = 0;
  uint64_t cpu_ns_ GUARDED_BY(silo_lock) = 0;
  uint64_t cpu_period_ GUARDED_BY(silo_lock) = 0;          // now_ns / kCpuPeriodNs of the last run
  uint64_t cpu_period_used_ns_ GUARDED_BY(silo_lock) = 0;  // CPU time used in that period
  uint64_t cpu_throttled_periods_ GUARDED_BY(silo_lock) = 0;
  uint64_t processes_ GUARDED_BY(silo_lock) = 0;
};

}  // namespace kernel
