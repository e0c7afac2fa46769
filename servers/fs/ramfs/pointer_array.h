#pragma once
// n zeroed pointers to T (a hash table's buckets); free with deallocate. (make_array<T*>
// would do, but clang-tidy reads its sizeof(T) as a mistaken sizeof of a pointer.)

#include <stddef.h>

#include "servers/fs/core/memory.h"

namespace stellina::fs::ramfs {

template <typename T>
T** make_pointer_array(size_t n) {
  if (n > static_cast<size_t>(-1) / sizeof(void*)) return nullptr;
  return static_cast<T**>(allocate(n * sizeof(void*)));
}

}  // namespace stellina::fs::ramfs
