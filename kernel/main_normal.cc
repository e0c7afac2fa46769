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
  const bool serial = console::init();
  auto startup = init::start_startup_server(serial);
  if (!startup.ok()) {
    log_warn("no startup server: {}", lib::error_name(startup.error()));
    console::run(nullptr, nullptr);
  }
  console::run(startup.value().control.leak(), startup.value().serial.leak());
}

}  // namespace kernel
