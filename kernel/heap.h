#pragma once
// The kernel heap. Allocation failure is a Result error, never an unchecked null; objects are
// made with create<T>() and released with destroy().

#include <utility>

#include <lib/heap.h>
#include <lib/result.h>

namespace kernel::heap {

lib::Result<void*> alloc(size_t size);
// Panics on a pointer the heap did not hand out: that is a kernel bug, never user input.
void free(void* ptr);
lib::Heap::Stats stats();

template <typename T, typename... Args>
lib::Result<T*> create(Args&&... args) {
  void* p = TRY(alloc(sizeof(T)));
  return new (p) T(std::forward<Args>(args)...);
}

template <typename T>
void destroy(T* object) {
  if (!object) return;
  object->~T();
  free(object);
}

}  // namespace kernel::heap
