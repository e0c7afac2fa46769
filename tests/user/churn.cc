// Makes and drops kernel objects of every kind, one syscall family after another. Handles:
// log (write, read, duplicate, transfer), control, a silo (manage: to spawn and make silos
// in), and in mode 3 the platform (read, manage). The first message on control is
// {mode, spins} (mode 3: {mode, 0, gsi, flags}, a free interrupt line to claim):
//   1: four threads churn without end while main spins `spins` times, then exits the
//      process: the exit races syscalls in flight in the other threads.
//   2: the same, but main waits for ever: the kernel kills the process at a moment it picks.
//   3: main churns twice and exits with the number of calls refused (0 when nothing fails):
//      a run of every syscall family whose allocations the kernel can make fail one by one
//      (every error is taken in stride: the run goes on).
//   4: main spawns children `spins` times, each given a channel end that a second thread
//      tries all the while to send away: a handle moves once, so never both succeed. Exits
//      with how many times both did.
// The kernel checks that whatever was made is released.
#include "user_test.h"

using namespace test;

namespace {

constexpr int kWorkers = 4;
alignas(16) uint8_t stacks[2 * kWorkers + 1][16384];
abi::Handle log_handle, silo_handle;
uint64_t refused;  // calls that failed (mode 3 has one thread: no race on it)

// A call's result, counting refusals.
int64_t counted(int64_t result) {
  if (result < 0) ++refused;
  return result;
}

void* stack_top(int i) { return stacks[i] + sizeof(stacks[i]); }

void close(int64_t h) {
  if (h > 0) sys::handle_close(static_cast<abi::Handle>(h));
}

void quick_thread(uint64_t) { sys::thread_exit(0); }

// A channel carrying a handle and bytes there and back.
void churn_channels(int64_t folio) {
  abi::Handle pair[2];
  if (counted(sys::channel_create(pair)) != abi::kOk) return;
  const int64_t dup =
      folio > 0 ? counted(sys::handle_duplicate(static_cast<abi::Handle>(folio), abi::kRightsAll))
                : -1;
  uint64_t word = 42;
  abi::MessageBuffer m = data_message(&word, sizeof(word));
  abi::Handle moved = dup > 0 ? static_cast<abi::Handle>(dup) : 0;
  m.handles = &moved;
  m.handle_count = dup > 0 ? 1 : 0;
  if (counted(sys::channel_send(pair[0], &m)) != abi::kOk) close(dup);
  abi::Handle got = 0;
  abi::MessageBuffer in = data_message(&word, sizeof(word));
  in.handles = &got;
  in.handle_capacity = 1;
  if (counted(sys::channel_recv(pair[1], &in)) == abi::kOk && in.handle_count == 1) close(got);
  m.handle_count = 0;
  counted(sys::channel_send(pair[1], &m));  // left queued: closing the ends frees it
  close(pair[0]);
  close(pair[1]);
}

void churn_waiting() {
  const int64_t timer = counted(sys::timer_create());
  const int64_t poll = counted(sys::poll_create());
  if (timer > 0) counted(sys::timer_set(static_cast<abi::Handle>(timer), sys::clock_now() + 1000));
  if (timer > 0 && poll > 0) {
    counted(sys::poll_add(static_cast<abi::Handle>(poll), static_cast<abi::Handle>(timer),
                          abi::kSignalReadable, 1));
    abi::PollEvent events[2];
    sys::poll_wait(static_cast<abi::Handle>(poll), events, 2, sys::clock_now() + 100'000);
    counted(sys::poll_remove(static_cast<abi::Handle>(poll), 1));
  }
  close(timer);
  close(poll);
}

void churn_memory(int64_t folio) {
  if (folio <= 0) return;
  uint64_t address = 0;
  if (counted(sys::folio_map(static_cast<abi::Handle>(folio), true, &address)) == abi::kOk) {
    *reinterpret_cast<volatile uint8_t*>(address) = 1;
    counted(sys::folio_unmap(address));
  }
  counted(sys::folio_size(static_cast<abi::Handle>(folio)));
  abi::HandleInfo info;
  counted(sys::handle_query(static_cast<abi::Handle>(folio), &info));
  abi::MemoryInfo memory;
  counted(sys::memory_info(silo_handle, &memory));
}

void churn_silos() {
  abi::SiloLimits limits{};
  limits.memory_pages = 256;
  const int64_t silo = counted(sys::silo_create(silo_handle, &limits));
  if (silo > 0) {
    limits.threads = 8;
    counted(sys::silo_set_limits(static_cast<abi::Handle>(silo), &limits));
    abi::SiloStats stats;
    counted(sys::silo_stats(static_cast<abi::Handle>(silo), &stats));
  }
  close(silo);
}

// A child that ends by itself: imagechild waits on a channel whose other end closes here.
void churn_processes() {
  abi::Handle pair[2];
  if (counted(sys::channel_create(pair)) != abi::kOk) return;
  const int64_t log =
      counted(sys::handle_duplicate(log_handle, abi::kRightWrite | abi::kRightTransfer));
  abi::SpawnRequest request{};
  request.name = "imagechild";
  request.name_size = 10;
  request.isolation = abi::Isolation::User;
  request.handle_count = 2;
  request.handles[0] = log > 0 ? static_cast<abi::Handle>(log) : log_handle;
  request.handles[1] = pair[1];
  request.image = abi::kInvalidHandle;
  const int64_t child = counted(sys::process_spawn(silo_handle, &request));
  close(pair[0]);
  if (child > 0) {
    abi::ProcessInfo info;
    counted(sys::process_info(static_cast<abi::Handle>(child), &info));
    counted(sys::process_kill(static_cast<abi::Handle>(child)));
    sys::object_wait(static_cast<abi::Handle>(child), abi::kSignalTerminated);
    close(child);
  } else {
    close(pair[1]);
    close(log);
  }
}

void churn_threads(int stack) {
  const int64_t t = counted(sys::thread_create(quick_thread, stack_top(stack), 0));
  if (t <= 0) return;
  sys::object_wait(static_cast<abi::Handle>(t), abi::kSignalTerminated);
  close(t);
}

// An interrupt line claimed and given back, and what the platform says.
void churn_platform(abi::Handle platform, uint32_t gsi, uint32_t flags) {
  const int64_t irq = counted(sys::interrupt_create(platform, gsi, flags));
  if (irq > 0) counted(sys::interrupt_ack(static_cast<abi::Handle>(irq)));
  close(irq);
  abi::PlatformInfo info;
  counted(sys::platform_info(platform, &info));
}

void churn_log() {
  abi::LogEntry entries[2];
  uint64_t next = 0;
  counted(sys::log_read(log_handle, 0, entries, 2, &next));
}

// One pass over every family; `stack` is the stack this caller's short-lived thread uses.
void churn_once(int stack, uint64_t folio_size) {
  const int64_t folio = counted(sys::folio_create(folio_size));
  churn_memory(folio);
  churn_channels(folio);
  close(folio);
  churn_waiting();
  churn_silos();
  churn_threads(stack);
  churn_processes();
  churn_log();
  sys::clock_wall();
}

// The folio is large enough that zeroing it takes a good part of a scheduler quantum: an end
// often lands between the call's reserving a handle and its filling it.
// Mode 4's second thread: sends the handle in `contested` (while nonzero) on `sink`.
abi::Handle contested, sink;
bool sent, sending;

void mover(uint64_t) {
  for (;;) {
    __atomic_store_n(&sending, true, __ATOMIC_SEQ_CST);
    abi::Handle h = __atomic_load_n(&contested, __ATOMIC_SEQ_CST);
    if (h != 0) {
      abi::MessageBuffer m = data_message(nullptr, 0);
      m.handles = &h;
      m.handle_count = 1;
      if (sys::channel_send(sink, &m) == abi::kOk) __atomic_store_n(&sent, true, __ATOMIC_SEQ_CST);
    }
    __atomic_store_n(&sending, false, __ATOMIC_SEQ_CST);
    if (h == 0) sys::object_wait(sink, abi::kSignalPeerClosed, sys::clock_now() + 100'000);
  }
}

// Spawns imagechild with a channel end the mover tries to send away meanwhile; returns
// whether both the spawn and a send succeeded (the handle would then live in two places).
bool spawn_against_mover(abi::Handle sink_peer) {
  abi::Handle pair[2];
  if (sys::channel_create(pair) != abi::kOk) return false;
  __atomic_store_n(&sent, false, __ATOMIC_SEQ_CST);
  __atomic_store_n(&contested, pair[1], __ATOMIC_SEQ_CST);
  abi::SpawnRequest request{};
  request.name = "imagechild";
  request.name_size = 10;
  request.isolation = abi::Isolation::User;
  request.handle_count = 2;
  const int64_t log = sys::handle_duplicate(log_handle, abi::kRightWrite | abi::kRightTransfer);
  request.handles[0] = static_cast<abi::Handle>(log);
  request.handles[1] = pair[1];
  request.image = abi::kInvalidHandle;
  const int64_t child = sys::process_spawn(silo_handle, &request);
  __atomic_store_n(&contested, 0, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&sending, __ATOMIC_SEQ_CST))  // let a send in flight finish
    sys::object_wait(pair[0], abi::kSignalPeerClosed, sys::clock_now() + 100'000);
  const bool both = child > 0 && __atomic_load_n(&sent, __ATOMIC_SEQ_CST);
  close(pair[0]);  // the child (or no one) ends once its peer is gone
  if (child > 0) {
    sys::object_wait(static_cast<abi::Handle>(child), abi::kSignalTerminated);
    close(child);
  } else {
    close(log);
    close(pair[1]);  // still ours unless the mover sent it (then closing it is refused)
  }
  abi::Handle got = 0;  // what the mover sent: close it
  abi::MessageBuffer in = data_message(nullptr, 0);
  in.handles = &got;
  in.handle_capacity = 1;
  while (sys::channel_recv(sink_peer, &in) == abi::kOk) close(got);
  return both;
}

void worker(uint64_t index) {
  for (;;) churn_once(kWorkers + static_cast<int>(index), 1 << 20);
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  log_handle = startup.handles[0];
  silo_handle = startup.handles[2];
  uint64_t request[4] = {0, 0, 0, 0};
  abi::MessageBuffer first = data_message(request, sizeof(request));
  if (receive(startup.handles[1], first) < 0) return 2;
  if (request[0] == 4) {
    abi::Handle sinks[2];
    if (sys::channel_create(sinks) != abi::kOk) return -1;
    sink = sinks[0];
    if (sys::thread_create(mover, stack_top(0), 0) <= 0) return -2;
    int64_t both = 0;
    for (uint64_t i = 0; i < request[1]; ++i) both += spawn_against_mover(sinks[1]) ? 1 : 0;
    return both;
  }
  if (request[0] == 3) {
    for (int pass = 0; pass < 2; ++pass) {
      churn_once(2 * kWorkers, 8192);
      if (startup.handle_count > 3) {
        churn_platform(startup.handles[3], static_cast<uint32_t>(request[2]),
                       static_cast<uint32_t>(request[3]));
      }
    }
    return static_cast<int64_t>(refused);
  }
  for (int i = 0; i < kWorkers; ++i)
    counted(sys::thread_create(worker, stack_top(i), static_cast<uint64_t>(i)));
  if (request[0] == 2) {
    for (;;) sys::object_wait(startup.handles[1], abi::kSignalPeerClosed);
  }
  volatile uint64_t spin = 0;
  while (spin < request[1]) spin = spin + 1;
  return 0;  // process_exit, with the workers in the middle of their calls
}
