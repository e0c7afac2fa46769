#pragma once
// A wait set: up to kMaxPollEntries (object, signals, key) entries, held in chunks that are
// allocated (and charged to the creator's silo) as the set grows; the directory of chunks is
// inline for the first kInlineChunks and grows by doubling past them, so a small set costs
// what it did when the limit was 512. poll_wait reports the
// entries whose object has one of the watched signals now (level-triggered), blocking until
// one does, round-robin: each wait begins after the last entry the one before reported.
// Entries hold a reference to their object.

#include <stellina/types.h>

#include <lib/result.h>

#include "kernel/object.h"
#include "kernel/wait_queue.h"

namespace kernel {

class Poll final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Poll;

  // Errors: InvalidArgument (no signals, the poll itself, key in use), NoResources.
  lib::Result<void> add(Object* object, uint32_t signals, uint64_t key) REQUIRES(sched_lock);
  // Errors: NotFound.
  lib::Result<void> remove(uint64_t key) REQUIRES(sched_lock);
  // Fills events with ready entries (at most max); blocks until there is one or the
  // deadline passes (0: none). Errors: TimedOut.
  lib::Result<size_t> wait(stellina::abi::PollEvent* events, size_t max, uint64_t deadline_ns)
      REQUIRES(sched_lock);

  Poll() : Object(kType) {}

 private:
  ~Poll() override;
  void on_zero_handles() override REQUIRES(sched_lock);
  size_t collect(stellina::abi::PollEvent* events, size_t max) REQUIRES(sched_lock);

  struct Entry {
    Object* object = nullptr;  // a reference
    uint64_t key = 0;
    SignalObserver observer;
  };
  static constexpr size_t kChunk = 32;
  static constexpr size_t kInlineChunks = 16;
  Entry& entry(size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  // A free entry, in a new chunk if every one is in use. Errors: NoResources, NoMemory,
  // QuotaExceeded.
  lib::Result<Entry*> free_entry() REQUIRES(sched_lock);
  // Room in the directory for one more chunk. Errors: NoMemory, QuotaExceeded.
  lib::Result<void> grow_directory() REQUIRES(sched_lock);

  Entry first_[kChunk];
  Entry* inline_chunks_[kInlineChunks] = {first_};
  Entry** chunks_ = inline_chunks_;        // the directory: inline_chunks_ or from the heap
  size_t directory_size_ = kInlineChunks;  // chunk pointers chunks_ has room for
  size_t capacity_ = kChunk;               // entries in the chunks allocated
  size_t used_ = 0;                        // entries holding an object
  size_t next_ = 0;                        // where the next collect begins
  WaitQueue waiters_;
};

}  // namespace kernel
