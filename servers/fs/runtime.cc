// What the file systems get from a file server component's runtime: the heap (the SDK's,
// charged to the component's silo) and the clock.
#include <stellina/heap.h>
#include <stellina/sys.h>

#include "servers/fs/core/filesystem.h"
#include "servers/fs/core/memory.h"

namespace stellina::fs {

void* allocate(size_t size) {
  Result<void*> p = heap_allocate(size ? size : 1);
  return p.ok() ? p.value() : nullptr;
}

void deallocate(void* p) {
  if (p) heap_free(p);
}

// The kernel's wall clock: the real-time clock at boot plus the monotonic clock since (times
// count from a 1970 boot on a machine without a real-time clock).
int64_t now_ns() { return static_cast<int64_t>(sys::clock_wall()); }

}  // namespace stellina::fs
