// The little a freestanding user program needs: the entry glue, and what the compiler calls
// for a pure virtual function (the mem* functions come from lib/arch/x86_64/mem.cc).

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
