#pragma once
// Where a wasm component's engine memory comes from: the kernel heap, every byte charged to
// the component's silo (its module's translated code, its store, its value stack and its
// linear memory), so a silo's memory quota holds for a wasm component as for any other.

#include <wasm/base.h>

#include "kernel/object.h"
#include "kernel/silo.h"

namespace kernel {

class EngineAllocator final : public wasm::Allocator {
 public:
  explicit EngineAllocator(Ref<Silo> silo) : silo_(static_cast<Ref<Silo>&&>(silo)) {}
  EngineAllocator(const EngineAllocator&) = delete;
  EngineAllocator& operator=(const EngineAllocator&) = delete;
  ~EngineAllocator() = default;

  // Null when the silo's quota or the heap refuses.
  void* allocate(size_t bytes) override;
  void deallocate(void* ptr, size_t bytes) override;

  // Bytes charged now.
  size_t charged() const { return charged_; }

 private:
  Ref<Silo> silo_;
  size_t charged_ = 0;
};

}  // namespace kernel
