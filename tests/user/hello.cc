// Says hello through the log handle it was given, then exits with 0 (2 if its global
// constructor did not run).
#include "user_test.h"

namespace {

// A global with a constructor: the runtime runs it before main.
struct Constructed {
  Constructed() : value(42) {}
  volatile int value = 0;
};
Constructed constructed;

}  // namespace

int64_t stellina_main(const stellina::abi::StartupBlock& startup) {
  if (startup.handle_count < 1) return 1;
  if (constructed.value != 42) return 2;
  test::log(startup.handles[0], "hello from user mode");
  return 0;
}
