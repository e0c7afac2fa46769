// Returns to user mode the CPU would refuse (tests/user/userreturn.cc): a syscall as the last
// instruction below the canonical hole, a thread started on the last byte, thread entries and
// stacks outside user space; and the returns it must allow: syscalls made with a stack
// pointer outside user space, interrupts of code in the last page.

#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/pmm.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

bool same(const char* a, const char* b) {
  size_t i = 0;
  while (a[i] && a[i] == b[i]) ++i;
  return a[i] == b[i];
}

// Runs userreturn in mode; fills info with how it ended.
bool run_userreturn(uint64_t mode, abi::ProcessExit* info) {
  Pair control = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {log_handle(), {control.user_end.get(), abi::kRightsAll}};
  auto p = spawn_from_archive("userreturn", handles, 2, exit.user_end);
  if (!p.ok()) return false;
  send_u64(control.kernel_end.get(), mode);
  const bool ended = wait_exit(exit.kernel_end.get(), info);
  Ref<Process> process = p.release_value();
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
  return ended;
}

KTEST(user_return_to_non_canonical_address_kills_the_process) {
  abi::ProcessExit info{};
  // A first run that exits normally: the kernel's own one-time allocations (heap pages for
  // the objects of a first run) are made before the count is taken.
  KREQUIRE(run_userreturn(6, &info));
  sched::sleep_ns(10'000'000);  // let exited threads be reaped first
  const size_t pages_before = pmm::free_page_count();
  // The syscall's return address is the first non-canonical address.
  KREQUIRE(run_userreturn(1, &info));
  KEXPECT(info.reason == abi::ExitReason::Fault);
  // Caught by the kernel before iretq, not by the CPU at the next fetch (TCG lets iretq
  // through where hardware faults in ring 0: the detail tells which happened).
  KEXPECT(same(info.detail, "general protection fault on return"));
  KEXPECT(info.pc == arch::kUserTop);
  // Stacks above user space and in the kernel half, during a syscall: not the kernel's
  // concern (iretq loads them), and the process goes on.
  for (uint64_t mode : {2, 3}) {
    KREQUIRE(run_userreturn(mode, &info));
    KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  }
  // A thread whose first instruction runs into the hole: a fault in user mode.
  KREQUIRE(run_userreturn(4, &info));
  KEXPECT(info.reason == abi::ExitReason::Fault);
  // Everything the killed processes had is back.
  for (int spin = 0; spin < 100 && pmm::free_page_count() != pages_before; ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(pmm::free_page_count() == pages_before);
}

KTEST(user_thread_entries_outside_user_space_refused) {
  abi::ProcessExit info{};
  KREQUIRE(run_userreturn(5, &info));
  KEXPECT(info.reason == abi::ExitReason::Exited);
  if (info.code) print("ktest:   userreturn: case {} was not refused\n", info.code);
  KEXPECT(info.code == 0);
}

KTEST(user_code_at_the_top_of_user_space_runs) {
  // Timer interrupts return to a thread spinning in the last page, over and over.
  abi::ProcessExit info{};
  KREQUIRE(run_userreturn(6, &info));
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
}

}  // namespace
}  // namespace kernel
