#pragma once
// A channel end. Two ends make a channel; a message sent on one end is queued at the other.
// A message is a kind, a byte payload and up to kMaxMessageHandles handles in transit (each
// still counts as an open handle to its object while it travels). See abi/stellina/messages.h.

#include <stellina/messages.h>

#include <lib/intrusive_list.h>
#include <lib/result.h>

#include "kernel/object.h"
#include "kernel/wait_queue.h"

namespace kernel {

using stellina::abi::MessageKind;

struct Message {
  lib::ListNode node;
  MessageKind kind;
  uint64_t call_id;
  uint32_t data_size;
  uint32_t handle_count;
  Object* handles[stellina::abi::kMaxMessageHandles];  // reference + handle count each
  uint32_t rights[stellina::abi::kMaxMessageHandles];
  Silo* silo;  // a reference to the silo the message is charged to, or null
  uint8_t data[];

  // A message with room for data_size bytes and no handles yet. With a silo (the sender's),
  // its size is charged to it until the message is destroyed.
  // Errors: TooLarge, QuotaExceeded, NoMemory.
  static lib::Result<Message*> create(MessageKind kind, uint64_t call_id, uint32_t data_size,
                                      Silo* silo = nullptr);
  // Frees the message, closing the handles it still carries.
  static void destroy(Message* m) REQUIRES(sched_lock);
  // The same, iteratively: closing a handle may destroy a channel end whose queue holds more
  // messages with more ends (a chain of any length); they are queued and freed in a loop by
  // the outermost call instead of recursing on the kernel stack.
  static void destroy_later(Message* m) REQUIRES(sched_lock);
};

class Channel final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Channel;

  // A connected pair; each Ref holds the creator's reference. With a silo, both ends are
  // charged to it. Errors: NoMemory, QuotaExceeded.
  static lib::Result<void> create_pair(Ref<Channel>* a, Ref<Channel>* b, Silo* silo = nullptr);

  // Queues m at the peer; on success the channel owns m. Errors: PeerClosed, WouldBlock.
  lib::Result<void> send(Message* m) REQUIRES(sched_lock);
  // The next message, or the first with call_id when match_call is set; nullptr if none.
  Message* peek(bool match_call = false, uint64_t call_id = 0) REQUIRES(sched_lock);
  // Takes a message returned by peek off the queue; the caller owns it.
  void remove(Message* m) REQUIRES(sched_lock);
  bool peer_closed() const REQUIRES(sched_lock) { return peer_ == nullptr; }
  // Whether moving the channel end `moved` through this channel would make a channel end
  // reachable from its own queue (a cycle no handle could ever close: it would leak).
  bool would_cycle(Channel* moved) const REQUIRES(sched_lock);
  // Whether send would succeed now. Errors: PeerClosed, WouldBlock.
  lib::Result<void> can_send() const REQUIRES(sched_lock);
  // Woken whenever a message arrives here or the peer closes (for callers waiting on a
  // particular reply, which other messages must not wake for good).
  WaitQueue& arrivals() { return arrivals_; }
  // A caller waiting here for the reply to claim->call_id gives up (it was killed, or a
  // signal came): the reply is destroyed now if it is queued, or else when it arrives,
  // never queued. Without it a reply nobody will read stays queued for as long as the end
  // lives (an end the caller's process shares with others: for ever), and enough of them fill
  // the queue, where the server drops every later reply. claim is a message of no data made
  // with the call id before the request was sent, so giving up cannot fail; the end owns
  // it from now on.
  void abandon_call(Message* claim) REQUIRES(sched_lock);

  Channel() : Object(kType) {}  // use create_pair

 private:
  ~Channel() override;
  void on_zero_handles() override REQUIRES(sched_lock);
  void disconnect() REQUIRES(sched_lock);
  // Whether m answers an abandoned call (abandon_call): then m and the claim are destroyed.
  bool drop_abandoned_reply(Message* m) REQUIRES(sched_lock);

  Channel* peer_ = nullptr;  // not a reference: each end lives as long as its own handles
  uint64_t visit_mark_ = 0;  // would_cycle's traversal
  lib::IntrusiveList<Message, &Message::node> queue_;
  lib::IntrusiveList<Message, &Message::node> abandoned_;  // abandon_call's claims
  WaitQueue arrivals_;
};

// Blocks until obj raises one of the signals in mask or the deadline passes (0: none).
// Returns the object's signals. Errors: TimedOut.
lib::Result<uint32_t> wait_for_signals(Object* obj, uint32_t mask, uint64_t deadline_ns)
    REQUIRES(sched_lock);

}  // namespace kernel
