#include "kernel/channel.h"

#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/silo.h"

namespace kernel {

using stellina::abi::kChannelQueueLimit;
using stellina::abi::kSignalPeerClosed;
using stellina::abi::kSignalReadable;
using stellina::abi::kSignalWritable;

lib::Result<Message*> Message::create(MessageKind kind, uint64_t call_id, uint32_t data_size,
                                      Silo* silo) {
  if (data_size > stellina::abi::kMaxMessageData) return lib::Error::TooLarge;
  if (silo) TRY(silo->charge_memory(sizeof(Message) + data_size));
  auto p = heap::alloc(sizeof(Message) + data_size);
  if (!p.ok()) {
    if (silo) silo->uncharge_memory(sizeof(Message) + data_size);
    return p.error();
  }
  auto* m = new (p.value()) Message;
  m->kind = kind;
  m->call_id = call_id;
  m->data_size = data_size;
  m->handle_count = 0;
  m->silo = silo;
  if (silo) silo->retain();
  return m;
}

void Message::destroy(Message* m) {
  for (uint32_t i = 0; i < m->handle_count; ++i) {
    m->handles[i]->handle_closed();
    m->handles[i]->release();
  }
  if (m->silo) {
    m->silo->uncharge_memory(sizeof(Message) + m->data_size);
    m->silo->release();
  }
  heap::free(m);
}

void Message::destroy_later(Message* m) {
  static lib::IntrusiveList<Message, &Message::node> pending;
  static bool draining = false;
  pending.push_back(m);
  if (draining) return;
  draining = true;
  while (Message* next = pending.pop_front()) destroy(next);
  draining = false;
}

lib::Result<void> Channel::create_pair(Ref<Channel>* a, Ref<Channel>* b, Silo* silo) {
  Channel* first = TRY(heap::create<Channel>());
  auto second = heap::create<Channel>();
  if (!second.ok()) {
    first->release();
    return second.error();
  }
  if (silo) {
    auto charged = first->charge_to(*silo, sizeof(Channel));
    if (charged.ok()) charged = second.value()->charge_to(*silo, sizeof(Channel));
    if (!charged.ok()) {  // neither is connected yet: they die alone
      first->release();
      second.value()->release();
      return charged.error();
    }
  }
  SpinlockGuard guard(sched_lock);
  first->peer_ = second.value();
  second.value()->peer_ = first;
  first->update_signals(kSignalWritable, 0);
  second.value()->update_signals(kSignalWritable, 0);
  *a = Ref<Channel>::adopt(first);
  *b = Ref<Channel>::adopt(second.value());
  return {};
}

// Objects die with sched_lock held (their last reference goes in a syscall or with a
// message), or before anyone else could see them (a failed create_pair).
Channel::~Channel() NO_THREAD_SAFETY_ANALYSIS { disconnect(); }

void Channel::disconnect() {
  if (peer_) {
    peer_->peer_ = nullptr;
    peer_->update_signals(kSignalPeerClosed, kSignalWritable);
    peer_->arrivals_.wake_all();
    peer_ = nullptr;
  }
  while (Message* m = queue_.pop_front()) Message::destroy_later(m);  // nobody can read them now
  while (Message* claim = abandoned_.pop_front()) Message::destroy(claim);  // no reply comes now
  update_signals(kSignalPeerClosed, kSignalReadable | kSignalWritable);
}

void Channel::on_zero_handles() { disconnect(); }

bool Channel::would_cycle(Channel* moved) const {
  // The receiver would hold `moved`; a cycle exists if `moved` already reaches the receiver
  // through channel ends held in queued messages. Depth-first, each end visited once.
  static uint64_t mark = 0;
  ++mark;
  Channel* stack[64];
  size_t depth = 0;
  stack[depth++] = moved;
  while (depth) {
    Channel* c = stack[--depth];
    if (c == peer_) return true;
    if (c->visit_mark_ == mark) continue;
    c->visit_mark_ = mark;
    for (Message* m = c->queue_.front(); m; m = c->queue_.next(m)) {
      for (uint32_t i = 0; i < m->handle_count; ++i) {
        Channel* held = object_cast<Channel>(m->handles[i]);
        if (!held) continue;
        if (depth == sizeof(stack) / sizeof(stack[0])) return true;  // too deep: refuse
        stack[depth++] = held;
      }
    }
  }
  return false;
}

lib::Result<void> Channel::can_send() const {
  if (!peer_) return lib::Error::PeerClosed;
  if (peer_->queue_.size() >= kChannelQueueLimit) return lib::Error::WouldBlock;
  return {};
}

lib::Result<void> Channel::send(Message* m) {
  TRY(can_send());
  if (!peer_->abandoned_.empty() && peer_->drop_abandoned_reply(m)) return {};
  peer_->queue_.push_back(m);
  peer_->update_signals(kSignalReadable, 0);
  peer_->arrivals_.wake_all();
  if (peer_->queue_.size() >= kChannelQueueLimit) update_signals(0, kSignalWritable);
  return {};
}

Message* Channel::peek(bool match_call, uint64_t call_id) {
  Message* m = queue_.front();
  while (m && match_call && m->call_id != call_id) m = queue_.next(m);
  return m;
}

void Channel::remove(Message* m) {
  queue_.remove(m);
  if (queue_.empty()) update_signals(0, kSignalReadable);
  if (peer_ && queue_.size() == kChannelQueueLimit - 1) peer_->update_signals(kSignalWritable, 0);
}

void Channel::abandon_call(Message* claim) {
  if (Message* reply = peek(true, claim->call_id)) {
    remove(reply);
    Message::destroy_later(reply);  // closes the handles it brought
    Message::destroy(claim);
    return;
  }
  if (!peer_) {  // no reply can come
    Message::destroy(claim);
    return;
  }
  abandoned_.push_back(claim);
}

bool Channel::drop_abandoned_reply(Message* m) {
  Message* claim = abandoned_.front();
  while (claim && claim->call_id != m->call_id) claim = abandoned_.next(claim);
  if (!claim) return false;
  abandoned_.remove(claim);
  Message::destroy(claim);
  Message::destroy_later(m);
  return true;
}

lib::Result<uint32_t> wait_for_signals(Object* obj, uint32_t mask, uint64_t deadline_ns) {
  WaitQueue waiters;
  SignalObserver observer;
  observer.mask = mask;
  observer.context = &waiters;
  observer.notify = [](SignalObserver* self, uint32_t) NO_THREAD_SAFETY_ANALYSIS {  // see notify
    static_cast<WaitQueue*>(self->context)->wake_all();
  };
  obj->add_observer(&observer);
  lib::Result<void> waited;
  while (!(obj->signals() & mask) && waited.ok()) waited = waiters.wait(deadline_ns);
  obj->remove_observer(&observer);
  if (!(obj->signals() & mask)) return lib::Error::TimedOut;
  return obj->signals();
}

}  // namespace kernel
