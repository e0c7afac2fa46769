// What a file server component gets from its runtime, on the host: the clock and the heap.
#include <time.h>

#include <cstdlib>

#include "servers/fs/core/filesystem.h"
#include "servers/fs/core/memory.h"

namespace test {
// When set (>= 0), the time the file systems see, instead of the host's.
int64_t fixed_now_ns = -1;
}  // namespace test

namespace stellina::fs {

int64_t now_ns() {
  if (test::fixed_now_ns >= 0) return test::fixed_now_ns;
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t.tv_sec * 1000000000ll + t.tv_nsec;
}

void* allocate(size_t size) { return std::calloc(1, size ? size : 1); }
void deallocate(void* p) { std::free(p); }

}  // namespace stellina::fs
