// What the compiler expects a C++ runtime to provide: the pure-virtual trap, static
// destructor registration, and running global constructors (.init_array), which nothing does
// for us. The mem* functions are in lib/arch/<cpu>/mem.cc, shared with user programs.

#include <cstddef>
#include <cstdint>

#include "kernel/log.h"

extern "C" {

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
