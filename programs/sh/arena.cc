#include "arena.h"

#include "memory.h"

namespace stellina::sh {
namespace {
constexpr size_t kChunkSize = 16 * 1024;
constexpr size_t kHeader = (sizeof(void*) * 3 + 15) & ~size_t{15};
}  // namespace

void* Arena::allocate(size_t size) {
  size = (size + 15) & ~size_t{15};
  if (size > kMaxParseMemory || used_ + size > kMaxParseMemory) return nullptr;
  if (!chunks_ || chunks_->size - chunks_->used < size) {
    const size_t chunk_size = size + kHeader > kChunkSize ? size + kHeader : kChunkSize;
    auto* chunk = static_cast<Chunk*>(sh_allocate(chunk_size));
    if (!chunk) return nullptr;
    chunk->next = chunks_;
    chunk->size = chunk_size;
    chunk->used = kHeader;
    chunks_ = chunk;
  }
  char* p = reinterpret_cast<char*>(chunks_) + chunks_->used;
  chunks_->used += size;
  used_ += size;
  __builtin_memset(p, 0, size);
  return p;
}

const char* Arena::copy(const char* s, size_t size) {
  char* p = static_cast<char*>(allocate(size + 1));
  if (!p) return nullptr;
  if (size) __builtin_memcpy(p, s, size);
  p[size] = '\0';
  return p;
}

void Arena::reset() {
  while (chunks_) {
    Chunk* next = chunks_->next;
    sh_free(chunks_);
    chunks_ = next;
  }
  used_ = 0;
}

}  // namespace stellina::sh
