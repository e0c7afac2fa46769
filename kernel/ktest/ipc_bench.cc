// Manual: the IPC benchmark (bench/ipc boots the test kernel with ktest=manual_ipc_bench).
// Prints one line per figure, `ipc: <name> median_ns=<n> p99_ns=<n> n=<n>`, then `ipc: done`:
// the null syscall, channel and call round trips between user processes, a call from user
// mode to a kernel thread, and a call between two kernel threads. Every round trip is timed
// on its own with the TSC, after a warm-up of a tenth of the iterations. And the time to
// start a wasm component up to its main (wasm_instantiate).

#include <lib/order_statistics.h>

#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/event_trace.h"
#include "kernel/heap.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/ktest/wasm_modules.h"
#include "kernel/thread.h"
#include "kernel/wasm/wasm_component.h"

namespace kernel {
namespace {

KTEST_WASM_MODULE(echo_server)

using namespace ktest_user;

// What ipcbench sends back first (tests/user/ipcbench.cc), in ticks, then window_count
// (start, ticks) pairs of its slow samples.
struct Report {
  uint64_t median, p99, n, p90, p999, max;
  uint64_t slow, threshold, window_count;
};

// What the kernel did during the slow samples: how many of the windows kept saw a timer
// interrupt, another interrupt, an exception, a switch to a thread other than the two
// partners; and how many saw none of these (the time went to the host or to QEMU itself).
struct Tails {
  uint64_t kept = 0, timer = 0, interrupt = 0, exception = 0, switched = 0, none = 0;
  uint64_t lost_events = 0;
  uint64_t other_thread = 0;  // the id of the other thread seen most often, or 0
};

struct Figure {
  Report report{};
  Tails tails{};
};

// Whether the command line has name=value, for a one-character value.
bool option_is(const char* name, char value) {
  char text[4];
  return boot_info().option(name, text, sizeof(text)) && text[0] == value && text[1] == '\0';
}

constexpr size_t kWindowsPerMessage = stellina::abi::kMaxMessageData / (2 * sizeof(uint64_t));
constexpr size_t kMaxWindows = 4096;

void print_figure(const char* name, const Figure& f) {
  const Report& r = f.report;
  const auto ns = arch::cycles_to_ns;
  print("ipc: {} median_ns={} p99_ns={} n={} p90_ns={} p999_ns={} max_ns={}\n", name, ns(r.median),
        ns(r.p99), r.n, ns(r.p90), ns(r.p999), ns(r.max));
  const Tails& t = f.tails;
  print(
      "ipc-tail: {} over_ns={} slow={} kept={} timer={} interrupt={} exception={} switch={} "
      "none={} lost_events={} other_thread={}\n",
      name, ns(r.threshold), r.slow, t.kept, t.timer, t.interrupt, t.exception, t.switched, t.none,
      t.lost_events, t.other_thread);
}

// Collects events in a buffer of the heap while the benchmark runs (kernel/event_trace.h).
class Trace {
 public:
  explicit Trace(uint64_t iterations) {
    if (!iterations || option_is("ipc_trace", '0')) return;  // tools/hot_path.py counts blocks
    capacity_ = 4 * iterations + 4096;  // two switches a round trip, with room for the rest
    auto p = heap::alloc(capacity_ * sizeof(event_trace::Event));
    if (!p.ok()) return;
    events_ = static_cast<event_trace::Event*>(p.value());
    event_trace::start(events_, capacity_);
  }
  ~Trace() {
    stop();
    if (events_) heap::free(events_);
  }
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;
  void stop() {
    if (events_ && !stopped_) count_ = event_trace::stop(&lost_);
    stopped_ = true;
  }
  const event_trace::Event* events() const { return events_; }
  size_t count() const { return count_; }
  size_t lost() const { return lost_; }

 private:
  event_trace::Event* events_ = nullptr;
  size_t capacity_ = 0, count_ = 0, lost_ = 0;
  bool stopped_ = false;
};

// The two threads switched to most often: the partners of a round trip.
void find_partners(const Trace& trace, uint32_t partners[2]) {
  uint32_t ids[8] = {}, counts[8] = {};
  for (size_t i = 0; i < trace.count(); ++i) {
    const event_trace::Event& e = trace.events()[i];
    if (e.kind != event_trace::Kind::Switch) continue;
    for (size_t k = 0; k < 8; ++k) {
      if (counts[k] && ids[k] != e.detail) continue;
      ids[k] = e.detail;
      ++counts[k];
      break;
    }
  }
  partners[0] = partners[1] = UINT32_MAX;
  for (int round = 0; round < 2; ++round) {
    size_t best = 8;
    for (size_t k = 0; k < 8; ++k)
      if (counts[k] && ids[k] != partners[0] && (best == 8 || counts[k] > counts[best])) best = k;
    if (best < 8) partners[round] = ids[best];
  }
}

// Matches each slow window (in start order, as are the events) with the events inside it.
Tails classify(const uint64_t* windows, size_t count, const Trace& trace) {
  Tails t;
  t.kept = count;
  t.lost_events = trace.lost();
  uint32_t partners[2];
  find_partners(trace, partners);
  uint32_t others[8] = {}, other_counts[8] = {};
  size_t next = 0;
  for (size_t w = 0; w < count; ++w) {
    const uint64_t start = windows[2 * w], end = start + windows[2 * w + 1];
    while (next < trace.count() && trace.events()[next].cycles < start) ++next;
    bool timer = false, interrupt = false, exception = false, switched = false;
    for (size_t i = next; i < trace.count() && trace.events()[i].cycles <= end; ++i) {
      const event_trace::Event& e = trace.events()[i];
      timer |= e.kind == event_trace::Kind::Timer;
      interrupt |= e.kind == event_trace::Kind::Interrupt;
      exception |= e.kind == event_trace::Kind::Exception;
      if (e.kind != event_trace::Kind::Switch || e.detail == partners[0] || e.detail == partners[1])
        continue;
      switched = true;
      for (size_t k = 0; k < 8; ++k) {
        if (other_counts[k] && others[k] != e.detail) continue;
        others[k] = e.detail;
        ++other_counts[k];
        break;
      }
    }
    t.timer += timer;
    t.interrupt += interrupt;
    t.exception += exception;
    t.switched += switched;
    t.none += !(timer || interrupt || exception || switched);
  }
  for (size_t k = 0, best = 0; k < 8; ++k) {
    if (other_counts[k] > best) {
      best = other_counts[k];
      t.other_thread = others[k];
    }
  }
  return t;
}

// Reads ipcbench's Report and slow windows from control and matches them with the trace.
bool read_figure(Channel* control, Trace& trace, Figure& figure) {
  Message* m = next_message(control, 600 * kSecond);
  bool ok = m && m->data_size == sizeof(Report);
  if (ok) __builtin_memcpy(&figure.report, m->data, sizeof(Report));
  if (m) free_message(m);
  trace.stop();
  if (!ok || figure.report.window_count > kMaxWindows) return false;
  static uint64_t windows[2 * kMaxWindows];
  for (size_t got = 0; got < figure.report.window_count;) {
    m = next_message(control, 60 * kSecond);
    if (!m) return false;
    const size_t pairs = m->data_size / (2 * sizeof(uint64_t));
    ok = pairs > 0 && pairs <= kWindowsPerMessage && got + pairs <= figure.report.window_count;
    if (ok) __builtin_memcpy(&windows[2 * got], m->data, pairs * 2 * sizeof(uint64_t));
    free_message(m);
    if (!ok) return false;
    got += pairs;
  }
  figure.tails = classify(windows, figure.report.window_count, trace);
  return true;
}

// Starts ipcbench with (mode, n) and the given link end; for clients, waits for its figure.
lib::Result<Figure> run_ipcbench(uint64_t mode, uint64_t n, Channel* link, bool wait) {
  Pair control = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {
      log_handle(), {control.user_end.get(), abi::kRightsAll}, {link, abi::kRightsAll}};
  Ref<Process> process = TRY(spawn_from_archive("ipcbench", handles, 3, exit.user_end));
  auto request = Message::create(MessageKind::Data, 0, 2 * sizeof(uint64_t));
  KASSERT(request.ok());
  const uint64_t words[2] = {mode, n};
  __builtin_memcpy(request.value()->data, words, sizeof(words));
  Trace trace(wait ? n + n / 10 : 0);
  {
    SpinlockGuard guard(sched_lock);
    KASSERT(control.kernel_end->send(request.value()).ok());
  }
  Figure figure;
  bool ok = true;
  if (wait) {
    ok = read_figure(control.kernel_end.get(), trace, figure);
    abi::ProcessExit info{};
    ok = ok && wait_exit(exit.kernel_end.get(), &info) && info.code == 0;
  }
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
  if (!ok) return lib::Error::TimedOut;
  return figure;
}

// A kernel thread answering every message on its channel end with the same message.
void echo_thread(void* arg) {
  auto* end = static_cast<Channel*>(arg);
  while (Message* m = next_message(end, 600 * kSecond)) {
    SpinlockGuard guard(sched_lock);
    if (!end->send(m).ok()) Message::destroy(m);
  }
}

// Times n calls from a kernel thread to the echo thread on the other end of client, and
// sums them up as ipcbench does its own.
Figure kernel_client(Channel* client, uint64_t n) {
  static uint32_t samples[200000], sorted[200000];
  static uint64_t starts[200000], windows[2 * kMaxWindows];
  if (n > 200000) n = 200000;
  auto created = Message::create(MessageKind::Data, 0, sizeof(uint64_t));
  KASSERT(created.ok());
  Message* m = created.value();
  const uint64_t warmup = n / 10;
  Trace trace(n + warmup);
  for (uint64_t i = 0; i < n + warmup; ++i) {
    const uint64_t start = arch::cycles();
    m->call_id = i + 1;
    {
      SpinlockGuard guard(sched_lock);
      KASSERT(client->send(m).ok());
    }
    m = next_message(client, 60 * kSecond);
    KASSERT(m && m->call_id == i + 1);
    const uint64_t ticks = arch::cycles() - start;
    if (i >= warmup) {
      samples[i - warmup] = static_cast<uint32_t>(ticks > UINT32_MAX ? UINT32_MAX : ticks);
      starts[i - warmup] = start;
    }
  }
  trace.stop();
  free_message(m);
  __builtin_memcpy(sorted, samples, n * sizeof(samples[0]));
  Figure f;
  Report& r = f.report;
  const auto rank = [&](unsigned per_mille) {
    return lib::kth_smallest(sorted, n, (n * per_mille + 999) / 1000 - 1);
  };
  r = Report{rank(500), rank(990), n, rank(900), rank(999), rank(1000), 0, 0, 0};
  r.threshold = 3 * r.median;
  for (uint64_t i = 0; i < n; ++i) {
    if (samples[i] <= r.threshold) continue;
    ++r.slow;
    if (r.window_count == kMaxWindows) continue;
    windows[2 * r.window_count] = starts[i];
    windows[2 * r.window_count + 1] = samples[i];
    ++r.window_count;
  }
  f.tails = classify(windows, r.window_count, trace);
  return f;
}

// With ipc_even=1 on the command line, each figure's p99 must be within the goal's factor of
// its median: run under QEMU's -icount, where time counts instructions the guest executes,
// this holds the kernel's own path to having no tail, whatever the host's load.
bool check_even() { return option_is("ipc_even", '1'); }

// With ipc_only=NAME on the command line, only that figure is measured (for tracing one path
// with QEMU's -d exec, tools/hot_path.py).
bool wanted(const char* name) {
  char only[32];
  if (!boot_info().option("ipc_only", only, sizeof(only))) return true;
  size_t i = 0;
  while (name[i] && name[i] == only[i]) ++i;
  return name[i] == only[i];
}

void report(const char* name, const Figure& f, uint64_t factor) {
  print_figure(name, f);
  if (check_even()) KEXPECT(f.report.p99 <= factor * f.report.median);
}

uint64_t iterations() {
  char value[24];
  if (!boot_info().option("ipc_iterations", value, sizeof(value))) return 100000;
  uint64_t n = 0;
  for (const char* c = value; *c >= '0' && *c <= '9'; ++c)
    n = n * 10 + static_cast<uint64_t>(*c - '0');
  return n ? n : 1;
}

// The time from spawn_wasm_module to the instance of httpd.wasm (the boot archive's; the
// largest component built for wasm) made, before its main runs, over kInstantiateRuns
// starts; each is killed then, as it is not given the handles it would serve with.
void report_instantiate() {
  constexpr size_t kInstantiateRuns = 30;
  const auto module = boot_archive_file("httpd.wasm");
  KREQUIRE(module.ok());
  uint64_t samples[kInstantiateRuns];
  for (uint64_t& sample : samples) {
    Pair exit = make_pair();
    WasmStartTimes times;
    const SpawnHandle handles[] = {log_handle()};
    const uint64_t spawned = arch::now_ns();
    auto started =
        spawn_wasm_module("instantiate", module.value(), handles, 1, exit.user_end, {}, &times);
    KREQUIRE(started.ok());
    Ref<Process> process = started.release_value();
    bool ended = false;
    while (times.ready() == 0 && !ended) {
      sched::sleep_ns(100'000);
      SpinlockGuard guard(sched_lock);
      ended = process->terminated();
    }
    const uint64_t ready = times.ready();
    {
      SpinlockGuard guard(sched_lock);
      process->terminate(-1, abi::ExitReason::Killed, "killed", 0, 0);
    }
    abi::ProcessExit info{};
    KEXPECT(wait_exit(exit.kernel_end.get(), &info));
    drop(process, exit.kernel_end, exit.user_end);
    KREQUIRE(ready != 0);  // it reached its main
    sample = ready - spawned;
  }
  const uint64_t median = lib::percentile(samples, kInstantiateRuns, 50);
  const uint64_t p99 = lib::percentile(samples, kInstantiateRuns, 99);
  print("ipc: wasm_instantiate median_ns={} p99_ns={} n={} module_bytes={}\n", median, p99,
        kInstantiateRuns, module.value().size);
}

KTEST(manual_ipc_bench) {
  const uint64_t n = iterations();
  if (wanted("null_syscall")) {  // the link is unused
    Pair unused = make_pair();
    auto f = run_ipcbench(1, n, unused.user_end.get(), true);
    KREQUIRE(f.ok());
    report("null_syscall", f.value(), 2);
    drop(unused.kernel_end, unused.user_end);
  }
  const struct {
    const char* name;
    uint64_t mode;
  } user_pairs[] = {{"channel", 2}, {"call_user_user", 3}};
  for (const auto& pair : user_pairs) {
    if (!wanted(pair.name)) continue;
    Pair link = make_pair();
    KREQUIRE(run_ipcbench(4, 0, link.kernel_end.get(), false).ok());  // the server
    auto f = run_ipcbench(pair.mode, n, link.user_end.get(), true);
    drop(link.kernel_end, link.user_end);
    KREQUIRE(f.ok());
    report(pair.name, f.value(), 3);
  }
  if (wanted("call_user_kernel")) {
    Pair link = make_pair();
    auto echo = Thread::create("echo", echo_thread, link.kernel_end.get());
    KREQUIRE(echo.ok());
    echo.value()->start();
    auto f = run_ipcbench(3, n, link.user_end.get(), true);
    drop(link.user_end);  // the echo thread sees the peer close and returns
    echo.value()->join();
    drop(link.kernel_end);
    KREQUIRE(f.ok());
    report("call_user_kernel", f.value(), 3);
  }
  if (wanted("call_user_wasm")) {  // the server: ktest/wasm/echo_server.wat in the engine
    Pair link = make_pair(), exit = make_pair();
    const SpawnHandle handles[] = {log_handle(), {link.kernel_end.get(), abi::kRightsAll}};
    auto server = spawn_wasm_module("echo-server", echo_server_module(), handles, 2, exit.user_end);
    KREQUIRE(server.ok());
    auto f = run_ipcbench(3, n, link.user_end.get(), true);
    drop(link.user_end);  // the server sees the peer close and ends
    abi::ProcessExit info{};
    KEXPECT(wait_exit(exit.kernel_end.get(), &info) && info.code == 0);
    Ref<Process> process = server.release_value();
    drop(process, link.kernel_end, exit.kernel_end, exit.user_end);
    KREQUIRE(f.ok());
    report("call_user_wasm", f.value(), 3);
  }
  if (wanted("wasm_instantiate")) report_instantiate();
  if (wanted("call_kernel_kernel")) {
    Pair link = make_pair();
    auto echo = Thread::create("echo", echo_thread, link.kernel_end.get());
    KREQUIRE(echo.ok());
    echo.value()->start();
    const Figure f = kernel_client(link.user_end.get(), n);
    drop(link.user_end);
    echo.value()->join();
    drop(link.kernel_end);
    report("call_kernel_kernel", f, 3);
  }
  print("ipc: done\n");
}

}  // namespace
}  // namespace kernel
