// Manual: the IPC benchmark (bench/ipc boots the test kernel with ktest=manual_ipc_bench).
// Prints one line per figure, `ipc: <name> median_ns=<n> p99_ns=<n> n=<n>`, then `ipc: done`:
// the null syscall, channel and call round trips between user processes, a call from user
// mode to a kernel thread, and a call between two kernel threads. Every round trip is timed
// on its own with the TSC, after a warm-up of a tenth of the iterations.

#include <lib/order_statistics.h>

#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

struct Figure {
  uint64_t median_ticks = 0, p99_ticks = 0, n = 0;
};

void print_figure(const char* name, const Figure& f) {
  print("ipc: {} median_ns={} p99_ns={} n={}\n", name, arch::cycles_to_ns(f.median_ticks),
        arch::cycles_to_ns(f.p99_ticks), f.n);
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
  {
    SpinlockGuard guard(sched_lock);
    KASSERT(control.kernel_end->send(request.value()).ok());
  }
  Figure figure;
  bool ok = true;
  if (wait) {
    Message* m = next_message(control.kernel_end.get(), 600 * kSecond);
    ok = m && m->data_size == 3 * sizeof(uint64_t);
    if (ok) {
      uint64_t report[3];
      __builtin_memcpy(report, m->data, sizeof(report));
      figure = Figure{report[0], report[1], report[2]};
    }
    if (m) free_message(m);
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

// Times n calls from a kernel thread to the echo thread on the other end of client.
Figure kernel_client(Channel* client, uint64_t n) {
  static uint32_t samples[200000];
  if (n > 200000) n = 200000;
  auto created = Message::create(MessageKind::Data, 0, sizeof(uint64_t));
  KASSERT(created.ok());
  Message* m = created.value();
  const uint64_t warmup = n / 10;
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
    if (i >= warmup)
      samples[i - warmup] = static_cast<uint32_t>(ticks > UINT32_MAX ? UINT32_MAX : ticks);
  }
  free_message(m);
  return Figure{lib::percentile(samples, n, 50), lib::percentile(samples, n, 99), n};
}

uint64_t iterations() {
  char value[24];
  if (!boot_info().option("ipc_iterations", value, sizeof(value))) return 100000;
  uint64_t n = 0;
  for (const char* c = value; *c >= '0' && *c <= '9'; ++c)
    n = n * 10 + static_cast<uint64_t>(*c - '0');
  return n ? n : 1;
}

KTEST(manual_ipc_bench) {
  const uint64_t n = iterations();
  {  // the null syscall; the link is unused
    Pair unused = make_pair();
    auto f = run_ipcbench(1, n, unused.user_end.get(), true);
    KREQUIRE(f.ok());
    print_figure("null_syscall", f.value());
    drop(unused.kernel_end, unused.user_end);
  }
  const struct {
    const char* name;
    uint64_t mode;
  } user_pairs[] = {{"channel", 2}, {"call_user_user", 3}};
  for (const auto& pair : user_pairs) {
    Pair link = make_pair();
    KREQUIRE(run_ipcbench(4, 0, link.kernel_end.get(), false).ok());  // the server
    auto f = run_ipcbench(pair.mode, n, link.user_end.get(), true);
    drop(link.kernel_end, link.user_end);
    KREQUIRE(f.ok());
    print_figure(pair.name, f.value());
  }
  {  // a user client calling a kernel thread
    Pair link = make_pair();
    auto echo = Thread::create("echo", echo_thread, link.kernel_end.get());
    KREQUIRE(echo.ok());
    echo.value()->start();
    auto f = run_ipcbench(3, n, link.user_end.get(), true);
    drop(link.user_end);  // the echo thread sees the peer close and returns
    echo.value()->join();
    drop(link.kernel_end);
    KREQUIRE(f.ok());
    print_figure("call_user_kernel", f.value());
  }
  {  // two kernel threads
    Pair link = make_pair();
    auto echo = Thread::create("echo", echo_thread, link.kernel_end.get());
    KREQUIRE(echo.ok());
    echo.value()->start();
    const Figure f = kernel_client(link.user_end.get(), n);
    drop(link.user_end);
    echo.value()->join();
    drop(link.kernel_end);
    print_figure("call_kernel_kernel", f);
  }
  print("ipc: done\n");
}

}  // namespace
}  // namespace kernel
