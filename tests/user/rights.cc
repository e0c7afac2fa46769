// Checks that handles carry exactly their rights, and the rules for moving channel ends.
// Handles: log, a channel end.
// Exits 0 if every refused operation got the documented error, else the failed step.
#include "user_test.h"

using namespace test;

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return 1;
  const abi::Handle ch = startup.handles[1];
  // A read-only duplicate cannot send.
  constexpr uint32_t kReadOnly = abi::kRightRead | abi::kRightWait | abi::kRightDuplicate;
  const auto ro = static_cast<abi::Handle>(sys::handle_duplicate(ch, kReadOnly));
  if (static_cast<int32_t>(ro) <= 0) return 2;
  uint64_t v = 7;
  abi::MessageBuffer m = data_message(&v, sizeof(v));
  if (sys::channel_send(ro, &m) != abi::kErrAccessDenied) return 3;
  // A duplicate cannot gain rights, and a handle without kRightDuplicate cannot be duplicated.
  if (sys::handle_duplicate(ro, abi::kRightsAll) != abi::kErrInvalidArgument) return 4;
  const int64_t plain = sys::handle_duplicate(ro, abi::kRightRead);
  if (plain <= 0) return 5;
  if (sys::handle_duplicate(static_cast<abi::Handle>(plain), abi::kRightRead) !=
      abi::kErrAccessDenied)
    return 5;
  // Query reports type and rights.
  abi::HandleInfo info{};
  if (sys::handle_query(ro, &info) != abi::kOk || info.type != abi::ObjectType::Channel ||
      info.rights != kReadOnly)
    return 6;
  // A log handle is not a channel; a closed handle is gone; a made-up one never existed.
  if (sys::channel_send(startup.handles[0], &m) != abi::kErrWrongType) return 7;
  if (sys::handle_close(ro) != abi::kOk) return 8;
  if (sys::handle_query(ro, &info) != abi::kErrBadHandle) return 9;
  if (sys::channel_send(0x7777, &m) != abi::kErrBadHandle) return 10;
  // The writable original still works.
  if (sys::channel_send(ch, &m) != abi::kOk) return 11;

  // No channel end may end up in its own queue, directly or through another channel.
  abi::Handle a[2], b[2];
  if (sys::channel_create(a) != abi::kOk || sys::channel_create(b) != abi::kOk) return 12;
  abi::MessageBuffer carry{};
  carry.kind = abi::MessageKind::Connect;
  carry.handle_count = 1;
  carry.handles = &a[1];
  if (sys::channel_send(a[0], &carry) != abi::kErrInvalidArgument) return 13;  // a1 into a1
  carry.handles = &b[1];
  if (sys::channel_send(a[0], &carry) != abi::kOk) return 14;  // a1's queue holds b1
  carry.handles = &a[1];
  if (sys::channel_send(b[0], &carry) != abi::kErrInvalidArgument) return 15;  // b1 would hold a1

  // A long chain (each end queued at the previous one) is torn down without recursion.
  abi::Handle head[2];
  if (sys::channel_create(head) != abi::kOk) return 16;
  abi::Handle sender = head[0];
  for (int i = 0; i < 2000; ++i) {
    abi::Handle next[2];
    if (sys::channel_create(next) != abi::kOk) return 17;
    carry.handles = &next[1];
    if (sys::channel_send(sender, &carry) != abi::kOk) return 18;
    sys::handle_close(sender);
    sender = next[0];
  }
  sys::handle_close(sender);
  if (sys::handle_close(head[1]) != abi::kOk) return 19;

  // Handle values are 32 bits: a wider argument names nothing.
  if (sys::syscall(abi::kSysHandleQuery, 0x100000000ull | startup.handles[0],
                   reinterpret_cast<uint64_t>(&info)) != abi::kErrBadHandle)
    return 20;

  // A syscall made with the nested-task flag set must come back (iretq would fault on it).
  asm volatile("pushfq; orq $0x4000, (%%rsp); popfq" ::: "memory", "cc");
  sys::clock_now();
  asm volatile("pushfq; andq $~0x4000, (%%rsp); popfq" ::: "memory", "cc");
  return 0;
}
