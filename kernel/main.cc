// The kernel's first C++ code: bring up the machine in dependency order, then hand over to
// kernel_main (the normal build's console, or the test build's test runner).

#include "kernel/main.h"
#include "kernel/acpi.h"
#include "kernel/arch.h"
#include "kernel/arch_hooks.h"
#include "kernel/boot_info.h"
#include "kernel/log.h"
#include "kernel/pmm.h"
#include "kernel/sched.h"
#include "kernel/silo.h"
#include "kernel/spawn.h"
#include "kernel/wall_clock.h"

namespace kernel {

void run_global_constructors();

namespace {
BootInfo the_boot_info;
}

const BootInfo& boot_info() { return the_boot_info; }

extern "C" void kernel_entry(uint32_t protocol, uintptr_t info_phys) {
  arch::console_init();
  run_global_constructors();
  arch::cpu_init();
  arch::fpu_init();
  arch::parse_boot_info(protocol, info_phys, the_boot_info);
  log_info("Stellina starting (boot protocol {}, command line \"{}\")", the_boot_info.protocol,
           the_boot_info.cmdline);
  for (size_t i = 0; i < the_boot_info.region_count; ++i) {
    const MemoryRegion& r = the_boot_info.regions[i];
    log_debug("memory {:#014x}-{:#014x} {}", r.base, r.base + r.size, memory_type_name(r.type));
  }

  if (the_boot_info.regions_dropped) {
    log_warn("boot: {} memory map entries beyond the first {} ignored",
             the_boot_info.regions_dropped, BootInfo::kMaxRegions);
  }
  arch::paging_init(the_boot_info);
  pmm::init(the_boot_info);
  acpi::init(the_boot_info);
  arch::platform_init();
  wall_clock_init();
  arch::start_other_cpus();
  (void)Silo::root();  // before any thread could race to make it
  sched::init();
  log_start_queueing();  // from here on, threads and interrupts: console output is queued
  sched::start();
  boot_archive_init(the_boot_info);

  log_info("stellina: ready ({} MiB free, boot took {} us of kernel time)",
           pmm::free_page_count() * arch::kPageSize >> 20, arch::now_ns() / 1000);
  kernel_main(the_boot_info);
  panic("kernel_main returned");
}

}  // namespace kernel
