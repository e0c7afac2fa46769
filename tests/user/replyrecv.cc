// channel_reply_recv on a channel of its own: a reply sent whole or not at all, then a
// blocking receive; and the late reply to a channel_call that gave up. Handles: log. Exits 0 if
// every step got the documented result, else the failed step. (Blocking across processes: pong
// serves ping with it, ipcbench its clients.)
#include "user_test.h"

using namespace test;

namespace {

constexpr uint64_t kShortWaitNs = 20'000'000;

uint64_t soon() { return sys::clock_now() + kShortWaitNs; }

// Whether the next message on ch is there, holds value and carries call_id.
bool next_is(abi::Handle ch, uint64_t value, uint64_t call_id) {
  uint64_t got = 0;
  abi::MessageBuffer m = data_message(&got, sizeof(got));
  return sys::channel_recv(ch, &m) == abi::kOk && m.data_size == sizeof(got) && got == value &&
         m.call_id == call_id;
}

bool queue_is_empty(abi::Handle ch) {
  uint64_t got = 0;
  abi::MessageBuffer m = data_message(&got, sizeof(got));
  return sys::channel_recv(ch, &m) == abi::kErrWouldBlock;
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock&) {
  abi::Handle ch[2];  // ch[0] the client's end, ch[1] the server's
  if (sys::channel_create(ch) != abi::kOk) return 1;
  uint64_t in = 0, out = 0;
  abi::MessageBuffer m = data_message(&in, sizeof(in));
  // No reply, nothing queued: waits until the deadline.
  if (sys::channel_reply_recv(ch[1], nullptr, &m, soon()) != abi::kErrTimedOut) return 2;
  // No reply, a request queued: received at once.
  out = 41;
  abi::MessageBuffer request = data_message(&out, sizeof(out), 7);
  if (sys::channel_send(ch[0], &request) != abi::kOk) return 3;
  m = data_message(&in, sizeof(in));
  if (sys::channel_reply_recv(ch[1], nullptr, &m, soon()) != abi::kOk) return 4;
  if (in != 41 || m.call_id != 7) return 5;
  // A reply, then the next request, which came first.
  out = 43;
  request = data_message(&out, sizeof(out), 8);
  if (sys::channel_send(ch[0], &request) != abi::kOk) return 6;
  uint64_t answer = 42;
  abi::MessageBuffer reply = data_message(&answer, sizeof(answer), 7);
  m = data_message(&in, sizeof(in));
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kOk) return 7;
  if (in != 43 || m.call_id != 8 || !next_is(ch[0], 42, 7)) return 8;
  // A reply, nothing queued: the reply goes, the receive times out.
  answer = 44;
  reply = data_message(&answer, sizeof(answer), 8);
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kErrTimedOut) return 9;
  if (!next_is(ch[0], 44, 8)) return 10;

  // A reply the send refuses: nothing sent, nothing received (the queued request stays).
  out = 45;
  request = data_message(&out, sizeof(out), 9);
  if (sys::channel_send(ch[0], &request) != abi::kOk) return 11;
  reply = data_message(&answer, sizeof(answer), 9);
  reply.kind = static_cast<abi::MessageKind>(0x7fff);
  m = data_message(&in, sizeof(in));
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kErrInvalidArgument) return 12;
  reply = data_message(&answer, abi::kMaxMessageData + 1, 9);
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kErrTooLarge) return 13;
  reply = data_message(reinterpret_cast<void*>(8), sizeof(answer), 9);  // unmapped data
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kErrFault) return 14;
  const auto* unmapped = reinterpret_cast<const abi::MessageBuffer*>(8);
  if (sys::channel_reply_recv(ch[1], unmapped, &m, soon()) != abi::kErrFault) return 15;
  if (!queue_is_empty(ch[0])) return 16;
  // A receive buffer too small: the reply went, the request stays queued and says its size.
  answer = 46;
  reply = data_message(&answer, sizeof(answer), 9);
  uint8_t small[4];
  m = data_message(small, sizeof(small));
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kErrBufferTooSmall) return 17;
  if (m.data_size != sizeof(out) || !next_is(ch[0], 46, 9) || !next_is(ch[1], 45, 9)) return 18;

  // The client's queue full (kChannelQueueLimit messages): the reply is refused, and the
  // request queued meanwhile stays; with room again, the same reply goes.
  for (uint32_t i = 0; i < abi::kChannelQueueLimit; ++i) {
    abi::MessageBuffer filler = data_message(&out, sizeof(out), 100 + i);
    if (sys::channel_send(ch[1], &filler) != abi::kOk) return 30;
  }
  if (sys::channel_send(ch[0], &request) != abi::kOk) return 31;
  m = data_message(&in, sizeof(in));
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kErrWouldBlock) return 32;
  if (!next_is(ch[0], 45, 100)) return 33;  // room for one more
  in = 0;
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kOk || in != 45) return 34;
  for (uint32_t i = 1; i < abi::kChannelQueueLimit; ++i)
    if (!next_is(ch[0], 45, 100 + i)) return 35;
  if (!next_is(ch[0], 46, 9) || !queue_is_empty(ch[0])) return 36;

  // A call given up at its deadline: its late reply is dropped with the channel end it
  // brings (whose peer sees it closed), never queued; a later message with the same call id
  // is queued as any other.
  out = 47;
  request = data_message(&out, sizeof(out), 10);
  if (sys::channel_call(ch[0], &request, soon()) != abi::kErrTimedOut) return 37;
  if (!next_is(ch[1], 47, 10)) return 38;
  abi::Handle brought[2];
  if (sys::channel_create(brought) != abi::kOk) return 39;
  answer = 48;
  reply = data_message(&answer, sizeof(answer), 10);
  reply.handles = &brought[0];
  reply.handle_count = 1;
  if (sys::channel_send(ch[1], &reply) != abi::kOk || !queue_is_empty(ch[0])) return 40;
  uint64_t none = 0;
  abi::MessageBuffer probe = data_message(&none, sizeof(none));
  if (sys::channel_recv(brought[1], &probe) != abi::kErrPeerClosed) return 41;
  reply = data_message(&answer, sizeof(answer), 10);
  if (sys::channel_send(ch[1], &reply) != abi::kOk || !next_is(ch[0], 48, 10)) return 42;

  // Rights: a reply needs kRightWrite, the receive alone kRightRead.
  constexpr uint32_t kReadOnly = abi::kRightRead | abi::kRightWait;
  const int64_t ro = sys::handle_duplicate(ch[1], kReadOnly);
  if (ro <= 0) return 19;
  const auto read_only = static_cast<abi::Handle>(ro);
  m = data_message(&in, sizeof(in));
  if (sys::channel_reply_recv(read_only, &reply, &m, soon()) != abi::kErrAccessDenied) return 20;
  if (!queue_is_empty(ch[0])) return 21;
  if (sys::channel_reply_recv(read_only, nullptr, &m, soon()) != abi::kErrTimedOut) return 22;
  const int64_t wo = sys::handle_duplicate(ch[1], abi::kRightWrite | abi::kRightWait);
  if (wo <= 0) return 23;
  const auto write_only = static_cast<abi::Handle>(wo);
  if (sys::channel_reply_recv(write_only, &reply, &m, soon()) != abi::kErrAccessDenied) return 24;
  if (!queue_is_empty(ch[0])) return 25;
  if (sys::channel_reply_recv(0x7777, nullptr, &m, soon()) != abi::kErrBadHandle) return 26;

  // The client gone: a reply finds no peer; with nothing queued, neither does the receive.
  if (sys::handle_close(ch[0]) != abi::kOk) return 27;
  if (sys::channel_reply_recv(ch[1], &reply, &m, soon()) != abi::kErrPeerClosed) return 28;
  if (sys::channel_reply_recv(ch[1], nullptr, &m, 0) != abi::kErrPeerClosed) return 29;
  return 0;
}
