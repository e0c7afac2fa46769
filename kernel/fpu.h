#pragma once
// The FPU/SIMD registers of user threads, switched lazily.
//
// A thread has no save area until its first FPU/SIMD instruction, which traps (the FPU is off
// while a thread without one runs) to handle_fpu_first_use: the thread gets an area, charged
// to its silo, in the initial state. The registers then hold one thread's state, the owner's,
// until another thread with an area runs: switching to a kernel thread, to the idle thread or
// to a user thread that never used the FPU only turns it off, and switching back turns it on
// without saving or loading anything.

#include <stddef.h>

#include "kernel/arch_hooks.h"
#include "kernel/sched.h"

namespace kernel {

class Thread;

// A thread's save area: empty until its first FPU/SIMD instruction.
class FpuArea {
 public:
  FpuArea() = default;
  FpuArea(const FpuArea&) = delete;
  FpuArea& operator=(const FpuArea&) = delete;
  ~FpuArea() { release(); }

  bool present() const { return area_ != nullptr; }
  void* area() const { return area_; }
  // What an area costs its thread's silo in memory.
  static size_t silo_bytes();

 private:
  friend bool handle_fpu_first_use();
  friend void fpu_thread_dead(Thread* t);
  void release();

  void* allocation_ = nullptr;  // from the heap; area_ is it aligned
  void* area_ = nullptr;
};

// At a context switch to next: its registers in, the owner's out if they must make room.
void fpu_switch_to(Thread* next) REQUIRES(sched_lock);
// handle_fpu_first_use (kernel/arch_hooks.h) gives the current user thread an area and the
// registers; it returns false if the thread cannot have one (a kernel thread, or no memory
// under its silo's quota: the thread is then marked with a quota fault), and the trap is then
// a fault.
// t is dead: its area goes, and its state is no longer anyone's.
void fpu_thread_dead(Thread* t) REQUIRES(sched_lock);

}  // namespace kernel
