#pragma once
// Memory for the shell: the one place it allocates. The host tests define sh_allocate and
// sh_free with the C heap; on Stellina they are the SDK's heap (stellina::heap_allocate, at
// most 4 MiB at a time, charged to sh's silo). Nothing in the shell uses operator new.

#include <stddef.h>

#include <new>
#include <utility>

namespace stellina::sh {

// size bytes, zeroed, 16-byte aligned; null when there is no memory (or size is past what
// the heap gives at once).
void* sh_allocate(size_t size);
void sh_free(void* p);

template <typename T, typename... Args>
T* make(Args&&... args) {
  void* memory = sh_allocate(sizeof(T));
  return memory ? new (memory) T(std::forward<Args>(args)...) : nullptr;
}

template <typename T>
void destroy(T* p) {
  if (!p) return;
  p->~T();
  sh_free(p);
}

}  // namespace stellina::sh
