// Stopping the kernel when something is wrong that it cannot recover from: print what
// happened and where, then halt (a test build exits QEMU with a failure status instead).

#include <atomic>

#include "kernel/arch.h"
#include "kernel/arch_hooks.h"
#include "kernel/build.h"
#include "kernel/log.h"
#include "kernel/symbols.h"

namespace kernel {
namespace {

// Set once, by the first CPU to stop the kernel; a second CPU that fails meanwhile halts.
std::atomic<bool> panicking{false};

// Makes the calling CPU the one that stops the kernel, and halts every other CPU, so that
// nothing changes under what it prints; a CPU that comes second halts at once.
void claim_stop() {
  if (panicking.exchange(true)) arch::halt_forever();
  arch::halt_other_cpus();
}

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
  claim_stop();  // a panic while panicking: print nothing more
  log_error("PANIC: {}", text);
  stop(0, 0);
}

void begin_fatal() { claim_stop(); }  // a fault while stopping: print nothing more

void on_fatal_exception(const char* what, uintptr_t frame_pointer, uintptr_t pc) {
  log_error("kernel stopped by a CPU exception: {}", what);
  stop(frame_pointer, pc);
}

}  // namespace kernel
