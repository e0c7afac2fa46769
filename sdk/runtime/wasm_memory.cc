// allocate_pages and free_pages for a wasm component: its memory is its linear memory, which
// only grows (memory.grow, charged to its silo by the kernel). Freed blocks are kept in a
// small table and handed out again, zeroed, to a later request they fit.

#include <stellina/memory.h>
#include <stellina/sys.h>

namespace stellina {
namespace {

constexpr size_t kWasmPage = 65536;
constexpr size_t kMaxBlocks = 64;  // blocks given out, live or freed

struct Block {
  uintptr_t address;
  size_t pages;
  bool free;
};

Block blocks[kMaxBlocks];
size_t block_count = 0;

Block* find(uintptr_t address) {
  for (size_t i = 0; i < block_count; ++i)
    if (blocks[i].address == address) return &blocks[i];
  return nullptr;
}

// The smallest free block of at least pages, or null.
Block* reusable(size_t pages) {
  Block* best = nullptr;
  for (size_t i = 0; i < block_count; ++i) {
    if (blocks[i].free && blocks[i].pages >= pages && (!best || blocks[i].pages < best->pages))
      best = &blocks[i];
  }
  return best;
}

}  // namespace

Result<void*> allocate_pages(size_t size) {
  if (size == 0 || size > (size_t{16} << 20)) return abi::kErrInvalidArgument;
  const size_t pages = (size + kWasmPage - 1) / kWasmPage;
  if (Block* block = reusable(pages)) {
    block->free = false;
    __builtin_memset(reinterpret_cast<void*>(block->address), 0, block->pages * kWasmPage);
    return reinterpret_cast<void*>(block->address);
  }
  if (block_count == kMaxBlocks) return abi::kErrNoResources;
  const auto old = __builtin_wasm_memory_grow(0, pages);
  if (old == static_cast<decltype(old)>(-1)) return abi::kErrQuotaExceeded;
  blocks[block_count++] = {old * kWasmPage, pages, false};
  return reinterpret_cast<void*>(old * kWasmPage);  // fresh pages of linear memory are zero
}

Result<void> free_pages(void* address) {
  Block* block = find(reinterpret_cast<uintptr_t>(address));
  if (!block || block->free) return abi::kErrNotFound;
  block->free = true;
  return {};
}

}  // namespace stellina
