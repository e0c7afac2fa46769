// Interprocessor interrupts: a reschedule kick, TLB shootdown, and halting the other CPUs.
//
// Shootdown. Each CPU records the page-table root CR3 holds (PerCpu::loaded_root, written by
// switch_root before CR3 is). A CPU that removes or reduces a mapping flushes its own entry,
// then asks every other CPU that may hold the address space's translations (the root loaded,
// or every CPU for the kernel's half) to flush its whole TLB, and waits until each has: a
// flush request is a count (PerCpu::tlb_requests), and the target answers by copying the
// count it saw before flushing into PerCpu::tlb_done. The wait runs with interrupts off (the
// page-table lock is held), so every spin loop serves the requests made of its own CPU
// (cpu_relax calls serve_tlb_requests): two CPUs that shoot each other down, or one spinning
// on the lock the other holds, both make progress. Freeing an address space asks, in the same
// way, every CPU that still has its root loaded (lazily, running a kernel thread since) to
// load the kernel's root instead.

#include "cpu.h"
#include "kernel/log.h"
#include "per_cpu.h"
#include "platform.h"

namespace arch {
namespace x86 {
namespace {

constexpr uint32_t kIcrFixed = 0x4000;  // fixed delivery, level assert
constexpr uint32_t kIcrNmi = 0x4400;    // NMI delivery, level assert
constexpr uint64_t kCr4Pge = 1u << 7;

bool halting = false;  // read by the NMI path (trap.cc) with no lock

// Flushes every translation this CPU caches, global (kernel) ones too.
void flush_all() {
  const uint64_t cr4 = read_cr4();
  if (cr4 & kCr4Pge) {
    write_cr4(cr4 & ~kCr4Pge);
    write_cr4(cr4);
  } else {
    write_cr3(read_cr3());
  }
}

// Asks cpu to flush (and, with leave, to drop that root): returns the request's number.
uint64_t post_flush(PerCpu& cpu) {
  const uint64_t ticket = __atomic_add_fetch(&cpu.tlb_requests, 1, __ATOMIC_SEQ_CST);
  (void)lapic_send_ipi(cpu.apic_id, kIcrFixed | kVectorTlb);
  return ticket;
}

void wait_flushed(PerCpu& cpu, uint64_t ticket) {
  while (__atomic_load_n(&cpu.tlb_done, __ATOMIC_ACQUIRE) < ticket) cpu_relax();
}

// Whether cpu may hold translations under root (0: the kernel's half, which every CPU has).
bool concerned(const PerCpu& cpu, uintptr_t root) {
  return root == 0 || __atomic_load_n(&cpu.loaded_root, __ATOMIC_SEQ_CST) == root;
}

}  // namespace

void serve_tlb_requests() {
  PerCpu& cpu = this_cpu();
  const uint64_t seen = __atomic_load_n(&cpu.tlb_requests, __ATOMIC_ACQUIRE);
  if (seen == __atomic_load_n(&cpu.tlb_done, __ATOMIC_RELAXED)) return;
  const uint64_t leave = __atomic_exchange_n(&cpu.leave_root, 0, __ATOMIC_ACQ_REL);
  if (leave && cpu.loaded_root == leave) {
    __atomic_store_n(&cpu.loaded_root, kernel_page_root(), __ATOMIC_SEQ_CST);
    write_cr3(kernel_page_root());
  }
  flush_all();
  __atomic_store_n(&cpu.tlb_done, seen, __ATOMIC_RELEASE);
}

void tlb_shootdown(uintptr_t root) {
  const unsigned n = cpu_count();
  if (n == 1) return;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);  // the entry's change before loaded_root's read
  const unsigned self = cpu_index();
  uint64_t tickets[kMaxCpus] = {};
  for (unsigned i = 0; i < n; ++i)
    if (i != self && concerned(per_cpu_blocks[i], root)) tickets[i] = post_flush(per_cpu_blocks[i]);
  for (unsigned i = 0; i < n; ++i)
    if (tickets[i]) wait_flushed(per_cpu_blocks[i], tickets[i]);
}

void tlb_leave_root(uintptr_t root) {
  PerCpu& self = this_cpu();
  if (self.loaded_root == root) {
    __atomic_store_n(&self.loaded_root, kernel_page_root(), __ATOMIC_SEQ_CST);
    write_cr3(kernel_page_root());
  }
  const unsigned n = cpu_count();
  for (unsigned i = 0; i < n; ++i) {
    PerCpu& cpu = per_cpu_blocks[i];
    if (&cpu == &self || !concerned(cpu, root)) continue;
    uint64_t expected = 0;  // one root at a time in a CPU's slot: wait for it to be taken
    while (!__atomic_compare_exchange_n(&cpu.leave_root, &expected, root, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
      expected = 0;
      cpu_relax();
    }
    wait_flushed(cpu, post_flush(cpu));
  }
}

bool halt_requested() { return __atomic_load_n(&halting, __ATOMIC_ACQUIRE); }

}  // namespace x86

void cpu_kick(unsigned index) {
  if (index >= cpu_count() || index == cpu_index()) return;
  (void)x86::lapic_send_ipi(x86::per_cpu_blocks[index].apic_id, x86::kIcrFixed | x86::kVectorKick);
}

void halt_other_cpus() {
  __atomic_store_n(&x86::halting, true, __ATOMIC_RELEASE);
  const unsigned n = cpu_count();
  const unsigned self = cpu_index();
  // An NMI: it reaches a CPU that spins with interrupts off, on a lock this one holds.
  for (unsigned i = 0; i < n; ++i)
    if (i != self) (void)x86::lapic_send_ipi(x86::per_cpu_blocks[i].apic_id, x86::kIcrNmi);
}

}  // namespace arch
