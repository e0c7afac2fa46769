#pragma once
// Silos: kernel-enforced quotas for a group of processes. Every process belongs to one silo;
// silos form a tree under the root silo (no limits), which exists from boot. What a process
// makes the kernel allocate on its behalf is charged to its silo and to every silo above it,
// and given back exactly when it is freed: a charge that would take any of them over its
// limit fails as a whole (kErrQuotaExceeded, or for a demand-zero page the process dies with
// ExitReason::QuotaExceeded).
//
// Charged as memory: user pages (loaded, stack, demand-zero), folios (their pages and
// bookkeeping), queued messages (header and data, to the sender while queued), kernel objects
// made by syscalls (channels, polls, timers, thread objects, silos) and each thread's kernel
// stack and bookkeeping. Not charged: page tables, the Process object and its handle table
// (bounded per process), and what the kernel itself sends (exit reports).

#include <stdint.h>

namespace stellina::abi {

constexpr uint32_t kMaxSiloDepth = 8;  // silos below the root, counting the deepest

struct SiloLimits {
  uint64_t memory_pages;  // memory limit in 4 KiB pages (bytes are counted); 0: unlimited
  uint32_t threads;       // live threads; 0: unlimited
  // Share of the CPU in percent, 1..100; 0 or 100: no cap. Accounted (SiloStats::cpu_ns)
  // but not enforced yet.
  uint32_t cpu_percent;
};

struct SiloStats {
  SiloLimits limits;
  uint64_t memory_bytes;       // charged now, this silo and the silos below it
  uint64_t memory_peak_bytes;  // the most memory_bytes has been
  uint32_t threads;            // live threads, this silo and below
  uint32_t threads_peak;       // the most threads has been
  uint64_t quota_failures;     // charges refused because of this silo's own limits
  uint64_t cpu_ns;             // CPU time used by threads of this silo and below
  uint64_t processes;          // live (not yet ended) processes, this silo and below
};

}  // namespace stellina::abi
