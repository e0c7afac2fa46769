// A syscall fuzzer. Handles: log, a channel to the test. Makes 100,000 calls (or the count
// in the first message on handle 1) with random syscall numbers, random and stale handles
// and hostile pointers (null, kernel addresses, unmapped and non-canonical addresses,
// misaligned, huge lengths), then checks the kernel still does everything right and reports
// how the calls ended on handle 1. It never closes or sends away its two given handles.
#include "user_test.h"

using namespace test;

namespace {

uint64_t state = 0x9e3779b97f4a7c15ull;
uint64_t next() {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

alignas(16) uint8_t buffer[8192];
abi::Handle keep[2];

uint64_t hostile_pointer() {
  constexpr uint64_t kPointers[] = {
      0,                   // null
      0xffffffff80200000,  // the kernel image
      0xffff800000000000,  // the direct map
      0x0000000010000000,  // unmapped user memory
      0x0000800000000000,  // first non-canonical address
      0x8000000000000000,  // non-canonical
      0x00007ffffffffff0,  // the last user bytes, unmapped
      0x0000000000400000,  // our own code (read-only)
      0xfffffffffffffff8,  // wraps around
  };
  switch (next() % 4) {
    case 0: return kPointers[next() % (sizeof(kPointers) / sizeof(kPointers[0]))];
    case 1: return reinterpret_cast<uint64_t>(buffer) + next() % sizeof(buffer);  // misaligned
    case 2: return reinterpret_cast<uint64_t>(buffer);
    default: return next();
  }
}

uint64_t hostile_size() {
  switch (next() % 4) {
    case 0: return next() % 64;
    case 1: return ~uint64_t{0} - next() % 16;
    case 2: return uint64_t{1} << (next() % 64);
    default: return next() % 10000;
  }
}

abi::Handle tracked[64];
size_t tracked_count = 0;
// Keeps the newest handles; closes the older ones as it goes, so memory stays available.
void track(abi::Handle h) {
  if (tracked_count == sizeof(tracked) / sizeof(tracked[0])) {
    for (size_t i = 0; i < tracked_count / 2; ++i) sys::handle_close(tracked[i]);
    for (size_t i = tracked_count / 2; i < tracked_count; ++i)
      tracked[i - tracked_count / 2] = tracked[i];
    tracked_count -= tracked_count / 2;
  }
  tracked[tracked_count++] = h;
}

bool kept(uint64_t h) { return h == keep[0] || h == keep[1]; }

uint64_t random_handle() {
  uint64_t h;
  do {
    switch (next() % 3) {
      case 0: h = next() % 64; break;                  // likely-live handles
      case 1: h = (next() % 64) | (next() % 8) << 12;  // stale generations
      default: h = next(); break;
    }
  } while (kept(h));
  return h;
}

// A message descriptor in the buffer with random fields (handles never the kept ones).
uint64_t random_message() {
  auto* m = reinterpret_cast<abi::MessageBuffer*>(buffer);
  m->kind = static_cast<abi::MessageKind>(next() % 8);
  m->call_id = next();
  m->data = reinterpret_cast<void*>(next() % 2 ? hostile_pointer() : uint64_t(buffer + 256));
  m->data_size = static_cast<uint32_t>(next() % 2 ? hostile_size() : next() % 256);
  m->data_capacity = static_cast<uint32_t>(next() % 2 ? hostile_size() : 4096);
  auto* handles = reinterpret_cast<abi::Handle*>(buffer + 128);
  for (int i = 0; i < 8; ++i) handles[i] = static_cast<abi::Handle>(random_handle());
  m->handles = next() % 2 ? handles : reinterpret_cast<abi::Handle*>(hostile_pointer());
  m->handle_count = static_cast<uint32_t>(next() % 6);
  m->handle_capacity = static_cast<uint32_t>(next() % 8);
  return reinterpret_cast<uint64_t>(m);
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return 1;
  keep[0] = startup.handles[0];
  keep[1] = startup.handles[1];
  uint64_t calls = 100000;
  abi::MessageBuffer first = data_message(&calls, sizeof(calls));
  if (receive(keep[1], first) < 0) return 2;

  uint64_t ok = 0, refused = 0;
  for (uint64_t i = 0; i < calls; ++i) {
    uint64_t n = next() % (abi::kSysCount + 4);
    // Never exit here, nor start threads at random addresses (their fault would end us).
    if (n == abi::kSysProcessExit || n == abi::kSysThreadExit || n == abi::kSysThreadCreate)
      n = abi::kSysCount + 1;
    uint64_t a[6];
    for (uint64_t& v : a) v = next() % 2 ? hostile_pointer() : next();
    switch (n) {
      case abi::kSysHandleClose:
      case abi::kSysHandleDuplicate:
      case abi::kSysHandleQuery: a[0] = random_handle(); break;
      case abi::kSysChannelSend:
      case abi::kSysChannelRecv:
        a[0] = next() % 2 ? random_handle() : keep[next() % 2];
        if (n == abi::kSysChannelSend && a[0] == keep[1]) a[0] = random_handle();
        a[1] = next() % 2 ? random_message() : hostile_pointer();
        break;
      case abi::kSysChannelCall:
      case abi::kSysObjectWait:
        a[0] = random_handle();
        if (n == abi::kSysChannelCall) a[1] = random_message();
        a[2] = sys::clock_now() + next() % 100000;  // never wait for long
        break;
      case abi::kSysPollWait:
        a[0] = random_handle();
        a[3] = sys::clock_now() + next() % 100000;  // never wait for long
        break;
      case abi::kSysLogWrite:
        a[0] = next() % 2 ? keep[0] : random_handle();
        a[2] = next() % 2 ? hostile_size() : next() % 300;
        break;
      default: break;
    }
    const int64_t r = sys::syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    (r >= 0 ? ok : refused)++;
    // Remember the handles we were given, to close them (the table has a fixed size).
    if ((n == abi::kSysHandleDuplicate || n == abi::kSysPollCreate || n == abi::kSysTimerCreate ||
         n == abi::kSysFolioCreate) &&
        r > 0)
      track(static_cast<abi::Handle>(r));
    if (n == abi::kSysChannelCreate && r == abi::kOk) {
      const auto* made = reinterpret_cast<const abi::Handle*>(a[0]);
      track(made[0]);
      track(made[1]);
    }
  }
  for (size_t i = 0; i < tracked_count; ++i) sys::handle_close(tracked[i]);

  // Still consistent: logging, a fresh channel, a full round trip, the kept handles.
  log(keep[0], "fuzz: survived, checking the kernel");
  abi::Handle pair[2];
  if (sys::channel_create(pair) != abi::kOk) return 3;
  uint64_t value = 0x5a5a;
  abi::MessageBuffer m = data_message(&value, sizeof(value), 7);
  if (sys::channel_send(pair[0], &m) != abi::kOk) return 4;
  uint64_t got = 0;
  abi::MessageBuffer r = data_message(&got, sizeof(got));
  if (sys::channel_recv(pair[1], &r) != abi::kOk || got != value || r.call_id != 7) return 5;
  abi::HandleInfo info;
  if (sys::handle_query(keep[0], &info) != abi::kOk || info.type != abi::ObjectType::Log) return 6;
  uint64_t report[2] = {ok, refused};
  abi::MessageBuffer out = data_message(report, sizeof(report));
  return sys::channel_send(keep[1], &out) == abi::kOk ? 0 : 7;
}
