#include "kernel/silo.h"

#include <new>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/log.h"

namespace kernel {

Spinlock silo_lock;

namespace {

uint64_t memory_limit_bytes(const SiloLimits& l) {
  if (l.memory_pages == 0) return UINT64_MAX;
  return l.memory_pages > UINT64_MAX / Silo::kPageBytes ? UINT64_MAX
                                                        : l.memory_pages * Silo::kPageBytes;
}

// 0 and 100 both mean "no cap".
uint32_t cpu_cap(const SiloLimits& l) { return l.cpu_percent == 0 ? 100 : l.cpu_percent; }

// CPU time a silo may use per period; UINT64_MAX: no cap.
uint64_t cpu_budget_ns(const SiloLimits& l) {
  const uint32_t cap = cpu_cap(l);
  return cap >= 100 ? UINT64_MAX : Silo::kCpuPeriodNs / 100 * cap;
}

// Whether a limit (0: none) fits under the parent's (0: none).
bool within(uint64_t limit, uint64_t parent_limit) {
  return parent_limit == 0 || (limit != 0 && limit <= parent_limit);
}

}  // namespace

Silo& Silo::root() {
  // Static storage: the root is there before the heap matters to anyone and never freed.
  alignas(Silo) static unsigned char storage[sizeof(Silo)];
  static Silo* the_root = nullptr;
  if (!the_root) the_root = new (storage) Silo;  // its creation reference is never dropped
  return *the_root;
}

lib::Result<void> Silo::check_limits(const Silo* parent, const SiloLimits& limits) {
  if (limits.cpu_percent > 100) return lib::Error::InvalidArgument;
  if (!parent) return {};
  const SiloLimits& p = parent->limits_;
  if (!within(limits.memory_pages, p.memory_pages) || !within(limits.threads, p.threads) ||
      cpu_cap(limits) > cpu_cap(p))
    return lib::Error::InvalidArgument;
  return {};
}

lib::Result<Silo*> Silo::create(Silo& parent, const SiloLimits& limits) {
  if (parent.depth_ >= stellina::abi::kMaxSiloDepth) return lib::Error::NoResources;
  {
    SpinlockGuard guard(silo_lock);
    TRY(check_limits(&parent, limits));
  }
  Silo* silo = TRY(heap::create<Silo>());
  silo->parent_ = Ref<Silo>(&parent);
  silo->depth_ = parent.depth_ + 1;
  SpinlockGuard guard(silo_lock);
  silo->limits_ = limits;
  return silo;
}

Silo::~Silo() {
  SpinlockGuard guard(silo_lock);
  // Every charge holds a reference: a silo that dies has nothing charged.
  KASSERT(memory_bytes_ == 0 && threads_ == 0 && processes_ == 0);
}

lib::Result<void> Silo::set_limits(const SiloLimits& limits) {
  SpinlockGuard guard(silo_lock);
  TRY(check_limits(parent_.get(), limits));
  limits_ = limits;
  return {};
}

SiloStats Silo::stats() const {
  SpinlockGuard guard(silo_lock);
  SiloStats s{};
  s.limits = limits_;
  s.memory_bytes = memory_bytes_;
  s.memory_peak_bytes = memory_peak_bytes_;
  s.threads = threads_;
  s.threads_peak = threads_peak_;
  s.quota_failures = quota_failures_;
  s.cpu_ns = cpu_ns_;
  s.processes = processes_;
  s.cpu_throttled_periods = cpu_throttled_periods_;
  const uint64_t budget = cpu_budget_ns(limits_);
  const uint64_t used = used_in(arch::now_ns() / kCpuPeriodNs, budget);
  s.cpu_owed_ns = budget != UINT64_MAX && used > budget ? used - budget : 0;
  return s;
}

lib::Result<void> Silo::charge_memory(size_t bytes) {
  SpinlockGuard guard(silo_lock);
  for (Silo* s = this; s; s = s->parent_.get()) {
    const uint64_t limit = memory_limit_bytes(s->limits_);
    if (s->memory_bytes_ > limit || bytes > limit - s->memory_bytes_) {
      ++s->quota_failures_;
      return lib::Error::QuotaExceeded;
    }
  }
  for (Silo* s = this; s; s = s->parent_.get()) {
    s->memory_bytes_ += bytes;
    if (s->memory_bytes_ > s->memory_peak_bytes_) s->memory_peak_bytes_ = s->memory_bytes_;
  }
  return {};
}

void Silo::uncharge_memory(size_t bytes) {
  SpinlockGuard guard(silo_lock);
  for (Silo* s = this; s; s = s->parent_.get()) {
    KASSERT(s->memory_bytes_ >= bytes);
    s->memory_bytes_ -= bytes;
  }
}

lib::Result<void> Silo::charge_thread() {
  SpinlockGuard guard(silo_lock);
  for (Silo* s = this; s; s = s->parent_.get()) {
    if (s->limits_.threads != 0 && s->threads_ >= s->limits_.threads) {
      ++s->quota_failures_;
      return lib::Error::QuotaExceeded;
    }
  }
  for (Silo* s = this; s; s = s->parent_.get()) {
    ++s->threads_;
    if (s->threads_ > s->threads_peak_) s->threads_peak_ = s->threads_;
  }
  return {};
}

void Silo::uncharge_thread() {
  SpinlockGuard guard(silo_lock);
  for (Silo* s = this; s; s = s->parent_.get()) {
    KASSERT(s->threads_ > 0);
    --s->threads_;
  }
}

void Silo::process_started() {
  SpinlockGuard guard(silo_lock);
  for (Silo* s = this; s; s = s->parent_.get()) ++s->processes_;
}

void Silo::process_ended() {
  SpinlockGuard guard(silo_lock);
  for (Silo* s = this; s; s = s->parent_.get()) {
    KASSERT(s->processes_ > 0);
    --s->processes_;
  }
}

// What a silo has used of `period` so far. A period that ran over its budget (the timer that
// ends a silo's share comes late when the machine is busy: under emulation on a loaded host,
// by tens of milliseconds) leaves the excess owed by the periods after it, each repaying up to
// one budget: the cap holds over time, not just in periods where the timer was punctual. What
// is owed is bounded by kMaxOwedPeriods budgets, so one long stall cannot starve a silo for
// long.
uint64_t Silo::used_in(uint64_t period, uint64_t budget) const {
  if (cpu_period_ == period) return cpu_period_used_ns_;
  if (period < cpu_period_ || budget == UINT64_MAX || cpu_period_used_ns_ <= budget) return 0;
  const uint64_t max_owed = kMaxOwedPeriods * budget;
  uint64_t owed = cpu_period_used_ns_ - budget;
  if (owed > max_owed) owed = max_owed;
  const uint64_t repaid_periods = period - cpu_period_ - 1;  // periods it did not run in
  if (repaid_periods >= kMaxOwedPeriods) return 0;
  const uint64_t repaid = repaid_periods * budget;
  return owed > repaid ? owed - repaid : 0;
}

void Silo::add_cpu_time(uint64_t ns, uint64_t now_ns) {
  const uint64_t period = now_ns / kCpuPeriodNs;
  // One CPU: runs never overlap, so a run that began before this period is the first one
  // charged in it: its part since the period began counts here, the rest in the last one.
  const uint64_t in_period = ns < now_ns % kCpuPeriodNs ? ns : now_ns % kCpuPeriodNs;
  SpinlockGuard guard(silo_lock);
  for (Silo* s = this; s; s = s->parent_.get()) {
    s->cpu_ns_ += ns;
    const uint64_t budget = cpu_budget_ns(s->limits_);
    if (s->cpu_period_ != period) {
      if (s->cpu_period_ + 1 == period) s->cpu_period_used_ns_ += ns - in_period;
      s->cpu_period_used_ns_ = s->used_in(period, budget);
      s->cpu_period_ = period;
    }
    const bool had_budget = s->cpu_period_used_ns_ < budget;
    s->cpu_period_used_ns_ += in_period;
    if (had_budget && s->cpu_period_used_ns_ >= budget) ++s->cpu_throttled_periods_;
  }
}

uint64_t Silo::cpu_budget_left(uint64_t now_ns) const {
  const uint64_t period = now_ns / kCpuPeriodNs;
  uint64_t left = UINT64_MAX;
  SpinlockGuard guard(silo_lock);
  for (const Silo* s = this; s; s = s->parent_.get()) {
    const uint64_t budget = cpu_budget_ns(s->limits_);
    if (budget == UINT64_MAX) continue;
    const uint64_t used = s->used_in(period, budget);
    if (used >= budget) return 0;
    if (budget - used < left) left = budget - used;
  }
  return left;
}

}  // namespace kernel
