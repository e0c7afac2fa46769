// Says hello through the log handle it was given, then exits with 0.
#include "user_test.h"

int64_t stellina_main(const stellina::abi::StartupBlock& startup) {
  if (startup.handle_count < 1) return 1;
  test::log(startup.handles[0], "hello from user mode");
  return 0;
}
