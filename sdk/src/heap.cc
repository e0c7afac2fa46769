#include <stellina/heap.h>
#include <stellina/memory.h>

#include <new>

#if defined(STELLINA_IN_KERNEL)
#include <stellina/sys.h>
#endif

namespace stellina {

// --- The chunks ------------------------------------------------------------------------------

namespace {

static_assert(sizeof(lib::BuddyAllocator) + HeapChunks::kLargestChunk / HeapChunks::kPageSize <=
                  HeapChunks::kPageSize,
              "a chunk's first page holds its buddy allocator and one byte per page");

lib::Error lib_error(Status s) {
  switch (s) {
    case abi::kErrQuotaExceeded: return lib::Error::QuotaExceeded;
    case abi::kErrNoResources: return lib::Error::NoResources;
    case abi::kErrInvalidArgument: return lib::Error::InvalidArgument;
    default: return lib::Error::NoMemory;
  }
}

}  // namespace

HeapChunks::~HeapChunks() {
  for (Chunk& c : chunks_)
    if (c.base) unmap_chunk(&c);
}

HeapChunks::Chunk* HeapChunks::chunk_of(const void* p) const {
  const auto at = reinterpret_cast<uintptr_t>(p);
  for (const Chunk& c : chunks_) {
    const auto base = reinterpret_cast<uintptr_t>(c.base);
    if (c.base && at >= base && at - base < c.size) return const_cast<Chunk*>(&c);
  }
  return nullptr;
}

bool HeapChunks::owns(const void* p) const { return chunk_of(p) != nullptr; }

size_t HeapChunks::next_chunk_size(unsigned order) const {
  // Half as much again as the chunks of buddy blocks hold, within the bounds, and room for
  // the block beside the chunk's first page.
  size_t size = kFirstChunk;
  while (size < buddy_mapped_ / 2 && size < kLargestChunk) size *= 2;
  while (size < (kPageSize << (order + 1))) size *= 2;
  return size;
}

lib::Result<HeapChunks::Chunk*> HeapChunks::map_chunk(size_t size) {
  Chunk* slot = nullptr;
  for (Chunk& c : chunks_) {
    if (!c.base) {
      slot = &c;
      break;
    }
  }
  if (!slot) {
    last_error_ = abi::kErrNoResources;
    return lib::Error::NoResources;
  }
  auto mapped = backend_.allocate(size);
  if (!mapped.ok()) {
    last_error_ = mapped.error();
    return lib_error(mapped.error());
  }
  *slot = Chunk{static_cast<char*>(mapped.value()), size, nullptr, 0, 0};
  ++count_;
  mapped_ += size;
  return slot;
}

void HeapChunks::unmap_chunk(Chunk* c) {
  ignore(backend_.free(c->base), "the address is one allocate_pages gave");
  mapped_ -= c->size;
  if (c->buddy) buddy_mapped_ -= c->size;
  --count_;
  *c = Chunk{};
}

lib::Result<void*> HeapChunks::alloc_pages(unsigned order, uint8_t tag) {
  if (order > lib::BuddyAllocator::kMaxOrder || tag > lib::BuddyAllocator::kMaxTag) {
    last_error_ = abi::kErrTooLarge;
    return lib::Error::TooLarge;
  }
  const size_t bytes = kPageSize << order;
  if (2 * bytes > kLargestChunk) {
    // Too big for a chunk of buddy blocks: a chunk of its own.
    Chunk* c = TRY(map_chunk(bytes));
    c->order = order;
    c->tag = tag;
    return static_cast<void*>(c->base);
  }
  for (Chunk& c : chunks_) {
    if (!c.buddy) continue;
    auto block = c.buddy->alloc(order, tag);
    if (block.ok()) return static_cast<void*>(c.base + block.value());
  }
  Chunk* c = TRY(map_chunk(next_chunk_size(order)));
  // The buddy allocator's "physical" addresses are offsets in the chunk; page 0 is its own.
  c->buddy = new (c->base) lib::BuddyAllocator;
  buddy_mapped_ += c->size;
  auto* meta = reinterpret_cast<uint8_t*>(c->base + sizeof(lib::BuddyAllocator));
  c->buddy->init(0, c->base, c->size / kPageSize, meta);
  c->buddy->add_range(kPageSize, c->size / kPageSize - 1);
  auto block = c->buddy->alloc(order, tag);
  if (!block.ok()) return block.error();  // cannot happen: the chunk was sized for it
  return static_cast<void*>(c->base + block.value());
}

lib::Result<void> HeapChunks::free_pages(void* block) {
  Chunk* c = chunk_of(block);
  if (!c) return lib::Error::InvalidArgument;
  if (!c->buddy) {
    if (block != c->base) return lib::Error::InvalidArgument;
    unmap_chunk(c);
    return {};
  }
  TRY(c->buddy->free(static_cast<uintptr_t>(static_cast<char*>(block) - c->base)));
  // Wholly free: back to the silo, unless it is the last chunk (a heap that empties and
  // fills again would map and unmap at every turn).
  if (c->buddy->free_pages() == c->buddy->managed_pages() && count_ > 1) unmap_chunk(c);
  return {};
}

lib::Result<lib::PageSource::Block> HeapChunks::block(void* block) {
  Chunk* c = chunk_of(block);
  if (!c) return lib::Error::InvalidArgument;
  if (!c->buddy) {
    if (block != c->base) return lib::Error::InvalidArgument;
    return Block{c->order, c->tag};
  }
  const auto b =
      TRY(c->buddy->allocated_block(static_cast<uintptr_t>(static_cast<char*>(block) - c->base)));
  return Block{b.order, b.tag};
}

// --- The component's heap --------------------------------------------------------------------

namespace {

struct HeapState {
  HeapState() : heap(chunks) {}
  HeapChunks chunks{HeapChunks::Backend{allocate_pages, free_pages}};
  lib::Heap heap;
};

#if !defined(STELLINA_IN_KERNEL)

// A user process is one component: the heap is the program's own.
alignas(HeapState) unsigned char user_state[sizeof(HeapState)];
HeapState* user_heap = nullptr;

Result<HeapState*> current_heap(bool create) {
  if (!user_heap && create) user_heap = new (user_state) HeapState;
  if (!user_heap) return abi::kErrNotFound;
  return user_heap;
}

#else

// Inside the kernel every in-kernel component runs this same code, so the heap cannot be a
// global: each component's lives in a folio of its own (its "home"), charged to its silo,
// and is found through a registry shared by all of them. An entry names the home by
// address and by a key: the object id of the home folio, whose handle only the owner holds.
// handle_query on that handle, in the calling component's own handle table, gives the key
// back only to the owner, so a component finds its entry and no other's; object ids are
// never reused, so the entry of a component that has ended matches no one. Such an entry is
// reclaimed when a new home is mapped at its address (which the kernel gives out again
// only once the old mapping is gone, with its component).
struct Registration {
  uint64_t key_id;  // 0: free; kClaiming: being filled in
  abi::Handle key;  // the owner's handle to its home folio
  uintptr_t home;   // where the owner mapped it
};
constexpr uint64_t kClaiming = ~uint64_t{0};
constexpr size_t kMaxHeaps = 64;  // in-kernel components with a heap at once
Registration registry[kMaxHeaps];

HeapState* owned_by_caller(Registration& r) {
  const uint64_t key_id = __atomic_load_n(&r.key_id, __ATOMIC_ACQUIRE);
  if (key_id == 0 || key_id == kClaiming) return nullptr;
  abi::HandleInfo info{};
  if (sys::handle_query(__atomic_load_n(&r.key, __ATOMIC_RELAXED), &info) < 0) return nullptr;
  if (info.object_id != key_id) return nullptr;
  return reinterpret_cast<HeapState*>(__atomic_load_n(&r.home, __ATOMIC_RELAXED));
}

Result<HeapState*> make_heap() {
  const auto folio = static_cast<abi::Handle>(TRY(check(sys::folio_create(sizeof(HeapState)))));
  uint64_t home = 0;
  abi::HandleInfo info{};
  const int64_t mapped = sys::folio_map(folio, true, &home);
  if (mapped < 0 || sys::handle_query(folio, &info) < 0) {
    if (mapped >= 0) sys::folio_unmap(home);
    sys::handle_close(folio);
    return mapped < 0 ? static_cast<Status>(mapped) : abi::kErrNoResources;
  }
  auto* state = new (reinterpret_cast<void*>(home)) HeapState;
  for (Registration& r : registry) {
    uint64_t seen = __atomic_load_n(&r.key_id, __ATOMIC_ACQUIRE);
    const bool stale =
        seen != 0 && seen != kClaiming && __atomic_load_n(&r.home, __ATOMIC_RELAXED) == home;
    if (seen != 0 && !stale) continue;
    if (!__atomic_compare_exchange_n(&r.key_id, &seen, kClaiming, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED))
      continue;
    __atomic_store_n(&r.key, folio, __ATOMIC_RELAXED);
    __atomic_store_n(&r.home, home, __ATOMIC_RELAXED);
    __atomic_store_n(&r.key_id, info.object_id, __ATOMIC_RELEASE);
    return state;
  }
  sys::folio_unmap(home);
  sys::handle_close(folio);
  return abi::kErrNoResources;
}

Result<HeapState*> current_heap(bool create) {
  for (Registration& r : registry)
    if (HeapState* state = owned_by_caller(r)) return state;
  if (!create) return abi::kErrNotFound;
  return make_heap();
}

#endif

Status status_of(lib::Error e, const HeapChunks& chunks) {
  switch (e) {
    case lib::Error::InvalidArgument: return abi::kErrInvalidArgument;
    case lib::Error::TooLarge: return abi::kErrTooLarge;
    default: return chunks.last_error() != abi::kOk ? chunks.last_error() : abi::kErrNoMemory;
  }
}

}  // namespace

Result<void*> heap_allocate(size_t size) {
  if (size == 0) return abi::kErrInvalidArgument;
  if (size > kHeapMaxAllocation) return abi::kErrTooLarge;
  HeapState* state = TRY(current_heap(true));
  auto p = state->heap.alloc(size);
  if (!p.ok()) return status_of(p.error(), state->chunks);
  // Slab objects are reused: clear what a previous owner left. (Fresh pages come zeroed, but
  // not the blocks the buddy allocator hands out again.)
  __builtin_memset(p.value(), 0, size);
  return p.value();
}

void heap_free(void* p) {
  if (!p) return;
  auto state = current_heap(false);
  if (!state.ok() || !state.value()->chunks.owns(p)) return;
  // A pointer the heap did not give is refused, and nothing changes.
  (void)state.value()->heap.free(p);
}

}  // namespace stellina
