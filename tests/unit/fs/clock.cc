// The clock the file systems stamp times with, in host tests: the host's.
#include <time.h>

#include "servers/fs/core/filesystem.h"

namespace stellina::fs {

int64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t.tv_sec * 1000000000ll + t.tv_nsec;
}

}  // namespace stellina::fs
