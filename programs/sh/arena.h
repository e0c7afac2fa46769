#pragma once
// Where a parsed command lives: a bump allocator in chunks from sh_allocate, freed all at
// once. Bounded by kMaxParseMemory, so a huge script fails to parse instead of taking all
// memory. What it holds must need no destructor (syntax-tree nodes: views and pointers).

#include <stddef.h>

#include <new>
#include <type_traits>
#include <utility>

#include "limits.h"

namespace stellina::sh {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() { reset(); }

  // size zeroed bytes, 16-byte aligned; null when out of memory or past the bound.
  void* allocate(size_t size);
  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>);
    void* memory = allocate(sizeof(T));
    return memory ? new (memory) T(std::forward<Args>(args)...) : nullptr;
  }
  // A copy of s that lives as long as the arena (null data when out of memory).
  const char* copy(const char* s, size_t size);
  void reset();
  size_t used() const { return used_; }

 private:
  struct Chunk {
    Chunk* next;
    size_t size;
    size_t used;
  };
  Chunk* chunks_ = nullptr;
  size_t used_ = 0;
};

}  // namespace stellina::sh
