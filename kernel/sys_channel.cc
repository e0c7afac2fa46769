// Syscalls on channels: create, send, receive, call, reply-and-receive. Messages move all or
// nothing: a send that fails leaves every handle with the sender, a receive that fails leaves the
// message queued.

#include "kernel/arch.h"
#include "kernel/channel.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

namespace {

bool valid_kind(MessageKind kind) {
  return kind >= MessageKind::Connect && kind <= MessageKind::Stop;
}

// Builds a kernel message from the user's descriptor and queues it on the channel h, which
// must grant `rights` (a call needs read as well). Runs under sched_lock throughout: the
// message's allocation and silo charge nest inside it, as its destruction does, so a send
// turns interrupts off and on once.
lib::Result<void> send_message(Handle h, const abi::MessageBuffer& mb, uint32_t rights)
    REQUIRES(sched_lock) {
  if (!valid_kind(mb.kind)) return lib::Error::InvalidArgument;
  if (mb.data_size > abi::kMaxMessageData || mb.handle_count > abi::kMaxMessageHandles)
    return lib::Error::TooLarge;
  HandleTable& table = current_process().handles();
  Channel* ch = TRY(table.get<Channel>(h, rights));
  Handle moved[abi::kMaxMessageHandles];
  TRY(UserIn<Handle>::from(mb.handles).read(moved, mb.handle_count));
  // Check everything before moving anything.
  for (uint32_t i = 0; i < mb.handle_count; ++i) {
    if (moved[i] == h) return lib::Error::InvalidArgument;  // a channel end cannot ride itself
    for (uint32_t j = 0; j < i; ++j)
      if (moved[j] == moved[i]) return lib::Error::InvalidArgument;
    const auto entry = TRY(table.lookup(moved[i], abi::kRightTransfer));
    Channel* end = object_cast<Channel>(static_cast<Object*>(entry.object));
    if (end && ch->would_cycle(end)) return lib::Error::InvalidArgument;
  }
  TRY(ch->can_send());
  Message* m = TRY(Message::create(mb.kind, mb.call_id, mb.data_size, &current_process().silo()));
  auto copied = UserIn<uint8_t>::from(mb.data).read(m->data, mb.data_size);
  if (!copied.ok()) {
    Message::destroy(m);
    return copied;
  }
  // Commit: nothing below fails.
  for (uint32_t i = 0; i < mb.handle_count; ++i) {
    auto taken = table.take_for_transfer(moved[i]).release_value();
    m->handles[i] = taken.object.leak();
    m->rights[i] = taken.rights;
    m->handle_count = i + 1;
  }
  return ch->send(m);
}

// Copies a queued message out to the user's buffers: its data, the handles it will have, and
// the descriptor mb (to user_mb).
lib::Result<void> copy_out_message(const Message& m, const Handle* handles, abi::MessageBuffer& mb,
                                   UserOut<abi::MessageBuffer> user_mb) {
  TRY(UserOut<uint8_t>::from(mb.data).write(m.data, m.data_size));
  TRY(UserOut<Handle>::from(mb.handles).write(handles, m.handle_count));
  mb.kind = m.kind;
  mb.call_id = m.call_id;
  mb.data_size = m.data_size;
  mb.handle_count = m.handle_count;
  return user_mb.write(&mb);
}

// Moves the first queued message (or the first with call_id) into the user's buffer at
// user_mb, installing its handles. On any failure the message stays queued, whole.
lib::Result<void> receive_message(Channel* ch, abi::MessageBuffer& mb,
                                  UserOut<abi::MessageBuffer> user_mb, bool match_call)
    REQUIRES(sched_lock) {
  Message* m = ch->peek(match_call, mb.call_id);
  if (!m) return ch->peer_closed() ? lib::Error::PeerClosed : lib::Error::WouldBlock;
  if (m->data_size > mb.data_capacity || m->handle_count > mb.handle_capacity) {
    mb.data_size = m->data_size;  // tell the caller what it needs
    mb.handle_count = m->handle_count;
    TRY(user_mb.write(&mb));
    return lib::Error::BufferTooSmall;
  }
  HandleTable& table = current_process().handles();
  Handle reserved[abi::kMaxMessageHandles];
  TRY(table.reserve(reserved, m->handle_count));
  auto copied = copy_out_message(*m, reserved, mb, user_mb);
  if (!copied.ok()) {
    table.cancel(reserved, m->handle_count);
    return copied.error();
  }
  // Commit: nothing below fails.
  for (uint32_t i = 0; i < m->handle_count; ++i)
    table.fill_transferred(reserved[i], m->handles[i], m->rights[i]);
  ch->remove(m);
  m->handle_count = 0;  // they live in the table now
  Message::destroy(m);
  return {};
}

// Receives the first message queued on ch (or the first with mb.call_id when match_call is
// set) into the user's buffer at user_mb, blocking until there is one or the deadline passes.
lib::Result<void> receive_waiting(Channel* ch, abi::MessageBuffer& mb,
                                  UserOut<abi::MessageBuffer> user_mb, bool match_call,
                                  uint64_t deadline_ns) REQUIRES(sched_lock) {
  Ref<Channel> keep(ch);  // the handle may be closed while we wait
  for (;;) {
    auto received = receive_message(ch, mb, user_mb, match_call);
    if (received.ok() || received.error() != lib::Error::WouldBlock) return received;
    TRY(ch->arrivals().wait(deadline_ns));
  }
}

}  // namespace

lib::Result<void> sys_channel_create(UserOut<Handle> out) {
  HandleTable& table = current_process().handles();
  Handle handles[2];
  {
    SpinlockGuard guard(sched_lock);
    TRY(table.reserve(handles, 2));
  }
  Ref<Channel> ends[2];
  auto made = Channel::create_pair(&ends[0], &ends[1], &current_process().silo());
  if (made.ok()) made = out.write(handles, 2);  // the caller learns them before they exist
  SpinlockGuard guard(sched_lock);
  if (made.ok()) {
    // Commit: nothing below fails.
    table.fill(handles[0], ends[0].get(), abi::kRightsAll);
    table.fill(handles[1], ends[1].get(), abi::kRightsAll);
  } else {
    table.cancel(handles, 2);
  }
  ends[0] = Ref<Channel>();  // the table holds them now, or they die here: under the lock
  ends[1] = Ref<Channel>();
  return made;
}

lib::Result<void> sys_channel_send(Handle h, UserIn<abi::MessageBuffer> msg) {
  abi::MessageBuffer mb;
  TRY(msg.read(&mb));
  SpinlockGuard guard(sched_lock);
  return send_message(h, mb, abi::kRightWrite);
}

lib::Result<void> sys_channel_recv(Handle h, UserOut<abi::MessageBuffer> msg) {
  abi::MessageBuffer mb;
  TRY(msg.read(&mb));
  SpinlockGuard guard(sched_lock);
  Channel* ch = TRY(current_process().handles().get<Channel>(h, abi::kRightRead));
  return receive_message(ch, mb, msg, false);
}

lib::Result<void> sys_channel_call(Handle h, UserOut<abi::MessageBuffer> msg,
                                   uint64_t deadline_ns) {
  abi::MessageBuffer mb;
  TRY(msg.read(&mb));
  constexpr uint32_t kRights = abi::kRightRead | abi::kRightWrite;  // checked before the send
  SpinlockGuard guard(sched_lock);
  sched::QuantumTimerDeferred deferred;
  // Made before the send, so that giving the call up cannot fail: a call that stops waiting
  // (its deadline, a kill) hands the claim to the channel, and the reply is dropped with
  // the handles it brings whenever it comes, never left queued (64 late replies would fill
  // the channel and the server's next reply would be lost).
  Message* claim =
      TRY(Message::create(MessageKind::Data, mb.call_id, 0, &current_process().silo()));
  auto sent = send_message(h, mb, kRights);
  auto channel = current_process().handles().get<Channel>(h, kRights);
  if (!sent.ok() || !channel.ok()) {
    Message::destroy(claim);
    return sent.ok() ? channel.error() : sent.error();
  }
  Channel* ch = channel.value();
  Ref<Channel> keep(ch);  // the handle may be closed while we wait
  for (;;) {
    auto received = receive_message(ch, mb, msg, true);
    if (received.ok() || received.error() != lib::Error::WouldBlock) {
      Message::destroy(claim);  // a reply too large for the buffer stays queued for a retry
      return received;
    }
    auto waited = ch->arrivals().wait(deadline_ns);
    if (!waited.ok()) {
      ch->abandon_call(claim);
      return waited.error();
    }
  }
}

lib::Result<void> sys_channel_reply_recv(Handle h, UserIn<abi::MessageBuffer> reply,
                                         UserOut<abi::MessageBuffer> msg, uint64_t deadline_ns) {
  abi::MessageBuffer mb, reply_mb;
  TRY(msg.read(&mb));
  if (!reply.null()) TRY(reply.read(&reply_mb));
  const uint32_t rights = abi::kRightRead | (reply.null() ? 0 : abi::kRightWrite);
  SpinlockGuard guard(sched_lock);
  sched::QuantumTimerDeferred deferred;
  if (!reply.null()) TRY(send_message(h, reply_mb, rights));
  Channel* ch = TRY(current_process().handles().get<Channel>(h, rights));
  return receive_waiting(ch, mb, msg, false, deadline_ns);
}

}  // namespace kernel
