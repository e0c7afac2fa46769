#include "kernel/object.h"

#include <atomic>

#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/silo.h"

namespace kernel {
namespace {

uint64_t next_object_id = 1;
// Objects are made outside sched_lock (heap::create runs the constructor): an atomic count.
std::atomic<size_t> live_objects{0};

}  // namespace

Object::Object(ObjectType type) : type_(type), id_(next_object_id++) {
  live_objects.fetch_add(1, std::memory_order_relaxed);
}

Object::~Object() {
  live_objects.fetch_sub(1, std::memory_order_relaxed);
  KASSERT(observers_.empty());
  if (charged_silo_) {
    charged_silo_->uncharge_memory(charged_bytes_);
    charged_silo_->release();
  }
}

size_t Object::live_count() { return live_objects.load(std::memory_order_relaxed); }

lib::Result<void> Object::charge_to(Silo& silo, size_t bytes) {
  KASSERT(!charged_silo_);
  TRY(silo.charge_memory(bytes));
  silo.retain();
  charged_silo_ = &silo;
  charged_bytes_ = bytes;
  return {};
}

lib::Result<void> Object::charge_more(size_t bytes) {
  if (!charged_silo_) return {};
  TRY(charged_silo_->charge_memory(bytes));
  charged_bytes_ += bytes;
  return {};
}

void Object::release() {
  KASSERT(refs_ > 0);
  if (--refs_ == 0) {
    this->~Object();
    heap::free(this);
  }
}

void Object::handle_closed() {
  KASSERT(handles_ > 0);
  if (--handles_ == 0) on_zero_handles();
}

void Object::update_signals(uint32_t set, uint32_t clear) {
  const uint32_t before = signals_;
  signals_ = (signals_ & ~clear) | set;
  const uint32_t changed = before ^ signals_;
  if (!changed) return;
  observers_.for_each([&](SignalObserver* o) {
    if (o->mask & signals_) o->notify(o, signals_);
  });
}

void Object::add_observer(SignalObserver* o) {
  observers_.push_back(o);
  if (o->mask & signals_) o->notify(o, signals_);
}

void Object::remove_observer(SignalObserver* o) {
  if (o->node.linked()) observers_.remove(o);
}

}  // namespace kernel
