#pragma once
// A folio: physically backed pages that processes map into their address spaces. The same
// folio mapped by two processes is shared memory: data moves between them without copying.

#include <lib/result.h>

#include "kernel/object.h"

namespace kernel {

class Folio final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Folio;
  static constexpr size_t kMaxPages = 1024;  // 4 MiB

  // Zeroed pages, size rounded up to whole pages. Errors: InvalidArgument (0 or above
  // kMaxPages pages), NoMemory.
  static lib::Result<Folio*> create(size_t size);

  size_t page_count() const { return page_count_; }
  uintptr_t page(size_t i) const { return pages_[i]; }

  Folio() : Object(kType) {}

 private:
  ~Folio() override;
  size_t page_count_ = 0;
  uintptr_t* pages_ = nullptr;  // physical addresses
};

}  // namespace kernel
