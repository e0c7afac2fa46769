// kernel_main of the normal build (stellina.elf).

#include "kernel/build.h"
#include "kernel/console.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/power.h"

namespace kernel {

const bool build::kTestBuild = false;

void kernel_main(const BootInfo& boot) {
  char after[16];
  // after_boot=shutdown: turn off as soon as the kernel is up (used to time boots).
  if (boot.option("after_boot", after, sizeof(after)) && after[0] == 's') power::shutdown();
  auto control = init::start_startup_server();
  if (!control.ok()) log_warn("no startup server: {}", lib::error_name(control.error()));
  console::run(control.ok() ? control.value().leak() : nullptr);
}

}  // namespace kernel
