#pragma once
// The host's Allocator for the engine: malloc and free, with a count of bytes outstanding
// (tests check that destroying a store or module gives everything back) and an optional
// budget that makes allocations fail past it.

#include <cstdlib>

#include "wasm/base.h"

namespace wasm_test {

class MallocAllocator final : public wasm::Allocator {
 public:
  void* allocate(size_t bytes) override {
    if (budget_ != 0 && outstanding_ + bytes > budget_) return nullptr;
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (p != nullptr) outstanding_ += bytes;
    return p;
  }
  void deallocate(void* ptr, size_t bytes) override {
    outstanding_ -= bytes;
    std::free(ptr);
  }
  size_t outstanding() const { return outstanding_; }
  void set_budget(size_t bytes) { budget_ = bytes; }

 private:
  size_t outstanding_ = 0;
  size_t budget_ = 0;
};

}  // namespace wasm_test
