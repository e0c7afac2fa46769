// Syscalls on channels: create, send, receive, call. Messages move all or nothing: a send
// that fails leaves every handle with the sender, a receive that fails leaves the message
// queued.

#include "kernel/arch.h"
#include "kernel/channel.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

namespace {

bool valid_kind(MessageKind kind) {
  return kind >= MessageKind::Connect && kind <= MessageKind::Error;
}

// Builds a kernel message from the user's descriptor and queues it on the channel h.
lib::Result<void> send_message(Handle h, const abi::MessageBuffer& mb) {
  if (!valid_kind(mb.kind)) return lib::Error::InvalidArgument;
  if (mb.data_size > abi::kMaxMessageData || mb.handle_count > abi::kMaxMessageHandles)
    return lib::Error::TooLarge;
  Handle moved[abi::kMaxMessageHandles];
  if (mb.handle_count) {
    TRY(copy_in(moved, reinterpret_cast<uintptr_t>(mb.handles), mb.handle_count * sizeof(Handle)));
  }
  Message* m = TRY(Message::create(mb.kind, mb.call_id, mb.data_size, &current_process().silo()));
  SpinlockGuard guard(sched_lock);
  auto result = [&]() NO_THREAD_SAFETY_ANALYSIS -> lib::Result<void> {  // under the guard
    TRY(copy_in(m->data, reinterpret_cast<uintptr_t>(mb.data), mb.data_size));
    HandleTable& table = current_process().handles();
    Channel* ch = TRY(table.get<Channel>(h, abi::kRightWrite));
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
    // The commit point: nothing below fails.
    for (uint32_t i = 0; i < mb.handle_count; ++i) {
      auto taken = table.take_for_transfer(moved[i]).release_value();
      m->handles[i] = taken.object.leak();
      m->rights[i] = taken.rights;
      m->handle_count = i + 1;
    }
    return ch->send(m);
  }();
  if (!result.ok()) Message::destroy(m);
  return result;
}

// Moves the first queued message (or the first with call_id) into the user's buffer at
// user_mb, installing its handles. On any failure the message stays queued, whole.
lib::Result<void> receive_message(Channel* ch, abi::MessageBuffer& mb, uintptr_t user_mb,
                                  bool match_call) REQUIRES(sched_lock) {
  Message* m = ch->peek(match_call, mb.call_id);
  if (!m) return ch->peer_closed() ? lib::Error::PeerClosed : lib::Error::WouldBlock;
  HandleTable& table = current_process().handles();
  if (m->data_size > mb.data_capacity || m->handle_count > mb.handle_capacity) {
    mb.data_size = m->data_size;  // tell the caller what it needs
    mb.handle_count = m->handle_count;
    TRY(copy_out(user_mb, &mb, sizeof(mb)));
    return lib::Error::BufferTooSmall;
  }
  if (table.count() + m->handle_count > HandleTable::kCapacity) return lib::Error::NoResources;
  TRY(copy_out(reinterpret_cast<uintptr_t>(mb.data), m->data, m->data_size));
  Handle installed[abi::kMaxMessageHandles];
  for (uint32_t i = 0; i < m->handle_count; ++i)
    installed[i] = table.install_transferred(m->handles[i], m->rights[i]).release_value();
  mb.kind = m->kind;
  mb.call_id = m->call_id;
  mb.data_size = m->data_size;
  mb.handle_count = m->handle_count;
  auto copied = copy_out(reinterpret_cast<uintptr_t>(mb.handles), installed,
                         m->handle_count * sizeof(Handle));
  if (copied.ok()) copied = copy_out(user_mb, &mb, sizeof(mb));
  if (!copied.ok()) {  // give the handles back to the message
    for (uint32_t i = 0; i < m->handle_count; ++i)
      (void)table.take_for_transfer(installed[i]).release_value().object.leak();
    return copied.error();
  }
  ch->remove(m);
  m->handle_count = 0;  // they live in the table now
  Message::destroy(m);
  return {};
}

}  // namespace

int64_t sys_channel_create(SyscallArgs a) {
  Ref<Channel> ends[2];
  TRY_STATUS(Channel::create_pair(&ends[0], &ends[1], &current_process().silo()));
  SpinlockGuard guard(sched_lock);
  HandleTable& table = current_process().handles();
  Handle handles[2] = {};
  for (int i = 0; i < 2; ++i) {
    auto h = table.install(ends[i].get(), abi::kRightsAll);
    if (!h.ok()) {
      if (i == 1) (void)table.close(handles[0]);
      ends[0] = Ref<Channel>();  // the ends die here, under the lock
      ends[1] = Ref<Channel>();
      return to_status(h.error());
    }
    handles[i] = h.value();
  }
  ends[0] = Ref<Channel>();  // the table holds them now; drop ours under the lock
  ends[1] = Ref<Channel>();
  auto copied = copy_out(a[0], handles, sizeof(handles));
  if (!copied.ok()) {  // the caller cannot learn the handles: take them back
    (void)table.close(handles[0]);
    (void)table.close(handles[1]);
    return to_status(copied.error());
  }
  return abi::kOk;
}

int64_t sys_channel_send(SyscallArgs a) {
  abi::MessageBuffer mb;
  TRY_STATUS(copy_in(&mb, a[1], sizeof(mb)));
  return to_return(send_message(handle_arg(a[0]), mb));
}

int64_t sys_channel_recv(SyscallArgs a) {
  abi::MessageBuffer mb;
  TRY_STATUS(copy_in(&mb, a[1], sizeof(mb)));
  SpinlockGuard guard(sched_lock);
  auto ch = current_process().handles().get<Channel>(handle_arg(a[0]), abi::kRightRead);
  if (!ch.ok()) return to_status(ch.error());
  return to_return(receive_message(ch.value(), mb, a[1], false));
}

int64_t sys_channel_call(SyscallArgs a) {
  const auto h = handle_arg(a[0]);
  const uint64_t deadline = a[2];
  abi::MessageBuffer mb;
  TRY_STATUS(copy_in(&mb, a[1], sizeof(mb)));
  {  // a call needs both rights: check before anything is sent
    SpinlockGuard guard(sched_lock);
    auto ch = current_process().handles().get<Channel>(h, abi::kRightRead | abi::kRightWrite);
    if (!ch.ok()) return to_status(ch.error());
  }
  TRY_STATUS(send_message(h, mb));
  SpinlockGuard guard(sched_lock);
  auto ch = current_process().handles().get<Channel>(h, abi::kRightRead | abi::kRightWrite);
  if (!ch.ok()) return to_status(ch.error());
  Ref<Channel> keep(ch.value());  // the handle may be closed while we wait
  for (;;) {
    auto received = receive_message(keep.get(), mb, a[1], true);
    if (received.ok() || received.error() != lib::Error::WouldBlock) return to_return(received);
    auto waited = keep->arrivals().wait(deadline);
    if (!waited.ok()) return to_status(waited.error());
  }
}

}  // namespace kernel
