// The runtime of a component built for wasm32 (isolation = "wasm", kernel/wasm/README.md):
// the two exports the kernel calls, what the compiler calls for a pure virtual function or a
// global's destructor, and the mem* functions and strlen, on bulk-memory instructions.

#include <stellina/sys.h>

namespace {

// Where the kernel writes the component's handles before it calls stellina_main.
stellina::abi::StartupBlock startup_block;

}  // namespace

extern "C" {

// NOLINTBEGIN(readability-identifier-naming): names fixed by the linker and the C++ ABI
void __wasm_call_ctors();

__attribute__((export_name("stellina_startup_block"))) uint32_t stellina_wasm_startup_block() {
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&startup_block));
}

// Runs the component: the global constructors, then its main; what it returns is its exit code.
__attribute__((export_name("stellina_main"))) int64_t stellina_wasm_main() {
  __wasm_call_ctors();
  return stellina_main(startup_block);
}

// Destructors of globals are not run: the kernel takes back everything the component held.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void* __dso_handle = nullptr;
// A call through a broken object traps: the kernel reports it as a fault.
[[noreturn]] void __cxa_pure_virtual() { __builtin_trap(); }

// With bulk memory these are memory.copy and memory.fill.
void* memcpy(void* dst, const void* src, size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
void* memmove(void* dst, const void* src, size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
void* memset(void* dst, int c, size_t n) {
  __builtin_memset(dst, c, n);
  return dst;
}
int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}
size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}
// NOLINTEND(readability-identifier-naming)

}  // extern "C"

// Objects from the SDK heap are destroyed in place and freed with heap_free: a delete through
// the global operator is a bug, and the trap ends the component where it happened.
void operator delete(void*) noexcept { __builtin_trap(); }
void operator delete(void*, size_t) noexcept { __builtin_trap(); }
