#include <lib/heap.h>

namespace lib {

size_t Heap::class_for(size_t size) {
  size_t c = 0;
  while (kClassSizes[c] < size) ++c;
  return c;
}

Result<Heap::Slab*> Heap::grow(size_t size_class) {
  void* page = TRY(pages_.alloc_pages(0, kTagSlab));
  auto* slab = new (page) Slab{};
  slab->magic = kSlabMagic;
  slab->size_class = static_cast<uint16_t>(size_class);
  const size_t size = kClassSizes[size_class];
  slab->capacity = static_cast<uint16_t>((kPageSize - kSlabHeader) / size);
  char* base = static_cast<char*>(page) + kSlabHeader;
  FreeObject* head = nullptr;
  for (size_t i = slab->capacity; i-- > 0;) {
    auto* obj = reinterpret_cast<FreeObject*>(base + i * size);
    obj->next = head;
    obj->poison = kFreePoison;
    head = obj;
  }
  slab->free_list = head;
  partial_[size_class].push_back(slab);
  ++stats_.slab_pages;
  return slab;
}

Result<void*> Heap::alloc(size_t size) {
  if (size == 0) return Error::InvalidArgument;
  if (size > kMaxSmall) {
    unsigned order = 0;
    while ((kPageSize << order) < size) {
      if (++order > 20) {
        ++stats_.failed_allocations;
        return Error::NoMemory;
      }
    }
    auto block = pages_.alloc_pages(order, kTagLarge);
    if (!block.ok()) {
      ++stats_.failed_allocations;
      return block.error();
    }
    ++stats_.live_allocations;
    stats_.live_bytes += kPageSize << order;
    stats_.large_pages += size_t{1} << order;
    return block.value();
  }
  const size_t c = class_for(size);
  Slab* slab = partial_[c].front();
  if (!slab) {
    auto grown = grow(c);
    if (!grown.ok()) {
      ++stats_.failed_allocations;
      return grown.error();
    }
    slab = grown.value();
  }
  FreeObject* obj = slab->free_list;
  slab->free_list = obj->next;
  obj->poison = 0;
  if (++slab->in_use == slab->capacity) partial_[c].remove(slab);
  ++stats_.live_allocations;
  stats_.live_bytes += kClassSizes[c];
  return static_cast<void*>(obj);
}

Result<Heap::Slab*> Heap::slab_of(void* ptr) {
  const auto addr = reinterpret_cast<uintptr_t>(ptr);
  auto* slab = reinterpret_cast<Slab*>(addr & ~(kPageSize - 1));
  if (slab->magic != kSlabMagic || slab->size_class >= kClassCount) return Error::InvalidArgument;
  const size_t offset = addr - reinterpret_cast<uintptr_t>(slab);
  const size_t size = kClassSizes[slab->size_class];
  if (offset < kSlabHeader || (offset - kSlabHeader) % size ||
      (offset - kSlabHeader) / size >= slab->capacity)
    return Error::InvalidArgument;
  return slab;
}

// The order of a large allocation; anything else page-aligned (a slab page, a block someone
// else allocated) is refused.
Result<unsigned> Heap::large_order(void* ptr) {
  const PageSource::Block block = TRY(pages_.block(ptr));
  if (block.tag != kTagLarge) return Error::InvalidArgument;
  return block.order;
}

Result<size_t> Heap::usable_size(void* ptr) {
  if (!ptr) return Error::InvalidArgument;
  if ((reinterpret_cast<uintptr_t>(ptr) & (kPageSize - 1)) == 0)
    return kPageSize << TRY(large_order(ptr));
  return kClassSizes[TRY(slab_of(ptr))->size_class];
}

Result<void> Heap::free(void* ptr) {
  if (!ptr) return Error::InvalidArgument;
  if ((reinterpret_cast<uintptr_t>(ptr) & (kPageSize - 1)) == 0) {
    const unsigned order = TRY(large_order(ptr));
    TRY(pages_.free_pages(ptr));
    --stats_.live_allocations;
    stats_.live_bytes -= kPageSize << order;
    stats_.large_pages -= size_t{1} << order;
    return {};
  }
  Slab* slab = TRY(slab_of(ptr));
  auto* obj = static_cast<FreeObject*>(ptr);
  if (obj->poison == kFreePoison) {
    for (FreeObject* f = slab->free_list; f; f = f->next)
      if (f == obj) return Error::InvalidArgument;  // already free
  }
  const size_t c = slab->size_class;
  if (slab->in_use == slab->capacity) partial_[c].push_back(slab);
  obj->next = slab->free_list;
  obj->poison = kFreePoison;
  slab->free_list = obj;
  --stats_.live_allocations;
  stats_.live_bytes -= kClassSizes[c];
  if (--slab->in_use == 0) {
    partial_[c].remove(slab);
    slab->magic = 0;
    (void)pages_.free_pages(slab);
    --stats_.slab_pages;
  }
  return {};
}

}  // namespace lib
