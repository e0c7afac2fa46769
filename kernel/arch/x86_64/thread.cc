// A new thread's initial stack: the frame context_switch pops, returning into context_start.

#include "kernel/arch.h"

extern "C" void context_start();

namespace arch {

struct Context {
  uint64_t r15, r14, r13, r12, rbx, rbp, rip;
};

Context* context_init(uintptr_t stack_top, void (*entry)(void*), void* arg) {
  // After the pops and ret, rsp = stack_top (16-aligned), so context_start's call gives the
  // trampoline the alignment the ABI promises.
  auto* c = reinterpret_cast<Context*>(stack_top - sizeof(Context));
  *c = Context{};
  c->r12 = reinterpret_cast<uint64_t>(entry);
  c->r13 = reinterpret_cast<uint64_t>(arg);
  c->rip = reinterpret_cast<uint64_t>(&context_start);
  return c;
}

size_t backtrace_from(uintptr_t frame, uintptr_t* out, size_t max) {
  // Frame pointers: [rbp] = caller's rbp, [rbp+8] = return address. Every read is probed, so
  // a corrupt chain ends the walk instead of faulting.
  size_t n = 0;
  while (frame && n < max && (frame & 7) == 0) {
    uintptr_t words[2];
    auto* bytes = reinterpret_cast<uint8_t*>(words);
    for (size_t i = 0; i < sizeof(words); ++i)
      if (!probe_read(frame + i, &bytes[i])) return n;
    if (!words[1]) break;
    out[n++] = words[1];
    if (words[0] <= frame) break;  // stacks grow down: callers live higher
    frame = words[0];
  }
  return n;
}

size_t backtrace(uintptr_t* out, size_t max) {
  return backtrace_from(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)), out, max);
}

}  // namespace arch
