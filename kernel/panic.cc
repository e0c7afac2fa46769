// Stopping the kernel when something is wrong that it cannot recover from: print what
// happened and where, then halt (a test build exits QEMU with a failure status instead).

#include "kernel/arch.h"
#include "kernel/arch_hooks.h"
#include "kernel/build.h"
#include "kernel/log.h"
#include "kernel/symbols.h"

namespace kernel {
namespace {

bool panicking = false;

[[noreturn]] void stop(uintptr_t frame_pointer, uintptr_t pc) {
  uintptr_t frames[24];
  size_t n = 0;
  if (pc) frames[n++] = pc;
  n += frame_pointer ? arch::backtrace_from(frame_pointer, frames + n, 24 - n)
                     : arch::backtrace(frames + n, 24 - n);
  symbols::print_backtrace(frames, n);
  if (build::kTestBuild) {
    print("ktest: FAILED (kernel stopped)\n");
    arch::debug_exit(build::kExitFailure);
  }
  arch::halt_forever();
}

}  // namespace

bool panic_in_progress() { return panicking; }

void panic_write(const char* text) {
  arch::irq_save();
  if (panicking) arch::halt_forever();  // a panic while panicking: print nothing more
  panicking = true;
  log_error("PANIC: {}", text);
  stop(0, 0);
}

void begin_fatal() {
  if (panicking) arch::halt_forever();  // a fault while stopping: print nothing more
  panicking = true;
}

void on_fatal_exception(const char* what, uintptr_t frame_pointer, uintptr_t pc) {
  log_error("kernel stopped by a CPU exception: {}", what);
  stop(frame_pointer, pc);
}

}  // namespace kernel
