// Channel::abandon_call: the reply to a call whose caller gave up (a thread killed, or woken
// by a signal, while it waited) is never queued, so such replies cannot fill the queue of an
// end that lives on; what the end keeps for the call goes with the reply, or with the end.

#include "kernel/channel.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"

namespace kernel {
namespace {

using stellina::abi::kChannelQueueLimit;

// A message of 8 bytes with call_id: a reply, or the claim abandon_call takes.
Message* with_call_id(uint64_t call_id) {
  auto m = Message::create(MessageKind::Data, call_id, 8);
  KASSERT(m.ok());
  return m.value();
}

// Takes the reply to call_id off end, if it is queued; whether it was.
bool take(Channel& end, uint64_t call_id) REQUIRES(sched_lock) {
  Message* m = end.peek(true, call_id);
  if (!m) return false;
  end.remove(m);
  Message::destroy(m);
  return true;
}

}  // namespace

KTEST(channel_abandoned_replies_never_queue) {
  const auto heap_before = heap::stats();
  Ref<Channel> client, server;
  KREQUIRE(Channel::create_pair(&client, &server).ok());
  {
    SpinlockGuard guard(sched_lock);
    // Twice as many calls given up as the queue holds, their replies all sent: the queue
    // stays empty (without abandon_call the send past kChannelQueueLimit is WouldBlock).
    constexpr uint64_t kGivenUp = uint64_t{2} * kChannelQueueLimit;
    for (uint64_t id = 1; id <= kGivenUp; ++id) client->abandon_call(with_call_id(id));
    for (uint64_t id = 1; id <= kGivenUp; ++id) KEXPECT(server->send(with_call_id(id)).ok());
    KEXPECT(client->peek() == nullptr);
    // A call still waited for gets its reply, and a reply comes once: a second one with the
    // same id (a claim is used up by its reply) is queued like any message.
    KEXPECT(server->send(with_call_id(kGivenUp + 1)).ok());
    KEXPECT(take(*client, kGivenUp + 1));
    KEXPECT(server->send(with_call_id(1)).ok());
    KEXPECT(take(*client, 1));
    // A reply queued before its caller gave up goes then; the others stay, in order.
    for (uint64_t id = 500; id < 503; ++id) KEXPECT(server->send(with_call_id(id)).ok());
    client->abandon_call(with_call_id(501));
    KEXPECT(client->peek() != nullptr && client->peek()->call_id == 500);
    KEXPECT(take(*client, 500));
    KEXPECT(client->peek() != nullptr && client->peek()->call_id == 502);
    // Claims whose replies never come are the end's until it goes.
    client->abandon_call(with_call_id(600));
    client->abandon_call(with_call_id(601));
  }
  ktest_user::drop(server);
  {
    SpinlockGuard guard(sched_lock);
    client->abandon_call(with_call_id(700));  // the server is gone: no reply can come
  }
  ktest_user::drop(client);
  KEXPECT(heap::stats().live_allocations == heap_before.live_allocations);
}

}  // namespace kernel
