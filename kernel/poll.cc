#include "kernel/poll.h"

#include "kernel/heap.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<void> Poll::grow_directory() {
  const size_t size = directory_size_ * 2;
  void* memory = TRY(heap::alloc(sizeof(void*) * size));  // chunk pointers
  // The old directory is freed below: only what the set grows by is charged.
  const size_t old_bytes = chunks_ == inline_chunks_ ? 0 : sizeof(void*) * directory_size_;
  if (auto charged = charge_more(sizeof(void*) * size - old_bytes); !charged.ok()) {
    heap::free(memory);
    return charged.error();
  }
  auto* directory = static_cast<Entry**>(memory);
  for (size_t c = 0; c < directory_size_; ++c) directory[c] = chunks_[c];
  if (chunks_ != inline_chunks_) heap::free(chunks_);
  chunks_ = directory;
  directory_size_ = size;
  return {};
}

lib::Result<Poll::Entry*> Poll::free_entry() {
  if (used_ < capacity_) {
    for (size_t i = 0; i < capacity_; ++i)
      if (!entry(i).object) return &entry(i);
  }
  if (capacity_ == abi::kMaxPollEntries) return lib::Error::NoResources;
  if (capacity_ / kChunk == directory_size_) TRY(grow_directory());
  void* chunk = TRY(heap::alloc(sizeof(Entry) * kChunk));
  if (auto charged = charge_more(sizeof(Entry) * kChunk); !charged.ok()) {
    heap::free(chunk);
    return charged.error();
  }
  chunks_[capacity_ / kChunk] = new (chunk) Entry[kChunk];
  capacity_ += kChunk;
  return &entry(capacity_ - kChunk);
}

lib::Result<void> Poll::add(Object* object, uint32_t signals, uint64_t key) {
  if (!signals || object == this) return lib::Error::InvalidArgument;
  for (size_t i = 0; i < capacity_; ++i)
    if (entry(i).object && entry(i).key == key) return lib::Error::InvalidArgument;
  Entry* free = TRY(free_entry());
  object->retain();
  free->object = object;
  free->key = key;
  free->observer.mask = signals;
  free->observer.context = &waiters_;
  free->observer.notify = [](SignalObserver* self, uint32_t) NO_THREAD_SAFETY_ANALYSIS {
    static_cast<WaitQueue*>(self->context)->wake_all();  // notify runs under sched_lock
  };
  object->add_observer(&free->observer);
  ++used_;
  return {};
}

lib::Result<void> Poll::remove(uint64_t key) {
  for (size_t i = 0; i < capacity_; ++i) {
    Entry& e = entry(i);
    if (!e.object || e.key != key) continue;
    e.object->remove_observer(&e.observer);
    e.object->release();
    e.object = nullptr;
    --used_;
    return {};
  }
  return lib::Error::NotFound;
}

size_t Poll::collect(abi::PollEvent* events, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < capacity_ && n < max; ++i) {
    const size_t at = (next_ + i) % capacity_;
    const Entry& e = entry(at);
    if (!e.object || !(e.object->signals() & e.observer.mask)) continue;
    events[n++] = abi::PollEvent{e.key, e.object->signals(), 0};
    if (n == max) next_ = (at + 1) % capacity_;
  }
  return n;
}

lib::Result<size_t> Poll::wait(abi::PollEvent* events, size_t max, uint64_t deadline_ns) {
  for (;;) {
    const size_t n = collect(events, max);
    if (n) return n;
    TRY(waiters_.wait(deadline_ns));
  }
}

void Poll::on_zero_handles() {
  for (size_t i = 0; i < capacity_; ++i) {
    Entry& e = entry(i);
    if (!e.object) continue;
    e.object->remove_observer(&e.observer);
    e.object->release();
    e.object = nullptr;
  }
  used_ = 0;
}

Poll::~Poll() NO_THREAD_SAFETY_ANALYSIS {
  on_zero_handles();
  for (size_t c = 1; c < capacity_ / kChunk; ++c) {
    for (size_t i = 0; i < kChunk; ++i) chunks_[c][i].~Entry();
    heap::free(chunks_[c]);
  }
  if (chunks_ != inline_chunks_) heap::free(chunks_);
}

}  // namespace kernel
