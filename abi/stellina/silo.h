#pragma once
// Silos: kernel-enforced quotas for a group of processes. Every process belongs to one silo;
// silos form a tree under the root silo (no limits), which exists from boot. What a process
// makes the kernel allocate on its behalf is charged to its silo and to every silo above it,
// and given back exactly when it is freed: a charge that would take any of them over its
// limit fails as a whole (kErrQuotaExceeded, or for a demand-zero page the process dies with
// ExitReason::QuotaExceeded).
//
// Charged as memory: user pages (loaded, stack, demand-zero), the page tables of a process's
// address space (its root, and each table while it maps something: one an unmap empties is
// freed at once), folios (their pages and bookkeeping), queued messages (header and data, to
// the sender while queued), kernel objects made by syscalls (channels, polls, timers, thread
// objects, silos), each thread's kernel stack and bookkeeping, and the handle table's growth
// (its first 32 slots are in the Process object; past them it doubles, 16 bytes a slot, up to
// 1,024, and keeps what it grew until the process object goes: a syscall that needs a new
// handle may then fail with kErrQuotaExceeded or kErrNoMemory). Not charged: the Process
// object itself (bounded per process), what the kernel itself sends (exit reports), and
// a program's code and read-only data mapped from the boot archive (the kernel's for good,
// shared by every process of the program: docs/architecture.md).

#include <stdint.h>

namespace stellina::abi {

constexpr uint32_t kMaxSiloDepth = 8;  // silos below the root, counting the deepest

struct SiloLimits {
  uint64_t memory_pages;  // memory limit in 4 KiB pages (bytes are counted); 0: unlimited
  uint32_t threads;       // live threads; 0: unlimited
  // Share of the CPU in percent, 1..100; 0 or 100: no cap. A ceiling the scheduler enforces:
  // in each 100 ms period the threads of the silo and of the silos below it run for at most
  // cpu_percent ms together, then wait for the next period even if the CPU would otherwise
  // idle. A cap at any level above a thread applies to it.
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
  // 100 ms periods in which this silo used all of its cpu_percent (its threads then waited
  // for the next period); 0 without a cap.
  uint64_t cpu_throttled_periods;
  // CPU time used past the cap (the timer that ends a share came late), which the next
  // periods take back from this silo's budget; 0 without a cap.
  uint64_t cpu_owed_ns;
};

}  // namespace stellina::abi
