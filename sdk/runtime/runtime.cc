// The little a freestanding user program needs: the entry glue (the mem* functions come
// from lib/arch/x86_64/mem.cc).

#include <stellina/sys.h>

extern "C" {

[[noreturn]] void stellina_start(const stellina::abi::StartupBlock* startup) {
  stellina::sys::process_exit(stellina_main(*startup));
}

}  // extern "C"
