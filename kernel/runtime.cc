// What the compiler expects a C++ runtime to provide: the mem* functions, the pure-virtual
// trap, and running global constructors (.init_array), which nothing does for us.

#include <cstddef>
#include <cstdint>

#include "kernel/log.h"

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n)::"memory");
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  // Overlapping with dst above src: copy backwards (direction flag set, then cleared).
  d += n - 1;
  s += n - 1;
  asm volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n)::"memory");
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

// NOLINTNEXTLINE(readability-identifier-naming): the name is fixed by the C++ ABI.
void __cxa_pure_virtual() { kernel::panic("pure virtual function called"); }

// Destructors of static objects: the kernel never exits, so they are never registered.
// NOLINTNEXTLINE(readability-identifier-naming): the name is fixed by the C++ ABI.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void* __dso_handle = nullptr;  // NOLINT(readability-identifier-naming)

// NOLINTBEGIN(readability-identifier-naming): linker-script symbols
extern void (*init_array_start[])();
extern void (*init_array_end[])();
// NOLINTEND(readability-identifier-naming)

}  // extern "C"

// No global operator new: kernel objects are made with heap::create<T>(), which can fail.
void operator delete(void*, size_t) noexcept { kernel::panic("operator delete called"); }
void operator delete(void*) noexcept { kernel::panic("operator delete called"); }

namespace kernel {

void run_global_constructors() {
  for (auto* f = init_array_start; f != init_array_end; ++f) (*f)();
}

}  // namespace kernel
