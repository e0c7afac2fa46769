#pragma once
// wasm32 (isolation = "wasm"): a syscall is a call to the module's one import,
// stellina.syscall, which the kernel serves (kernel/wasm/wasm_syscalls.h): the number and
// six argument words, pointers being addresses in the component's linear memory.

#include <stdint.h>

extern "C" __attribute__((import_module("stellina"), import_name("syscall"))) int64_t
stellina_wasm_syscall(uint32_t n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                      uint64_t a5);

namespace stellina::sys {

inline int64_t syscall(uint64_t n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                       uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
  return stellina_wasm_syscall(static_cast<uint32_t>(n), a0, a1, a2, a3, a4, a5);
}

}  // namespace stellina::sys
