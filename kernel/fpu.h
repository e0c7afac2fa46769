#pragma once
// The FPU/SIMD registers of user threads, and of the kernel threads that run wasm components
// (Thread::set_uses_fpu: the kernel's only SSE code, kernel/wasm/README.md).
//
// Every user thread has a save area in its Thread, in the initial state until it first runs
// (x87 control word 0x37f, MXCSR 0x1f80). The registers hold one thread's state, the
// owner's: a switch to another user thread saves the owner's and loads the next one's, while
// a switch to a kernel thread or the idle thread (which never touch them) leaves them as
// they are, so switching back costs nothing. Each CPU has its owner. With more than one CPU
// a thread may resume on another, so a switch away from the owner also saves its state (the
// area is then current wherever it runs next); switching back to it on the same CPU, with
// nobody loaded since, still loads nothing. Each area records the CPU that loaded it last:
// a CPU whose owner ran elsewhere in between loads it again.
//
// The FPU is never turned off: trapping a thread's first FPU/SIMD instruction (CR0.TS) would
// spare threads that never use it a save and a load, but under TCG a set TS slows every
// system call and channel round trip far more than the save and load cost (null syscall
// 420 → 600 ns, channel round trip 28 → 41 µs).

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/sched.h"

namespace kernel {

class Thread;

class FpuArea {
 public:
  FpuArea();
  FpuArea(const FpuArea&) = delete;
  FpuArea& operator=(const FpuArea&) = delete;

  void* area() { return raw_ + (kAlign - reinterpret_cast<uintptr_t>(raw_) % kAlign) % kAlign; }
  // The CPU whose registers were last loaded with this state (kernel/fpu.cc).
  unsigned loaded_on() const { return loaded_on_; }
  void set_loaded_on(unsigned cpu) { loaded_on_ = cpu; }

 private:
  static constexpr size_t kAlign = arch::kFpuStateAlign;
  uint8_t raw_[arch::kFpuStateMaxBytes + kAlign];
  unsigned loaded_on_ = ~0u;
};

// At a context switch from prev to next: next's registers in, the owner's out, when next is a
// user thread (or a kernel thread that uses the FPU) that does not hold them already.
void fpu_switch(Thread* prev, Thread* next) REQUIRES(sched_lock);
// t is dead: its state is no longer anyone's.
void fpu_thread_dead(Thread* t) REQUIRES(sched_lock);
// The calling thread's registers stored into its save area, which then holds its state (a
// Linux signal frame copies it out).
void fpu_save_current() REQUIRES(sched_lock);
// The calling thread's save area, changed, loaded into the registers (a signal frame's state
// restored, or the initial state for a handler).
void fpu_load_current() REQUIRES(sched_lock);

}  // namespace kernel
