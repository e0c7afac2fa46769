// The little a freestanding user program needs: the entry glue, and what the compiler calls
// for a pure virtual function or a virtual destructor (the mem* functions come from
// lib/arch/x86_64/mem.cc).

#include <stellina/sys.h>

extern "C" {

[[noreturn]] void stellina_start(const stellina::abi::StartupBlock* startup) {
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
