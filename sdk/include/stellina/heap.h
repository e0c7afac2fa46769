#pragma once
// A component's heap: small and medium allocations, charged to its silo like everything it
// takes (the same in user mode and inside the kernel). Memory comes from allocate_pages
// (memory.h) in chunks that grow with the heap (64 KiB, then about half of what it holds,
// up to 1 MiB), since each chunk is one of the component's 32 folio mappings; lib::Heap
// carves size-class slabs and buddy blocks from them, and a chunk is given back
// (free_pages) when it is wholly free, unless it is the last one left.
//
//   void* table = TRY(stellina::heap_allocate(n * sizeof(Entry)));
//   ...
//   stellina::heap_free(table);
//
// This is not operator new: components built into the kernel share the kernel's, which
// charges no silo. Each component, user or in-kernel, has a heap of its own; inside the
// kernel the calling component's is found by a handle only it holds (see heap.cc). A heap
// serves one thread at a time: a component whose threads allocate serializes them itself.

#include <stddef.h>
#include <stdint.h>

#include <stellina/result.h>

#include <lib/buddy.h>
#include <lib/heap.h>

namespace stellina {

// The largest allocation: 4 MiB. Bigger buffers come from allocate_pages directly.
constexpr size_t kHeapMaxAllocation = size_t{4} << 20;

// size bytes, zeroed, 16-byte aligned (page-aligned above 2016 bytes). Errors:
// kErrInvalidArgument (0), kErrTooLarge (above kHeapMaxAllocation), and allocate_pages's:
// kErrQuotaExceeded, kErrNoMemory, kErrNoResources (every folio mapping in use).
Result<void*> heap_allocate(size_t size);
// Gives back what heap_allocate returned; null is ignored. Freeing anything else, or twice,
// is refused without harm: a pointer outside the heap's chunks is not even read, and one
// inside them is checked by lib::Heap.
void heap_free(void* p);

// The chunks behind the heap, exposed for host tests (which give it a fake allocate_pages).
class HeapChunks final : public lib::PageSource {
 public:
  struct Backend {
    Result<void*> (*allocate)(size_t size);  // as allocate_pages: zeroed pages
    Result<void> (*free)(void* address);     // as free_pages
  };
  static constexpr size_t kPageSize = 4096;
  // Chunks of buddy blocks grow with the heap (each about half of what those already hold,
  // a power of two), from kFirstChunk to kLargestChunk: a folio's pages are all charged at
  // once, so the heap never maps much more than it holds. A block of kLargestChunk or more
  // gets a chunk of its own, of just its size. The first chunk is small because most
  // components hold a few KiB in their heap: at 64 KiB, file servers and drivers paid for
  // 48 KiB they never used (bench/README.md, "Memory: the smallest -m").
  static constexpr size_t kFirstChunk = size_t{16} << 10;
  static constexpr size_t kLargestChunk = size_t{1} << 20;
  static constexpr size_t kMaxChunks = 32;  // as many as a process has mappings

  explicit HeapChunks(Backend backend) : backend_(backend) {}
  // Gives every chunk back, whatever is still allocated in it (a component's heap lives as
  // long as the component: this is for tests).
  ~HeapChunks();
  HeapChunks(const HeapChunks&) = delete;
  HeapChunks& operator=(const HeapChunks&) = delete;

  // 2^order pages from a chunk with room, or from a new chunk: one of buddy blocks (its first
  // page holds the buddy allocator, so it holds blocks up to half its size), or, for a block
  // too big for the largest of those, a chunk of just that block.
  lib::Result<void*> alloc_pages(unsigned order, uint8_t tag) override;
  lib::Result<void> free_pages(void* block) override;
  lib::Result<Block> block(void* block) override;

  // Whether p lies in one of the chunks.
  bool owns(const void* p) const;
  size_t chunk_count() const { return count_; }
  size_t mapped_bytes() const { return mapped_; }
  // Why the last alloc_pages failed, as the backend said (lib::Error has fewer kinds).
  Status last_error() const { return last_error_; }

 private:
  struct Chunk {
    char* base = nullptr;  // null: the slot is free
    size_t size = 0;
    lib::BuddyAllocator* buddy = nullptr;  // in the chunk's first page; null: one block
    unsigned order = 0;                    // of the one block
    uint8_t tag = 0;
  };
  Chunk* chunk_of(const void* p) const;
  lib::Result<Chunk*> map_chunk(size_t size);
  void unmap_chunk(Chunk* c);
  size_t next_chunk_size(unsigned order) const;

  Backend backend_;
  Chunk chunks_[kMaxChunks];
  size_t count_ = 0;
  size_t mapped_ = 0;
  size_t buddy_mapped_ = 0;  // in chunks of buddy blocks
  Status last_error_ = abi::kOk;
};

}  // namespace stellina
