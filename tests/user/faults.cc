// Does one forbidden thing, chosen by the number in the first message on handle 1:
// 1 writes through a null pointer, 2 jumps into non-executable data, 3 executes an invalid
// instruction, 4 writes to its own code. The kernel must kill it and report why.
#include "user_test.h"

using namespace test;

namespace {
const uint8_t kGarbage[16] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b};
}

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return 1;
  uint64_t mode = 0;
  abi::MessageBuffer m = data_message(&mode, sizeof(mode));
  if (receive(startup.handles[1], m) < 0) return 2;
  switch (mode) {
    case 1: *reinterpret_cast<volatile int*>(0) = 1; break;
    case 2: reinterpret_cast<void (*)()>(const_cast<uint8_t*>(kGarbage))(); break;
    case 3: __builtin_trap();
    case 4: *reinterpret_cast<volatile uint8_t*>(&stellina_main) = 0xc3; break;
    default: return 3;
  }
  return 4;  // survived: the test fails on this exit code
}
