#pragma once
// Helpers for in-kernel tests that start user processes and talk to them over channels.

#include <stellina/process.h>

#include <type_traits>

#include "kernel/channel.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/log_object.h"
#include "kernel/pmm.h"
#include "kernel/spawn.h"

namespace kernel::ktest_user {

namespace abi = stellina::abi;
constexpr uint64_t kSecond = 1'000'000'000;

struct Pair {
  Ref<Channel> kernel_end, user_end;
};

inline Pair make_pair() {
  Pair p;
  KASSERT(Channel::create_pair(&p.kernel_end, &p.user_end).ok());
  return p;
}

// Takes the next message from ch, waiting up to timeout_ns; nullptr on timeout or if the
// peer closed with nothing queued. The caller destroys it (under sched_lock).
inline Message* next_message(Channel* ch, uint64_t timeout_ns) {
  SpinlockGuard guard(sched_lock);
  const uint64_t deadline = arch::now_ns() + timeout_ns;
  for (;;) {
    if (Message* m = ch->peek()) {
      ch->remove(m);
      return m;
    }
    if (ch->peer_closed()) return nullptr;
    if (!wait_for_signals(ch, abi::kSignalReadable | abi::kSignalPeerClosed, deadline).ok())
      return nullptr;
  }
}

inline void free_message(Message* m) {
  SpinlockGuard guard(sched_lock);
  Message::destroy(m);
}

inline void send_u64(Channel* ch, uint64_t value) {
  auto m = Message::create(MessageKind::Data, 0, sizeof(value));
  KASSERT(m.ok());
  __builtin_memcpy(m.value()->data, &value, sizeof(value));
  SpinlockGuard guard(sched_lock);
  KASSERT(ch->send(m.value()).ok());
}

// Drops references under the lock (objects may die and touch others' signals).
template <typename... Refs>
void drop(Refs&... refs) {
  SpinlockGuard guard(sched_lock);
  (refs.~Ref(), ...);
  ((new (&refs) std::remove_reference_t<Refs>()), ...);
}

// Waits for the ProcessExit of a spawned process.
inline bool wait_exit(Channel* exit_channel, abi::ProcessExit* out,
                      uint64_t timeout_ns = 30 * kSecond) {
  Message* m = next_message(exit_channel, timeout_ns);
  if (!m) return false;
  const bool ok = m->kind == MessageKind::Data && m->data_size == sizeof(abi::ProcessExit);
  if (ok) __builtin_memcpy(out, m->data, sizeof(*out));
  free_message(m);
  return ok;
}

inline SpawnHandle log_handle() { return {LogObject::get(), abi::kRightWrite}; }

inline bool log_contains(const char* needle) {
  struct Search {
    const char* needle;
    bool found;
  } search{needle, false};
  log_for_each(
      0,
      [](const lib::LogRecord& r, void* ctx) {
        auto* s = static_cast<Search*>(ctx);
        for (const char* t = r.text; *t && !s->found; ++t) {
          size_t i = 0;
          while (s->needle[i] && t[i] == s->needle[i]) ++i;
          s->found = s->needle[i] == '\0';
        }
      },
      &search);
  return search.found;
}

// Sends Connect{channel} on ch, moving a handle to `end` with the message.
inline void connect(Channel* ch, Channel* end) {
  auto m = Message::create(MessageKind::Connect, 0, 0);
  KASSERT(m.ok());
  SpinlockGuard guard(sched_lock);
  end->retain();
  end->handle_opened();  // a handle in transit
  m.value()->handles[0] = end;
  m.value()->rights[0] = abi::kRightsAll;
  m.value()->handle_count = 1;
  KASSERT(ch->send(m.value()).ok());
}

// What the kernel holds: its live objects, heap allocations and free pages. A run that gave
// back everything it made leaves these as they were.
struct Usage {
  size_t objects, heap_allocations, free_pages;
  bool operator==(const Usage&) const = default;
};

inline Usage usage() {
  return {Object::live_count(), heap::stats().live_allocations, pmm::free_page_count()};
}

// Waits (up to two seconds) for what ended processes leave behind to go (detached threads
// are reaped after their last switch, children end on their own) until usage is wanted.
inline Usage settled_usage(const Usage& wanted) {
  Usage now = usage();
  for (int spin = 0; spin < 200 && !(now == wanted); ++spin) {
    sched::sleep_ns(10'000'000);
    now = usage();
  }
  return now;
}

// The ping-pong pair (tests/user/ping.cc, pong.cc) linked to each other, each with a
// result channel and an exit channel; ping starts once told its round count (start).
struct PingPong {
  Pair result_ping, result_pong, exit_ping, exit_pong;
  Ref<Process> ping, pong;

  // False if either could not be spawned.
  bool spawn() {
    Pair link = make_pair();
    result_ping = make_pair();
    result_pong = make_pair();
    exit_ping = make_pair();
    exit_pong = make_pair();
    const SpawnHandle ping_handles[] = {log_handle(),
                                        {link.kernel_end.get(), abi::kRightsAll},
                                        {result_ping.user_end.get(), abi::kRightsAll}};
    const SpawnHandle pong_handles[] = {log_handle(),
                                        {link.user_end.get(), abi::kRightsAll},
                                        {result_pong.user_end.get(), abi::kRightsAll}};
    auto a = spawn_from_archive("ping", ping_handles, 3, exit_ping.user_end);
    auto b = spawn_from_archive("pong", pong_handles, 3, exit_pong.user_end);
    if (a.ok()) ping = a.release_value();
    if (b.ok()) pong = b.release_value();
    drop(link.kernel_end, link.user_end);  // only the processes hold the link now
    return a.ok() && b.ok();
  }
  void start(uint64_t rounds) { send_u64(result_ping.kernel_end.get(), rounds); }
  void drop_all() {
    drop(ping, pong, result_ping.kernel_end, result_ping.user_end, result_pong.kernel_end,
         result_pong.user_end, exit_ping.kernel_end, exit_ping.user_end, exit_pong.kernel_end,
         exit_pong.user_end);
  }
};

}  // namespace kernel::ktest_user
