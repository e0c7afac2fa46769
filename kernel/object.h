#pragma once
// The base of every kernel object that handles can name: a reference count (who may touch
// it), a handle count (who may use it: on_zero_handles runs when the last handle closes),
// signals, and the observers waiting for them. Downcasts go through the type tag, never RTTI.
//
// All object state, signals and observers are guarded by sched_lock (one CPU: the big lock
// keeps "check, then wait" atomic; finer locks come with SMP).

#include <stellina/types.h>

#include <lib/intrusive_list.h>
#include <lib/result.h>

#include "kernel/sched.h"

namespace kernel {

using stellina::abi::ObjectType;

class Silo;

// Someone waiting for an object's signals: notify runs (with sched_lock held) whenever the
// object's signals change and intersect mask.
struct SignalObserver {
  lib::ListNode node;
  uint32_t mask = 0;
  void (*notify)(SignalObserver* self, uint32_t signals) = nullptr;
  void* context = nullptr;
};

class Object {
 public:
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  ObjectType type() const { return type_; }
  uint64_t id() const { return id_; }
  // How many kernel objects exist now (of every type): what tests check nothing leaked.
  static size_t live_count();

  void retain() { ++refs_; }
  // Drops a reference; the last one destroys the object. Call with sched_lock held once
  // the object is visible to others (its destructor may touch other objects' signals).
  void release();

  void handle_opened() REQUIRES(sched_lock) { ++handles_; }
  void handle_closed() REQUIRES(sched_lock);

  uint32_t signals() const REQUIRES(sched_lock) { return signals_; }
  // Sets and clears signals and tells the observers whose mask intersects the change.
  void update_signals(uint32_t set, uint32_t clear) REQUIRES(sched_lock);
  void add_observer(SignalObserver* o) REQUIRES(sched_lock);
  void remove_observer(SignalObserver* o) REQUIRES(sched_lock);

  // Charges bytes of memory to silo (and the silos above it) for as long as the object lives:
  // ~Object gives it back. At most once per object, before others can see it.
  // Errors: QuotaExceeded.
  lib::Result<void> charge_to(Silo& silo, size_t bytes);

 protected:
  // Charges bytes more to the silo charged already (memory the object grew by), if any.
  // Errors: QuotaExceeded.
  lib::Result<void> charge_more(size_t bytes);

  explicit Object(ObjectType type);
  virtual ~Object();
  // The last handle closed; the object may still be referenced (e.g. by a queued message).
  virtual void on_zero_handles() REQUIRES(sched_lock) {}

 private:
  const ObjectType type_;
  const uint64_t id_;
  uint32_t refs_ = 1;  // the creator's reference
  uint32_t handles_ = 0;
  uint32_t signals_ = 0;
  lib::IntrusiveList<SignalObserver, &SignalObserver::node> observers_;
  Silo* charged_silo_ = nullptr;  // a reference, while charged_bytes_ are charged to it
  size_t charged_bytes_ = 0;
};

// Downcast by type tag: T declares `static constexpr ObjectType kType`.
template <typename T>
T* object_cast(Object* o) {
  return o && o->type() == T::kType ? static_cast<T*>(o) : nullptr;
}

// An owning reference.
template <typename T>
class Ref {
 public:
  Ref() = default;
  // Adopts a reference the caller already holds (e.g. a freshly created object).
  static Ref adopt(T* p) {
    Ref r;
    r.p_ = p;
    return r;
  }
  explicit Ref(T* p) : p_(p) {
    if (p_) p_->retain();
  }
  Ref(const Ref& o) : Ref(o.p_) {}
  Ref(Ref&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  Ref& operator=(Ref o) noexcept {
    T* old = p_;
    p_ = o.p_;
    o.p_ = old;
    return *this;
  }
  ~Ref() {
    if (p_) p_->release();
  }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  // Gives up ownership without releasing.
  T* leak() {
    T* p = p_;
    p_ = nullptr;
    return p;
  }

 private:
  T* p_ = nullptr;
};

}  // namespace kernel
