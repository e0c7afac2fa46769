#include "kernel/wasm/engine_allocator.h"

#include "kernel/heap.h"

namespace kernel {

void* EngineAllocator::allocate(size_t bytes) {
  if (bytes == 0 || !silo_->charge_memory(bytes).ok()) return nullptr;
  auto memory = heap::alloc(bytes);
  if (!memory.ok()) {
    silo_->uncharge_memory(bytes);
    return nullptr;
  }
  charged_ += bytes;
  return memory.value();
}

void EngineAllocator::deallocate(void* ptr, size_t bytes) {
  if (ptr == nullptr) return;
  heap::free(ptr);
  silo_->uncharge_memory(bytes);
  charged_ -= bytes;
}

}  // namespace kernel
