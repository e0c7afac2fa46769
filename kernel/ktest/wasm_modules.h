#pragma once
// The in-kernel tests' wasm modules (ktest/wasm/*.wat, converted and linked in by
// kernel/CMakeLists.txt): KTEST_WASM_MODULE(stem) defines stem_module(), its bytes.

#include <lib/archive.h>

#define KTEST_WASM_MODULE(stem)                                                      \
  extern "C" const uint8_t ktest_wasm_##stem[], ktest_wasm_##stem##_end[];           \
  inline lib::ByteSpan stem##_module() {                                             \
    return {ktest_wasm_##stem, size_t(ktest_wasm_##stem##_end - ktest_wasm_##stem)}; \
  }
