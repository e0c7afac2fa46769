#include "kernel/linux/linux_file_client.h"

#include "kernel/linux/linux_calls.h"
#include "kernel/syscall.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

FileAnswer::~FileAnswer() {
  if (!message_) return;
  SpinlockGuard guard(sched_lock);
  Message::destroy(message_);
}

int64_t FileAnswer::status() const {
  if (message_->data_size < sizeof(abi::FileReply)) return abi::kErrInvalidArgument;
  abi::FileReply reply;
  __builtin_memcpy(&reply, message_->data, sizeof(reply));
  return reply.status;
}

uint64_t FileAnswer::value() const {
  if (message_->data_size < sizeof(abi::FileReply)) return 0;
  abi::FileReply reply;
  __builtin_memcpy(&reply, message_->data, sizeof(reply));
  return reply.value;
}

const uint8_t* FileAnswer::data() const { return message_->data + sizeof(abi::FileReply); }

uint32_t FileAnswer::data_size() const {
  return message_->data_size > sizeof(abi::FileReply)
             ? message_->data_size - uint32_t(sizeof(abi::FileReply))
             : 0;
}

lib::Result<abi::Handle> FileAnswer::take_handle() {
  SpinlockGuard guard(sched_lock);
  if (message_->handle_count == 0) return lib::Error::NotFound;
  HandleTable& table = current_process().handles();
  const abi::Handle h = TRY(table.reserve());
  table.fill_transferred(h, message_->handles[0], message_->rights[0]);
  // The others (a server sends none) close with the message.
  const uint32_t last = --message_->handle_count;
  message_->handles[0] = message_->handles[last];
  message_->rights[0] = message_->rights[last];
  return h;
}

namespace {

// The request as a message: the header, the names, then the caller's bytes.
lib::Result<Message*> request_message(uint64_t call_id, const abi::FileRequest& r,
                                      const FileRequestBody& body) {
  const size_t size = sizeof(r) + body.name_size + body.name2_size + body.user_bytes_size;
  if (size > abi::kMaxMessageData) return lib::Error::TooLarge;
  Message* m = TRY(Message::create(MessageKind::Data, call_id, static_cast<uint32_t>(size),
                                   &current_process().silo()));
  uint8_t* at = m->data;
  __builtin_memcpy(at, &r, sizeof(r));
  at += sizeof(r);
  if (body.name_size) __builtin_memcpy(at, body.name, body.name_size);
  at += body.name_size;
  if (body.name2_size) __builtin_memcpy(at, body.name2, body.name2_size);
  at += body.name2_size;
  if (body.attach) {
    SpinlockGuard guard(sched_lock);
    body.attach->retain();
    body.attach->handle_opened();  // in flight, as a moved handle is (Message::destroy)
    m->handles[0] = body.attach;
    m->rights[0] = body.attach_rights;
    m->handle_count = 1;
  }
  if (body.user_bytes_size && body.kernel_bytes) {
    __builtin_memcpy(at, body.kernel_bytes, body.user_bytes_size);
  } else if (body.user_bytes_size) {
    auto copied = UserIn<uint8_t>(body.user_bytes).read(at, body.user_bytes_size);
    if (!copied.ok()) {
      SpinlockGuard guard(sched_lock);
      Message::destroy(m);
      return copied.error();
    }
  }
  return m;
}

// Sends request on ch and waits for the reply to its call, claim's call id. claim is
// destroyed, or given to the channel when the wait is given up (Channel::abandon_call: a
// killed thread, or one a signal woke, leaves no reply behind in a channel that its process,
// or another that shares the channel after a fork, goes on using).
lib::Result<FileAnswer> exchange(Channel& ch, Message* request, Message* claim)
    REQUIRES(sched_lock) {
  for (;;) {
    auto sent = ch.send(request);
    if (sent.ok()) break;
    if (sent.error() == lib::Error::WouldBlock) {
      auto waited = wait_for_signals(&ch, abi::kSignalWritable | abi::kSignalPeerClosed, 0);
      if (waited.ok()) continue;
      sent = waited.error();
    }
    Message::destroy(request);
    Message::destroy(claim);
    return sent.error();
  }
  for (;;) {
    if (Message* reply = ch.peek(true, claim->call_id)) {
      ch.remove(reply);
      Message::destroy(claim);
      return FileAnswer(reply);
    }
    if (ch.peer_closed()) {
      Message::destroy(claim);
      return lib::Error::PeerClosed;
    }
    auto waited = ch.arrivals().wait(0);
    if (!waited.ok()) {
      ch.abandon_call(claim);
      return waited.error();  // Killed: the process is ending, or a signal came
    }
  }
}

}  // namespace

lib::Result<FileAnswer> file_call(LinuxProcess& lp, abi::Handle channel, abi::FileRequest r,
                                  const FileRequestBody& body) {
  if (body.name_size > UINT16_MAX || body.name2_size > UINT16_MAX) return lib::Error::TooLarge;
  r.name_size = static_cast<uint16_t>(body.name_size);
  r.name2_size = static_cast<uint16_t>(body.name2_size);
  const uint64_t call_id = LinuxProcess::next_call_id();
  Silo* silo = &current_process().silo();
  Message* claim = TRY(Message::create(MessageKind::Data, call_id, 0, silo));
  auto request = request_message(call_id, r, body);
  SpinlockGuard guard(sched_lock);
  auto got = current_process().handles().get<Channel>(channel, abi::kRightRead | abi::kRightWrite);
  if (!request.ok() || !got.ok()) {
    if (request.ok()) Message::destroy(request.value());
    Message::destroy(claim);
    return request.ok() ? got.error() : request.error();
  }
  Ref<Channel> ch(got.value());  // the handle may be closed while we wait
  return exchange(*ch, request.value(), claim);
}

int64_t errno_of_status(int64_t status) {
  switch (status) {
    case abi::kOk: return 0;
    case abi::kErrNotFound: return -kEnoent;
    case abi::kErrExists: return -kEexist;
    case abi::kErrNotDirectory: return -kEnotdir;
    case abi::kErrIsDirectory: return -kEisdir;
    case abi::kErrNotEmpty: return -kEnotempty;
    case abi::kErrNameTooLong: return -kEnametoolong;
    case abi::kErrNoSpace: return -kEnospc;
    case abi::kErrReadOnly: return -kErofs;
    case abi::kErrAccessDenied: return -kEacces;
    case abi::kErrLoop: return -kEloop;
    case abi::kErrCrossDevice: return -kExdev;
    case abi::kErrBusy: return -kEbusy;
    case abi::kErrCorrupt: return -kEuclean;
    case abi::kErrTooLarge: return -kEfbig;
    case abi::kErrNotSupported: return -kEopnotsupp;
    case abi::kErrNoMemory:
    case abi::kErrQuotaExceeded: return -kEnomem;
    case abi::kErrNoResources: return -kEmfile;
    case abi::kErrInvalidArgument: return -kEinval;
    case abi::kErrFault:  // the device failed: an I/O error, not a bad pointer of the caller's
    case abi::kErrPeerClosed:
    case abi::kErrTimedOut:
    default: return -kEio;
  }
}

}  // namespace kernel::linux_calls
