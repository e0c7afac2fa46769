#pragma once
// Memory for the file systems: the one place they allocate. The host tests define
// allocate/deallocate with the C heap; a file server component with the SDK's heap, so
// what it takes is charged to its silo in every isolation (inside the kernel, the kernel's
// own operator new would charge no one).

#include <stddef.h>

#include <new>
#include <type_traits>
#include <utility>

namespace stellina::fs {

// size bytes, zeroed, 16-byte aligned; null when there is no memory.
void* allocate(size_t size);
void deallocate(void* p);

template <typename T, typename... Args>
T* make(Args&&... args) {
  void* memory = allocate(sizeof(T));
  return memory ? new (memory) T(std::forward<Args>(args)...) : nullptr;
}

template <typename T>
void destroy(T* p) {
  if (!p) return;
  p->~T();
  deallocate(p);
}

// n zeroed Ts of a type that needs no constructor or destructor; free with deallocate.
template <typename T>
T* make_array(size_t n) {
  static_assert(std::is_trivially_destructible_v<T>);
  // T may be a pointer (a table of buckets): its own size is the one wanted.
  constexpr size_t kSize = sizeof(T);  // NOLINT(bugprone-sizeof-expression)
  if (n > static_cast<size_t>(-1) / kSize) return nullptr;
  return static_cast<T*>(allocate(n * kSize));
}

}  // namespace stellina::fs
