// The same component source (apps/echo) in three isolation modes: a user process from the
// boot archive, a kernel thread from the kernel's component table and a wasm module from the
// boot archive run by the kernel's engine must pass the same test.

#include "kernel/arch.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/wasm/wasm_component.h"

namespace kernel {
namespace {

using namespace ktest_user;

using Starter = lib::Result<Ref<Process>> (*)(const char*, const SpawnHandle*, size_t, Ref<Channel>,
                                              Ref<Silo>);

void echo_component_test(Starter start) {
  Pair startup = make_pair(), exit = make_pair(), client = make_pair();
  const SpawnHandle handles[] = {log_handle(), {startup.user_end.get(), abi::kRightsAll}};
  auto p = start("echo", handles, 2, exit.user_end, Ref<Silo>());
  KREQUIRE(p.ok());
  connect(startup.kernel_end.get(), client.user_end.get());
  drop(client.user_end);  // the component holds that end now

  for (uint64_t i = 0; i < 20; ++i) send_u64(client.kernel_end.get(), i * i);
  for (uint64_t i = 0; i < 20; ++i) {
    Message* m = next_message(client.kernel_end.get(), 10 * kSecond);
    KREQUIRE(m);
    uint64_t value = ~uint64_t{0};
    if (m->kind == MessageKind::Data && m->data_size == sizeof(value))
      __builtin_memcpy(&value, m->data, sizeof(value));
    free_message(m);
    KEXPECT(value == i * i);  // every message back, in order
  }

  // Open{"echo:"} gives a fresh channel of its own; another scheme is refused.
  const char uri[] = "echo:";
  auto open = Message::create(MessageKind::Open, 77, sizeof(uri) - 1);
  KREQUIRE(open.ok());
  __builtin_memcpy(open.value()->data, uri, sizeof(uri) - 1);
  {
    SpinlockGuard guard(sched_lock);
    KEXPECT(client.kernel_end->send(open.value()).ok());
  }
  Message* reply = next_message(client.kernel_end.get(), 10 * kSecond);
  KREQUIRE(reply);
  KEXPECT(reply->kind == MessageKind::OpenReply && reply->call_id == 77 &&
          reply->handle_count == 1);
  Channel* session = reply->handle_count == 1 ? object_cast<Channel>(reply->handles[0]) : nullptr;
  KEXPECT(session != nullptr);
  if (session) {
    send_u64(session, 4242);
    Message* echoed = next_message(session, 10 * kSecond);
    KREQUIRE(echoed);
    uint64_t value = 0;
    if (echoed->data_size == sizeof(value)) __builtin_memcpy(&value, echoed->data, sizeof(value));
    KEXPECT(value == 4242);
    free_message(echoed);
  }
  free_message(reply);  // closes the session channel
  auto refused = Message::create(MessageKind::Open, 78, 5);
  KREQUIRE(refused.ok());
  __builtin_memcpy(refused.value()->data, "nope:", 5);
  {
    SpinlockGuard guard(sched_lock);
    KEXPECT(client.kernel_end->send(refused.value()).ok());
  }
  Message* abort = next_message(client.kernel_end.get(), 10 * kSecond);
  KREQUIRE(abort);
  int64_t status = 0;
  if (abort->data_size == sizeof(status)) __builtin_memcpy(&status, abort->data, sizeof(status));
  KEXPECT(abort->kind == MessageKind::Abort && abort->call_id == 78 && status == abi::kErrNotFound);
  free_message(abort);

  drop(client.kernel_end);   // the component forgets this client
  drop(startup.kernel_end);  // and ends when its parent goes away
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  Ref<Process> process = p.release_value();
  drop(process, startup.user_end, exit.kernel_end, exit.user_end);
}

KTEST(component_echo_in_user_mode) { echo_component_test(spawn_from_archive); }
KTEST(component_echo_in_kernel) { echo_component_test(spawn_in_kernel); }
KTEST(component_echo_in_wasm) { echo_component_test(spawn_in_wasm); }

// The event loop's timer: a tick no earlier than asked for.
void ticker_component_test(Starter start) {
  Pair startup = make_pair(), exit = make_pair(), client = make_pair();
  const SpawnHandle handles[] = {log_handle(), {startup.user_end.get(), abi::kRightsAll}};
  auto p = start("ticker", handles, 2, exit.user_end, Ref<Silo>());
  KREQUIRE(p.ok());
  connect(startup.kernel_end.get(), client.user_end.get());
  drop(client.user_end);
  for (uint64_t ms : {20, 5}) {
    const uint64_t asked = arch::now_ns();
    send_u64(client.kernel_end.get(), ms);
    Message* m = next_message(client.kernel_end.get(), 10 * kSecond);
    KREQUIRE(m);
    uint64_t elapsed = 0;
    if (m->data_size == sizeof(elapsed)) __builtin_memcpy(&elapsed, m->data, sizeof(elapsed));
    free_message(m);
    KEXPECT(elapsed >= ms * 1'000'000);
    KEXPECT(arch::now_ns() - asked >= ms * 1'000'000);
  }
  drop(client.kernel_end, startup.kernel_end);
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.code == 0);
  Ref<Process> process = p.release_value();
  drop(process, startup.user_end, exit.kernel_end, exit.user_end);
}

KTEST(component_ticker_in_user_mode) { ticker_component_test(spawn_from_archive); }
KTEST(component_ticker_in_kernel) { ticker_component_test(spawn_in_kernel); }
KTEST(component_ticker_in_wasm) { ticker_component_test(spawn_in_wasm); }

}  // namespace
}  // namespace kernel
