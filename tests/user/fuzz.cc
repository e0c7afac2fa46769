// A syscall fuzzer. Handles: log, a channel to the test, and optionally a silo to manage (a
// live silo handle for the silo and spawn calls, and a live child process made in it), an
// interrupt and the platform (read only). Makes 100,000 calls (or the count in
// the first message on handle 1), shared among kThreads threads running at once, with random
// syscall numbers; handle arguments from a pool of live handles of every type a process can
// make (channel ends, poll, timer, folio, threads, processes, duplicates with fewer rights,
// the log, and the silo, interrupt and platform it was given), from
// the handles its calls made, stale ones and random numbers; other arguments from hostile
// pointers (null, kernel addresses, unmapped and non-canonical addresses, misaligned), hostile
// sizes and interesting integers. Then it checks the kernel still does everything right and
// reports how the calls ended on handle 1. It never closes its two given handles nor its
// threads' handles, and cannot send them away (the test gives them without kRightTransfer:
// a hostile pointer may aim a message's handle list at any bytes of its buffers).
#include "user_test.h"

using namespace test;

namespace {

constexpr int kThreads = 4;  // the main thread and three more
constexpr size_t kTracked = 64;
constexpr size_t kPool = 24;

abi::Handle keep[2];
abi::Handle thread_handles[kThreads];
abi::Handle pool[kPool];
size_t pool_count = 0;

bool kept(uint64_t h) {
  if (h == keep[0] || h == keep[1]) return true;
  for (abi::Handle t : thread_handles) {
    if (h == t) return true;
  }
  return false;
}

// One thread's state: nothing is shared between the fuzzing threads but the pool (which
// they may close or move away: later calls then meet stale handles) and the kernel.
struct Worker {
  uint64_t state = 0;
  alignas(16) uint8_t buffer[8192];
  abi::Handle tracked[kTracked];
  size_t tracked_count = 0;
  uint64_t calls = 0;
  uint64_t ok = 0, refused = 0;

  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }

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

  // Boundaries of the integer types and of pages, where checks go wrong.
  uint64_t interesting() {
    constexpr uint64_t kValues[] = {
        0,          1,          2,          0x7f,       0x80,    0xff,       0x100,      0xfff,
        0x1000,     0x1001,     0x7fff,     0xffff,     0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
        1ull << 32, 1ull << 48, ~0ull >> 1, 1ull << 63, ~0ull,   ~0ull - 1};
    return kValues[next() % (sizeof(kValues) / sizeof(kValues[0]))];
  }

  uint64_t argument() {
    switch (next() % 4) {
      case 0: return hostile_pointer();
      case 1: return interesting();
      case 2: return hostile_size();
      default: return next();
    }
  }

  // Keeps the newest handles; closes the older ones as it goes, so memory stays available.
  void track(abi::Handle h) {
    if (tracked_count == kTracked) {
      for (size_t i = 0; i < tracked_count / 2; ++i) {
        if (!kept(tracked[i])) sys::handle_close(tracked[i]);
      }
      for (size_t i = tracked_count / 2; i < tracked_count; ++i)
        tracked[i - tracked_count / 2] = tracked[i];
      tracked_count -= tracked_count / 2;
    }
    tracked[tracked_count++] = h;
  }

  void close_tracked() {
    for (size_t i = 0; i < tracked_count; ++i) {
      if (!kept(tracked[i])) sys::handle_close(tracked[i]);
    }
    tracked_count = 0;
  }

  uint64_t random_handle() {
    uint64_t h;
    do {
      switch (next() % 6) {
        case 0:
        case 1: h = pool[next() % pool_count]; break;  // live, of every type
        case 2: h = tracked_count ? tracked[next() % tracked_count] : 0; break;
        case 3: h = next() % 64; break;                  // likely-live handles
        case 4: h = (next() % 64) | (next() % 8) << 12;  // stale generations
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

  // Arguments for syscall n: random, but a handle where the call takes one (mostly).
  void arguments(uint64_t n, uint64_t a[6]) {
    for (int i = 0; i < 6; ++i) a[i] = argument();
    if (next() % 4 != 0) a[0] = random_handle();
    switch (n) {
      case abi::kSysChannelSend:
      case abi::kSysChannelRecv:
        a[0] = next() % 2 ? random_handle() : keep[next() % 2];
        if (n == abi::kSysChannelSend && a[0] == keep[1]) a[0] = random_handle();
        a[1] = next() % 2 ? random_message() : hostile_pointer();
        break;
      case abi::kSysChannelCall:
      case abi::kSysObjectWait:
        if (n == abi::kSysChannelCall) a[1] = random_message();
        a[2] = sys::clock_now() + next() % 100000;  // never wait for long
        break;
      case abi::kSysPollAdd: a[1] = random_handle(); break;
      case abi::kSysPollWait: a[3] = sys::clock_now() + next() % 100000; break;
      case abi::kSysLogWrite:
        a[0] = next() % 2 ? keep[0] : random_handle();
        a[2] = next() % 2 ? hostile_size() : next() % 300;
        break;
      case abi::kSysHandleClose:
      case abi::kSysHandleQuery: a[0] = random_handle(); break;
      case abi::kSysHandleDuplicate:
        a[0] = random_handle();
        a[1] = next() % 2 ? next() : abi::kRightsAll;
        break;
      case abi::kSysFolioCreate: a[0] = next() % 2 ? next() % 65536 : a[1]; break;
      default: break;
    }
    // Nothing but the test's own messages may reach the test.
    if ((n == abi::kSysChannelSend || n == abi::kSysChannelCall) && a[0] == keep[1])
      a[0] = random_handle();
  }

  void call() {
    uint64_t n = next() % (abi::kSysCount + 4);
    // Never exit here, nor start threads at random addresses (their fault would end us).
    if (n == abi::kSysProcessExit || n == abi::kSysThreadExit || n == abi::kSysThreadCreate)
      n = abi::kSysCount + 1;
    uint64_t a[6];
    arguments(n, a);
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

  void run() {
    for (uint64_t i = 0; i < calls; ++i) call();
  }
};

Worker workers[kThreads];
alignas(16) uint8_t stacks[kThreads][16384];

void worker_thread(uint64_t index) {
  workers[index].run();
  sys::thread_exit(0);
}

// Live handles of every type this process can make, for the calls to use (main adds the
// silo it was given).
bool make_pool() {
  abi::Handle pair[2];
  for (int i = 0; i < 2; ++i) {
    if (sys::channel_create(pair) != abi::kOk) return false;
    pool[pool_count++] = pair[0];
    pool[pool_count++] = pair[1];
  }
  const int64_t made[] = {sys::poll_create(), sys::timer_create(), sys::folio_create(8192),
                          sys::folio_create(4096)};
  for (int64_t h : made) {
    if (h <= 0) return false;
    pool[pool_count++] = static_cast<abi::Handle>(h);
  }
  // Duplicates with fewer rights (the log's too, when it may be duplicated: its original is
  // kept).
  const abi::Handle originals[] = {pool[0], pool[4], pool[5], pool[6], keep[0]};
  for (abi::Handle h : originals) {
    const int64_t d = sys::handle_duplicate(h, abi::kRightRead | abi::kRightWait);
    if (d > 0) pool[pool_count++] = static_cast<abi::Handle>(d);
  }
  return pool_count >= 8;
}

// A live child in the silo (imagechild waits until its channel's other end, left in the pool,
// closes), so that process calls meet a running process, and later one that ended.
// Its log is a channel end whose peer is closed (the fuzzer's log handle cannot be
// duplicated): what it would log is refused, which it ignores.
bool spawn_child(abi::Handle silo) {
  abi::Handle pair[2], log[2];
  if (sys::channel_create(pair) != abi::kOk || sys::channel_create(log) != abi::kOk) return false;
  sys::handle_close(log[0]);
  abi::SpawnRequest request{};
  request.name = "imagechild";
  request.name_size = 10;
  request.isolation = abi::Isolation::User;
  request.handle_count = 2;
  request.handles[0] = log[1];
  request.handles[1] = pair[1];
  request.image = abi::kInvalidHandle;
  const int64_t child = sys::process_spawn(silo, &request);
  if (child <= 0) return false;
  pool[pool_count++] = pair[0];
  pool[pool_count++] = static_cast<abi::Handle>(child);
  return true;
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return 1;
  keep[0] = startup.handles[0];
  keep[1] = startup.handles[1];
  uint64_t calls = 100000;
  abi::MessageBuffer first = data_message(&calls, sizeof(calls));
  if (receive(keep[1], first) < 0) return 2;
  if (!make_pool()) return 8;
  for (uint32_t i = 2; i < startup.handle_count && i < 5; ++i)
    pool[pool_count++] = startup.handles[i];
  if (startup.handle_count >= 3 && !spawn_child(startup.handles[2])) return 11;

  for (int i = 0; i < kThreads; ++i) {
    workers[i].state = 0x9e3779b97f4a7c15ull * (i + 1);
    workers[i].calls = calls / kThreads + (i == 0 ? calls % kThreads : 0);
  }
  for (int i = 1; i < kThreads; ++i) {
    const int64_t t = sys::thread_create(worker_thread, stacks[i] + sizeof(stacks[i]), i);
    if (t <= 0) return 9;
    thread_handles[i] = static_cast<abi::Handle>(t);
    // The others may use a duplicate of it.
    const int64_t d = sys::handle_duplicate(thread_handles[i], abi::kRightRead | abi::kRightWait);
    if (d > 0 && pool_count < kPool) pool[pool_count++] = static_cast<abi::Handle>(d);
  }
  workers[0].run();
  for (int i = 1; i < kThreads; ++i) {
    if (sys::object_wait(thread_handles[i], abi::kSignalTerminated) < 0) return 10;
  }
  uint64_t ok = 0, refused = 0;
  for (Worker& w : workers) {
    w.close_tracked();
    ok += w.ok;
    refused += w.refused;
  }

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
  const int64_t sent = sys::channel_send(keep[1], &out);
  return sent == abi::kOk ? 0 : 700 - sent;  // 7xx: the report could not go (xx: the error)
}
