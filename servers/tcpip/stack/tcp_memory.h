#pragma once
// Where the TCP engine's memory comes from: connections and their queues are allocated as they
// are needed and given back when done, so an idle engine holds almost nothing and a busy one
// holds what its connections queue, up to a limit in bytes (TcpMemoryBudget) that the owner
// derives from what it may use (the tcpip silo's memory quota).

#include <stddef.h>
#include <stdint.h>

namespace tcpip {

// The owner's allocator. allocate returns size bytes aligned to 16, or null when it has none
// (a quota, or no memory at all); the engine treats that as it treats its own limit.
class TcpMemory {
 public:
  virtual void* allocate(size_t size) = 0;
  // Gives back a block allocate returned, with the size it was asked for.
  virtual void release(void* block, size_t size) = 0;

 protected:
  ~TcpMemory() = default;
};

// A TcpMemory held to a limit in bytes, with what is in use and the most ever in use.
class TcpMemoryBudget {
 public:
  TcpMemoryBudget(TcpMemory& memory, size_t limit) : memory_(memory), limit_(limit) {}

  // Null past the limit or when the owner's allocator has nothing.
  void* allocate(size_t size) {
    if (size > limit_ - used_) {
      ++refusals_;
      return nullptr;
    }
    void* block = memory_.allocate(size);
    if (block == nullptr) {
      ++refusals_;
      return nullptr;
    }
    used_ += size;
    if (used_ > peak_) peak_ = used_;
    return block;
  }
  void release(void* block, size_t size) {
    if (block == nullptr) return;
    memory_.release(block, size);
    used_ -= size;
  }
  // Whether size more bytes would still leave reserve of the limit free.
  bool has_room(size_t size, size_t reserve) const {
    return used_ <= limit_ && limit_ - used_ >= size && limit_ - used_ - size >= reserve;
  }

  size_t used() const { return used_; }
  size_t peak() const { return peak_; }
  size_t limit() const { return limit_; }
  uint64_t refusals() const { return refusals_; }

 private:
  TcpMemory& memory_;
  size_t limit_;
  size_t used_ = 0;
  size_t peak_ = 0;
  uint64_t refusals_ = 0;
};

}  // namespace tcpip
