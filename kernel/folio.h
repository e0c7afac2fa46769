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

  // Zeroed pages, size rounded up to whole pages. With a silo, the pages and the folio's
  // bookkeeping are charged to it while the folio exists. Errors: InvalidArgument (0 or
  // above kMaxPages pages), QuotaExceeded, NoMemory.
  static lib::Result<Folio*> create(size_t size, Silo* silo = nullptr);

  size_t page_count() const { return page_count_; }
  uintptr_t page(size_t i) const { return pages_[i]; }

  Folio() : Object(kType) {}

 private:
  ~Folio() override;
  size_t page_count_ = 0;
  uintptr_t* pages_ = nullptr;  // physical addresses
};

}  // namespace kernel
