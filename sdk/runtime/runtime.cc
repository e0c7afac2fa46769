// The little a freestanding user program needs: the entry glue (global constructors, then
// main), and what the compiler calls for a pure virtual function, a virtual destructor or a
// global's destructor (the mem* functions come from lib/arch/x86_64/mem.cc).

#include <stellina/sys.h>

extern "C" {

// The global constructors' table (sdk/arch/*/user.ld).
// NOLINTBEGIN(readability-identifier-naming): linker-script symbols
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
// NOLINTEND(readability-identifier-naming)

// Destructors of globals are not run: a process ends with process_exit, and the kernel takes
// back everything it held, so they are never registered.
// NOLINTNEXTLINE(readability-identifier-naming): the name is fixed by the C++ ABI.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void* __dso_handle = nullptr;  // NOLINT(readability-identifier-naming)

[[noreturn]] void stellina_start(const stellina::abi::StartupBlock* startup) {
  for (auto* constructor = __init_array_start; constructor != __init_array_end; ++constructor)
    (*constructor)();
  stellina::sys::process_exit(stellina_main(*startup));
}

// Called only through a broken object (a pure virtual function of a class being built or
// destroyed): the trap ends the process, and the kernel reports where.
// NOLINTNEXTLINE(readability-identifier-naming): the name is fixed by the C++ ABI.
[[noreturn]] void __cxa_pure_virtual() { __builtin_trap(); }

}  // extern "C"

// A class with a virtual destructor refers to the global operator delete, but a user program
// never deletes through it (objects from the SDK heap are destroyed in place and freed with
// heap_free): a call is a bug, and the trap ends the process where it happened.
void operator delete(void*) noexcept { __builtin_trap(); }
void operator delete(void*, size_t) noexcept { __builtin_trap(); }
