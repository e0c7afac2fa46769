// Silo quotas from inside a silo. Handles: log, control, the process's own silo (all rights
// for mode 1, kRightRead otherwise). The first message on control picks:
//   1: the silo API: child limits, set_limits, stats, rights, depth, and that silos made by
//      the process are charged to its silo and given back.
//   2: memory: folio_create, channel_create, timer_create and channel_send beyond the quota
//      fail with kErrQuotaExceeded, and each charge comes back exactly.
//   3: threads: thread_create beyond the silo's thread limit fails with kErrQuotaExceeded; a
//      thread that ends gives its place back.
//   4: touches pages without bound: the kernel must end the process (QuotaExceeded).
//   5: uses up the quota, then makes the kernel copy into an untouched page: the process
//      must end (QuotaExceeded) instead of the syscall returning.
// Modes 1-3 exit 0 when every check passed, else the failed step.
#include "user_test.h"

using namespace test;

namespace {

constexpr uint64_t kPage = 4096;

abi::Handle silo;
alignas(4096) uint8_t message_data[kPage];
alignas(4096) uint8_t untouched[kPage];       // mode 5 only: the kernel copies into it
alignas(4096) uint8_t unbounded[64 << 20];    // mode 4 only: touched until the end
alignas(16) uint8_t thread_stacks[4][16384];  // mode 3
abi::Handle handles[1024];

// Faults in the stack pages the checks will use, so no charge happens between measurements.
[[gnu::noinline]] void prefault_stack() {
  volatile uint8_t deep[8 * kPage];
  for (uint64_t i = 0; i < sizeof(deep); i += 512) deep[i] = 1;
}

// Grows the handle table to its limit (duplicates of handle h, which must have the duplicate
// right, until the table is full, then closed): its steps are charged to the silo and stay
// until the process ends, so they are made before any measurement.
void grow_handle_table(abi::Handle h) {
  uint32_t made = 0;
  int64_t r = 0;
  while (made < sizeof(handles) / sizeof(handles[0]) &&
         (r = sys::handle_duplicate(h, abi::kRightRead)) > 0)
    handles[made++] = static_cast<abi::Handle>(r);
  for (uint32_t i = 0; i < made; ++i) sys::handle_close(handles[i]);
}

abi::SiloStats stats_of(abi::Handle h) {
  abi::SiloStats s{};
  sys::silo_stats(h, &s);
  return s;
}

uint64_t headroom() {
  const abi::SiloStats s = stats_of(silo);
  return s.limits.memory_pages * kPage - s.memory_bytes;
}

bool same_limits(const abi::SiloLimits& a, const abi::SiloLimits& b) {
  return a.memory_pages == b.memory_pages && a.threads == b.threads &&
         a.cpu_percent == b.cpu_percent;
}

int64_t api(abi::Handle channel) {
  const abi::SiloStats own = stats_of(silo);
  if (own.limits.memory_pages != 256 || own.limits.threads != 4 || own.limits.cpu_percent != 50)
    return 10;
  if (own.processes != 1 || own.threads != 1 || own.memory_bytes == 0) return 11;
  // A child may not have more than its parent where the parent has a limit.
  const abi::SiloLimits too_much[] = {
      {257, 2, 50},  // more memory
      {0, 2, 50},    // unlimited memory
      {64, 5, 50},   // more threads
      {64, 0, 50},   // unlimited threads
      {64, 2, 60},   // a larger CPU share
      {64, 2, 0},    // no CPU cap
      {64, 2, 101},  // not a percentage
  };
  for (const abi::SiloLimits& l : too_much)
    if (sys::silo_create(silo, &l) != abi::kErrInvalidArgument) return 12;
  const abi::SiloLimits child_limits{64, 2, 50};
  const int64_t c = sys::silo_create(silo, &child_limits);
  if (c <= 0) return 13;
  const auto child = static_cast<abi::Handle>(c);
  abi::HandleInfo info{};
  if (sys::handle_query(child, &info) != abi::kOk || info.type != abi::ObjectType::Silo ||
      info.rights != abi::kRightsAll)
    return 14;
  abi::SiloStats cs = stats_of(child);
  if (!same_limits(cs.limits, child_limits) || cs.memory_bytes || cs.threads || cs.processes)
    return 15;
  // The child silo is charged to the caller's silo.
  if (stats_of(silo).memory_bytes <= own.memory_bytes) return 16;
  // set_limits: within the parent's, then checked the same way.
  const abi::SiloLimits lower{1, 1, 10};
  if (sys::silo_set_limits(child, &lower) != abi::kOk) return 17;
  cs = stats_of(child);
  if (!same_limits(cs.limits, lower)) return 18;
  const abi::SiloLimits above{300, 1, 10};
  if (sys::silo_set_limits(child, &above) != abi::kErrInvalidArgument) return 19;
  if (!same_limits(stats_of(child).limits, lower)) return 20;
  // A grandchild is held to the child's (new) limits.
  const abi::SiloLimits two_pages{2, 1, 10};
  if (sys::silo_create(child, &two_pages) != abi::kErrInvalidArgument) return 21;
  // Depth: this silo is one below the root; the chain may reach kMaxSiloDepth.
  abi::Handle chain = child;
  uint32_t made = 0;
  int64_t r = 0;
  for (;;) {
    r = sys::silo_create(chain, &lower);
    if (r <= 0) break;
    chain = static_cast<abi::Handle>(r);
    handles[made++] = chain;
  }
  if (r != abi::kErrNoResources || made != abi::kMaxSiloDepth - 2) return 22;
  // Without kRightManage: no children, no limits; stats need kRightRead.
  const int64_t ro = sys::handle_duplicate(child, abi::kRightRead | abi::kRightDuplicate);
  if (ro <= 0) return 23;
  const auto read_only = static_cast<abi::Handle>(ro);
  if (sys::silo_create(read_only, &lower) != abi::kErrAccessDenied) return 24;
  if (sys::silo_set_limits(read_only, &lower) != abi::kErrAccessDenied) return 25;
  abi::SiloStats s{};
  if (sys::silo_stats(read_only, &s) != abi::kOk || !same_limits(s.limits, lower)) return 26;
  const int64_t blind = sys::handle_duplicate(child, abi::kRightManage);
  if (blind <= 0 || sys::silo_stats(static_cast<abi::Handle>(blind), &s) != abi::kErrAccessDenied)
    return 27;
  // Wrong types and bad pointers.
  if (sys::silo_create(channel, &lower) != abi::kErrWrongType) return 28;
  if (sys::silo_stats(channel, &s) != abi::kErrWrongType) return 29;
  if (sys::silo_stats(child, reinterpret_cast<abi::SiloStats*>(16)) != abi::kErrFault) return 30;
  if (sys::silo_create(silo, reinterpret_cast<abi::SiloLimits*>(16)) != abi::kErrFault) return 31;
  // Everything made here goes away with its handles, and so do the charges.
  for (uint32_t i = 0; i < made; ++i) sys::handle_close(handles[i]);
  sys::handle_close(child);
  sys::handle_close(read_only);
  sys::handle_close(static_cast<abi::Handle>(blind));
  if (stats_of(silo).memory_bytes != own.memory_bytes) return 32;
  // Lowering the limit below the usage only refuses new charges.
  const abi::SiloLimits tight{1, 4, 50};
  if (sys::silo_set_limits(silo, &tight) != abi::kOk) return 33;
  if (sys::timer_create() != abi::kErrQuotaExceeded) return 34;
  const abi::SiloLimits back{256, 4, 50};
  if (sys::silo_set_limits(silo, &back) != abi::kOk) return 35;
  const int64_t t = sys::timer_create();
  if (t <= 0) return 36;
  sys::handle_close(static_cast<abi::Handle>(t));
  if (stats_of(silo).quota_failures != own.quota_failures + 1) return 37;
  return 0;
}

// Makes objects with make() until it fails; returns the error (or 0 if the table filled).
template <typename Make>
int64_t fill(Make make, uint32_t* made) {
  *made = 0;
  while (*made < 1000) {
    const int64_t r = make();
    if (r < 0) return r;
    handles[(*made)++] = static_cast<abi::Handle>(r);
  }
  return 0;
}

void close_all(uint32_t made) {
  for (uint32_t i = 0; i < made; ++i) sys::handle_close(handles[i]);
}

int64_t memory() {
  const abi::SiloStats start = stats_of(silo);
  const uint64_t room = headroom();
  if (room < 16 * kPage) return 40;
  // Too large a folio is refused and charges nothing.
  if (sys::folio_create(room + kPage) != abi::kErrQuotaExceeded) return 41;
  abi::SiloStats s = stats_of(silo);
  if (s.memory_bytes != start.memory_bytes || s.quota_failures != start.quota_failures + 1)
    return 42;
  // A folio that leaves about 12 KiB free.
  const int64_t f = sys::folio_create((room / kPage - 4) * kPage);
  if (f <= 0) return 43;
  const uint64_t with_folio = stats_of(silo).memory_bytes;
  if (with_folio < start.memory_bytes + (room / kPage - 4) * kPage) return 44;
  // Kernel objects until the quota says no; closing them gives it all back.
  uint32_t made = 0;
  if (fill([] { return sys::timer_create(); }, &made) != abi::kErrQuotaExceeded || made == 0)
    return 45;
  close_all(made);
  if (stats_of(silo).memory_bytes != with_folio) return 46;
  if (fill([] { return sys::poll_create(); }, &made) != abi::kErrQuotaExceeded || made == 0)
    return 47;
  close_all(made);
  if (stats_of(silo).memory_bytes != with_folio) return 48;
  made = 0;
  int64_t r = 0;
  while (made < 1000) {
    abi::Handle pair[2];
    r = sys::channel_create(pair);
    if (r != abi::kOk) break;
    handles[made++] = pair[0];
    handles[made++] = pair[1];
  }
  if (r != abi::kErrQuotaExceeded || made == 0) return 49;
  close_all(made);
  if (stats_of(silo).memory_bytes != with_folio) return 50;
  // Queued messages are charged to the sender until received.
  abi::Handle pair[2];
  if (sys::channel_create(pair) != abi::kOk) return 51;
  const uint64_t with_channel = stats_of(silo).memory_bytes;
  abi::MessageBuffer m = data_message(message_data, sizeof(message_data));
  uint32_t sent = 0;
  while (sent < abi::kChannelQueueLimit && (r = sys::channel_send(pair[0], &m)) == abi::kOk) ++sent;
  if (r != abi::kErrQuotaExceeded || sent == 0) return 52;
  if (stats_of(silo).memory_bytes < with_channel + sent * kPage) return 53;
  for (uint32_t i = 0; i < sent; ++i)
    if (sys::channel_recv(pair[1], &m) != abi::kOk) return 54;
  if (stats_of(silo).memory_bytes != with_channel) return 55;
  // Messages still queued when the channel goes are given back too.
  if (sys::channel_send(pair[0], &m) != abi::kOk) return 56;
  sys::handle_close(pair[0]);
  sys::handle_close(pair[1]);
  sys::handle_close(static_cast<abi::Handle>(f));
  s = stats_of(silo);
  if (s.memory_bytes != start.memory_bytes || s.memory_peak_bytes < with_folio) return 57;
  return 0;
}

abi::Handle gate;  // nothing is ever sent on it: threads wait on it

void short_lived(uint64_t) {
  sys::object_wait(gate, abi::kSignalReadable, sys::clock_now() + 50'000'000);
  sys::thread_exit(0);
}

void blocked(uint64_t) {
  sys::object_wait(gate, abi::kSignalReadable);
  sys::thread_exit(1);
}

void* stack_top(int i) { return thread_stacks[i] + sizeof(thread_stacks[i]); }

int64_t threads() {
  abi::Handle pair[2];
  if (sys::channel_create(pair) != abi::kOk) return 60;
  gate = pair[0];
  const abi::SiloStats start = stats_of(silo);
  if (start.limits.threads != 4 || start.threads != 1) return 61;
  const int64_t first = sys::thread_create(short_lived, stack_top(0), 0);
  if (first <= 0) return 62;
  if (sys::thread_create(blocked, stack_top(1), 0) <= 0) return 63;
  if (sys::thread_create(blocked, stack_top(2), 0) <= 0) return 64;
  if (sys::thread_create(blocked, stack_top(3), 0) != abi::kErrQuotaExceeded) return 65;
  abi::SiloStats s = stats_of(silo);
  if (s.threads != 4 || s.threads_peak != 4 || s.quota_failures != start.quota_failures + 1)
    return 66;
  // The short-lived thread ends: its place is free again.
  if (sys::object_wait(static_cast<abi::Handle>(first), abi::kSignalTerminated) != abi::kOk)
    return 67;
  if (stats_of(silo).threads != 3) return 68;
  if (sys::thread_create(blocked, stack_top(0), 0) <= 0) return 69;
  if (stats_of(silo).threads != 4) return 70;
  return 0;  // process_exit ends the blocked threads
}

[[noreturn]] void touch_without_bound() {
  for (uint64_t i = 0;; i = (i + kPage) % sizeof(unbounded))
    reinterpret_cast<volatile uint8_t*>(unbounded)[i] = 1;
}

int64_t copy_over_quota() {
  // Use up the quota with a folio, then channels for the last few bytes.
  const int64_t f = sys::folio_create((headroom() / (kPage + 8) - 1) * kPage);
  if (f <= 0) return 80;
  uint32_t made = 0;
  while (made < 1000) {
    abi::Handle pair[2];
    if (sys::channel_create(pair) != abi::kOk) break;
    handles[made++] = pair[0];
    handles[made++] = pair[1];
  }
  if (headroom() >= kPage) return 81;
  // The kernel writes the stats into a page never touched: it cannot be charged.
  sys::silo_stats(silo, reinterpret_cast<abi::SiloStats*>(untouched));
  return 82;  // the process should have ended on its way back
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 3) return 1;
  silo = startup.handles[2];
  uint64_t mode = 0;
  abi::MessageBuffer first = data_message(&mode, sizeof(mode));
  if (receive(startup.handles[1], first) < 0) return 2;
  prefault_stack();
  grow_handle_table(startup.handles[1]);
  for (uint64_t i = 0; i < sizeof(message_data); ++i) message_data[i] = static_cast<uint8_t>(i);
  for (auto& h : handles) h = 0;
  switch (mode) {
    case 1: return api(startup.handles[1]);
    case 2: return memory();
    case 3: return threads();
    case 4: touch_without_bound();
    case 5: return copy_over_quota();
    default: return 3;
  }
}
