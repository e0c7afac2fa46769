// Built as a static PIE: its pointers need R_X86_64_RELATIVE relocations, which the kernel's
// loader applies at the load address. Handles: log. Exits 0 if every pointer leads to the
// right place.
#include "user_test.h"

// Mutable and external, so the compiler must load them: each initializer is an absolute
// address, which in a PIE is a relocation.
const char kFirst[] = "first";
const char kSecond[] = "second";
const char* table[] = {kFirst, kSecond};
int counter = 41;
int* counter_ptr = &counter;

int64_t stellina_main(const stellina::abi::StartupBlock& startup) {
  if (table[0] != kFirst || table[1][0] != 's' || table[1][5] != 'd') return 1;
  ++*counter_ptr;
  if (counter != 42) return 2;
  // Loaded away from address 0: the bias was applied.
  if (reinterpret_cast<uintptr_t>(&counter) < 0x10000000) return 3;
  test::log(startup.handles[0], "pie: relocated");
  return 0;
}
