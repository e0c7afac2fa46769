// Starting the other CPUs. Each is started with INIT-SIPI-SIPI (Intel SDM vol. 3, 8.4.4) at
// the real-mode trampoline (ap_trampoline.S), which brings it to long mode and ap_main: it
// loads its own GDT, TSS and per-CPU block, the shared IDT, turns on its local APIC, says it
// is up, arms its timer and enters the scheduler (kernel::ap_enter_scheduler, docs/smp.md).
//
// A CPU that does not answer within kAnswerTimeoutNs is reported and left out: it is sent
// INIT again, which holds it in reset, so it can never wake later on a stack or per-CPU
// block that was given back.

#include <atomic>

#include "ap_trampoline.h"
#include "cpu.h"
#include "kernel/acpi.h"
#include "kernel/arch_hooks.h"
#include "kernel/boot_info.h"
#include "kernel/log.h"
#include "kernel/stack.h"
#include "per_cpu.h"
#include "platform.h"

// NOLINTBEGIN(readability-identifier-naming): assembly symbols
extern "C" char ap_trampoline_start[], ap_trampoline_end[], boot_pml4[];
extern "C" void ap_entry();
// NOLINTEND(readability-identifier-naming)

namespace arch {

unsigned x86::cpus_running = 1;

namespace {

using x86::PerCpu;

constexpr uint64_t kInitDeassertWaitNs = 10'000'000;  // the SDM's 10 ms after INIT
constexpr uint64_t kSipiRetryNs = 200'000;            // and 200 us before the second SIPI
constexpr uint64_t kAnswerTimeoutNs = 500'000'000;
constexpr uint32_t kIcrInit = 0x4500;     // delivery mode INIT, level assert
constexpr uint32_t kIcrStartup = 0x4600;  // delivery mode start-up; the low byte: the page

// The start's handshake: the boot CPU sets Starting, the new CPU moves it to Answered (or finds
// Abandoned and stops), then to Online when it is set up.
enum ApState : uint32_t { kIdle, kStarting, kAnswered, kOnline, kAbandoned };
std::atomic<uint32_t> ap_state{kIdle};

// The stacks of each CPU but the boot CPU's: its own, and those for double faults and NMIs.
struct ApStacks {
  kernel::KernelStack main, double_fault, nmi;
};
ApStacks ap_stacks[kMaxCpus];

// One start at a time: the trampoline has one parameter block. Not a spinlock: a start waits
// up to kAnswerTimeoutNs, which interrupts must not wait for.
std::atomic<bool> start_in_progress{false};
bool trampoline_ready = false;

CpuRecord records[kernel::acpi::Info::kMaxListedCpus];
size_t record_count = 0;

void delay_ns(uint64_t ns) {
  const uint64_t end = now_ns() + ns;
  while (now_ns() < end) cpu_relax();
}

// The trampoline's page must be RAM the firmware gave us (the physical allocator keeps the
// whole first MiB for itself, so nothing else lives there once the boot data is read).
bool trampoline_page_usable(const kernel::BootInfo& boot) {
  for (size_t i = 0; i < boot.region_count; ++i) {
    const kernel::MemoryRegion& r = boot.regions[i];
    if (r.type == kernel::MemoryType::Usable && r.base <= AP_TRAMPOLINE_PHYS &&
        AP_TRAMPOLINE_PHYS + kPageSize <= r.base + r.size)
      return true;
  }
  return false;
}

bool install_trampoline() {
  if (trampoline_ready) return true;
  if (!trampoline_page_usable(kernel::boot_info())) return false;
  const size_t size = ap_trampoline_end - ap_trampoline_start;
  __builtin_memcpy(phys_to_virt(AP_TRAMPOLINE_PHYS), ap_trampoline_start, size);
  trampoline_ready = true;
  return true;
}

x86::ApParameters& parameters() {
  const size_t size = ap_trampoline_end - ap_trampoline_start;
  return *static_cast<x86::ApParameters*>(
      phys_to_virt(AP_TRAMPOLINE_PHYS + size - sizeof(x86::ApParameters)));
}

bool is_running(uint32_t apic_id) {
  for (unsigned i = 0; i < cpu_count(); ++i)
    if (x86::per_cpu_blocks[i].apic_id == apic_id) return true;
  return false;
}

void release_stacks(ApStacks& stacks) {
  for (kernel::KernelStack* s : {&stacks.main, &stacks.double_fault, &stacks.nmi})
    if (s->valid()) s->release();
  stacks = {};
}

lib::Result<void> allocate_stacks(ApStacks& stacks) {
  auto main = kernel::KernelStack::allocate();
  auto df = kernel::KernelStack::allocate();
  auto nmi = kernel::KernelStack::allocate();
  if (main.ok()) stacks.main = main.value();
  if (df.ok()) stacks.double_fault = df.value();
  if (nmi.ok()) stacks.nmi = nmi.value();
  if (main.ok() && df.ok() && nmi.ok()) return {};
  release_stacks(stacks);
  return lib::Error::NoMemory;
}

// INIT, then up to two start-up IPIs; true once the CPU answered within the timeout.
bool send_startup(uint32_t apic_id) {
  if (!x86::lapic_send_ipi(apic_id, kIcrInit)) return false;
  delay_ns(kInitDeassertWaitNs);
  const uint64_t deadline = now_ns() + kAnswerTimeoutNs;
  for (int sipi = 0; sipi < 2; ++sipi) {
    if (!x86::lapic_send_ipi(apic_id, kIcrStartup | (AP_TRAMPOLINE_PHYS >> 12))) return false;
    const uint64_t wait_until = sipi == 0 ? now_ns() + kSipiRetryNs : deadline;
    while (now_ns() < wait_until) {
      if (ap_state.load(std::memory_order_acquire) != kStarting) return true;
      cpu_relax();
    }
  }
  return false;
}

lib::Result<unsigned> start_one(uint32_t apic_id) {
  if (is_running(apic_id)) return lib::Error::AlreadyExists;
  const unsigned index = cpu_count();
  if (index == kMaxCpus) return lib::Error::NoResources;
  if (!install_trampoline()) return lib::Error::NotSupported;
  ApStacks& stacks = ap_stacks[index];
  TRY(allocate_stacks(stacks));

  PerCpu& cpu = x86::per_cpu_blocks[index];
  cpu = {};
  cpu.index = index;
  cpu.apic_id = apic_id;
  x86::ApParameters& p = parameters();
  p.boot_cr3 = reinterpret_cast<uintptr_t>(boot_pml4);
  p.entry_address = reinterpret_cast<uintptr_t>(&ap_entry);
  p.kernel_cr3 = x86::kernel_page_root();
  p.stack_top = stacks.main.top();
  p.per_cpu = reinterpret_cast<uintptr_t>(&cpu);
  ap_state.store(kStarting, std::memory_order_release);

  if (!send_startup(apic_id)) {
    uint32_t expected = kStarting;
    if (ap_state.compare_exchange_strong(expected, kAbandoned)) {
      // Hold it in reset: it can no longer wake on what is given back here.
      if (x86::lapic_send_ipi(apic_id, kIcrInit)) release_stacks(stacks);
      return lib::Error::TimedOut;
    }
  }
  // It answered: setting itself up is a few hundred instructions, never a wait.
  while (ap_state.load(std::memory_order_acquire) != kOnline) cpu_relax();
  ap_state.store(kIdle, std::memory_order_relaxed);
  __atomic_store_n(&x86::cpus_running, index + 1, __ATOMIC_RELEASE);
  return index;
}

void add_record(uint32_t apic_id, CpuState state, unsigned index) {
  if (record_count < kernel::acpi::Info::kMaxListedCpus)
    records[record_count++] = {apic_id, state, index};
}

}  // namespace

// The new CPU's first C++ code, on its own stack and the kernel's page tables (ap_entry).
extern "C" [[noreturn]] void ap_main(PerCpu* cpu) {
  uint32_t expected = kStarting;
  if (!ap_state.compare_exchange_strong(expected, kAnswered)) halt_forever();  // given up on
  const ApStacks& stacks = ap_stacks[cpu->index];
  x86::cpu_init_this(*cpu, stacks.double_fault.top(), stacks.nmi.top());
  x86::idt_load();
  x86::user_access_init();
  fpu_init();
  x86::lapic_enable_this_cpu();
  x86::lapic_timer_enable_this_cpu();
  ap_state.store(kOnline, std::memory_order_release);
  kernel::ap_enter_scheduler();
}

lib::Result<unsigned> start_cpu(uint32_t firmware_id) {
  if (start_in_progress.exchange(true, std::memory_order_acquire)) return lib::Error::Busy;
  auto started = start_one(firmware_id);
  start_in_progress.store(false, std::memory_order_release);
  return started;
}

void start_other_cpus() {
  PerCpu& boot = x86::this_cpu();
  boot.apic_id = x86::lapic_id();
  const kernel::acpi::Info& info = kernel::acpi::info();
  size_t listed = 0;
  for (size_t i = 0; i < info.cpu_count; ++i) {
    const uint32_t id = info.cpu_apic_ids[i];
    ++listed;
    if (id == boot.apic_id) {
      add_record(id, CpuState::Running, 0);
      continue;
    }
    auto started = start_cpu(id);
    if (started.ok()) {
      add_record(id, CpuState::Running, started.value());
    } else if (started.error() == lib::Error::TimedOut) {
      kernel::log_warn("smp: the CPU with APIC ID {} did not answer; left out", id);
      add_record(id, CpuState::NoAnswer, 0);
    } else if (started.error() == lib::Error::NoResources) {
      kernel::log_warn("smp: the CPU with APIC ID {} left out (this kernel runs at most {})", id,
                       kMaxCpus);
      add_record(id, CpuState::LeftOut, 0);
    } else {
      kernel::log_warn("smp: the CPU with APIC ID {} left out ({})", id,
                       lib::error_name(started.error()));
      add_record(id, CpuState::LeftOut, 0);
    }
  }
  if (info.cpus_unusable) {
    kernel::log_warn("smp: {} CPU(s) the firmware lists left out (beyond {} or not addressable)",
                     info.cpus_unusable, kernel::acpi::Info::kMaxListedCpus);
  }
  if (listed == 0) add_record(boot.apic_id, CpuState::Running, 0);  // no MADT: the boot CPU
  kernel::log_info("smp: {} CPU(s) up of {} listed", cpu_count(),
                   listed ? listed + info.cpus_unusable : 1);
}

size_t cpu_records(CpuRecord* out, size_t max) {
  for (size_t i = 0; i < record_count && i < max; ++i) out[i] = records[i];
  return record_count;
}

}  // namespace arch
