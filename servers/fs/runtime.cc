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

// Stellina has no wall clock yet: times count from boot (1970-01-01 00:00 is the boot).
int64_t now_ns() { return static_cast<int64_t>(sys::clock_now()); }

}  // namespace stellina::fs
