// User mode: processes from the boot archive, syscalls, channels between processes, handle
// transfer, rights, and faults that kill only the faulting process.

#include <stellina/process.h>

#include "kernel/boot_info.h"
#include "kernel/channel.h"
#include "kernel/folio.h"
#include "kernel/heap.h"
#include "kernel/interrupt.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/log_object.h"
#include "kernel/platform.h"
#include "kernel/pmm.h"
#include "kernel/silo.h"
#include "kernel/spawn.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

using namespace ktest_user;

KTEST(user_hello) {
  Pair exit = make_pair();
  const SpawnHandle handles[] = {log_handle()};
  auto p = spawn_from_archive("hello", handles, 1, exit.user_end);
  KREQUIRE(p.ok());
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  KEXPECT(log_contains("[hello] hello from user mode"));
  Ref<Process> process = p.release_value();
  drop(process, exit.kernel_end, exit.user_end);
}

KTEST(user_spawn_refuses_bad_images) {
  const uint8_t garbage[64] = {0x7f, 'E', 'L', 'F', 9, 9, 9};
  KEXPECT(!spawn("garbage", garbage, sizeof(garbage), nullptr, 0, Ref<Channel>()).ok());
  KEXPECT(spawn_from_archive("no-such-program", nullptr, 0, Ref<Channel>()).error() ==
          lib::Error::NotFound);
}

uint64_t rounds_from_cmdline() {
  char value[24];
  if (!boot_info().option("pingpong_rounds", value, sizeof(value))) return 1'000'000;
  uint64_t n = 0;
  for (const char* c = value; *c >= '0' && *c <= '9'; ++c)
    n = n * 10 + static_cast<uint64_t>(*c - '0');
  return n;
}

KTEST(user_pingpong_checksum) {
  const uint64_t rounds = rounds_from_cmdline();
  PingPong g;
  KREQUIRE(g.spawn());

  const uint64_t start = arch::now_ns();
  g.start(rounds);
  uint64_t sums[2] = {0, 0};
  Channel* results[2] = {g.result_ping.kernel_end.get(), g.result_pong.kernel_end.get()};
  for (int i = 0; i < 2; ++i) {
    Message* m = next_message(results[i], 600 * kSecond);
    KREQUIRE(m);
    if (m->data_size == sizeof(uint64_t)) __builtin_memcpy(&sums[i], m->data, sizeof(uint64_t));
    free_message(m);
  }
  const uint64_t elapsed = arch::now_ns() - start;
  const uint64_t expected = 3 * rounds * (rounds + 1) / 2 + rounds;  // sum of 3i+1
  print("ktest:   {} round trips in {} ms ({} ns each); checksums {} {} expected {}\n", rounds,
        elapsed / 1'000'000, rounds ? elapsed / rounds : 0, sums[0], sums[1], expected);
  KEXPECT(sums[0] == expected && sums[1] == expected);
  abi::ProcessExit info{};
  KEXPECT(wait_exit(g.exit_ping.kernel_end.get(), &info) && info.code == 0);
  KEXPECT(wait_exit(g.exit_pong.kernel_end.get(), &info) && info.code == 0);
  g.drop_all();
}

KTEST(user_faults_kill_only_the_process) {
  struct Case {
    uint64_t mode;
    const char* detail;
    bool null_address;
  } cases[] = {{1, "page fault", true},
               {2, "page fault", false},
               {3, "invalid opcode", false},
               {4, "page fault", false}};
  sched::sleep_ns(10'000'000);  // let earlier tests' exited threads be reaped first
  const size_t pages_before = pmm::free_page_count();
  for (const Case& c : cases) {
    Pair control = make_pair(), exit = make_pair();
    const SpawnHandle handles[] = {log_handle(), {control.user_end.get(), abi::kRightsAll}};
    auto p = spawn_from_archive("faults", handles, 2, exit.user_end);
    KREQUIRE(p.ok());
    send_u64(control.kernel_end.get(), c.mode);
    abi::ProcessExit info{};
    KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
    KEXPECT(info.reason == abi::ExitReason::Fault);
    const char* d = info.detail;
    size_t i = 0;
    while (c.detail[i] && d[i] == c.detail[i]) ++i;
    KEXPECT(c.detail[i] == '\0');
    if (c.null_address) KEXPECT(info.address == 0);
    KEXPECT(info.pc >= 0x400000 && info.pc < 0x800000);
    Ref<Process> process = p.release_value();
    drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
  }
  // Everything the killed processes had is back (page tables, stacks, pages).
  for (int spin = 0; spin < 100 && pmm::free_page_count() != pages_before; ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(pmm::free_page_count() == pages_before);
}

KTEST(user_rights_enforced) {
  Pair ch = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {log_handle(), {ch.user_end.get(), abi::kRightsAll}};
  auto p = spawn_from_archive("rights", handles, 2, exit.user_end);
  KREQUIRE(p.ok());
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.reason == abi::ExitReason::Exited);
  if (info.code) print("ktest:   rights: step {} failed\n", info.code);
  KEXPECT(info.code == 0);
  Ref<Process> process = p.release_value();
  drop(process, ch.kernel_end, ch.user_end, exit.kernel_end, exit.user_end);
}

KTEST(user_handle_transfer) {
  Pair control = make_pair(), exit = make_pair();
  const SpawnHandle handles[] = {log_handle(), {control.user_end.get(), abi::kRightsAll}};
  auto p = spawn_from_archive("transfer", handles, 2, exit.user_end);
  KREQUIRE(p.ok());
  Message* connect = next_message(control.kernel_end.get(), 10 * kSecond);
  KREQUIRE(connect);
  KEXPECT(connect->kind == MessageKind::Connect && connect->handle_count == 1);
  Channel* given = connect->handle_count == 1 ? object_cast<Channel>(connect->handles[0]) : nullptr;
  KEXPECT(given != nullptr);
  if (given) {
    const char text_sent[] = "through a transferred channel";
    auto m = Message::create(MessageKind::Data, 0, sizeof(text_sent));
    KREQUIRE(m.ok());
    __builtin_memcpy(m.value()->data, text_sent, sizeof(text_sent));
    {
      SpinlockGuard guard(sched_lock);
      KEXPECT(given->send(m.value()).ok());
    }
    Message* echo = next_message(control.kernel_end.get(), 10 * kSecond);
    KREQUIRE(echo);
    KEXPECT(echo->data_size == sizeof(text_sent) &&
            __builtin_memcmp(echo->data, text_sent, sizeof(text_sent)) == 0);
    free_message(echo);
  }
  free_message(connect);
  abi::ProcessExit info{};
  KEXPECT(wait_exit(exit.kernel_end.get(), &info) && info.code == 0);
  Ref<Process> process = p.release_value();
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
}

// Runs a self-checking user program (handles: log) and expects exit code 0.
void expect_program_passes(const char* name) {
  Pair exit = make_pair();
  const SpawnHandle handles[] = {log_handle()};
  auto p = spawn_from_archive(name, handles, 1, exit.user_end);
  KREQUIRE(p.ok());
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  if (info.code) print("ktest:   {}: step {} failed ({})\n", name, info.code, info.detail);
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  Ref<Process> process = p.release_value();
  drop(process, exit.kernel_end, exit.user_end);
}

KTEST(user_poll_and_timers) { expect_program_passes("poll"); }
KTEST(user_pie_relocated) { expect_program_passes("pie"); }
KTEST(user_channel_reply_recv) { expect_program_passes("replyrecv"); }

// Two processes of three threads each, all using the FPU and SIMD registers at once: each
// thread keeps its own (tests/user/fpu.cc), and the save areas go back to the silo.
KTEST(user_fpu_state_is_per_thread) {
  Pair exits[2] = {make_pair(), make_pair()};
  Ref<Process> processes[2];
  const SpawnHandle handles[] = {log_handle()};
  for (int i = 0; i < 2; ++i) {
    auto p = spawn_from_archive("fpu", handles, 1, exits[i].user_end);
    KREQUIRE(p.ok());
    processes[i] = p.release_value();
  }
  for (int i = 0; i < 2; ++i) {
    abi::ProcessExit info{};
    KREQUIRE(wait_exit(exits[i].kernel_end.get(), &info));
    if (info.code) print("ktest:   fpu: step {} failed ({})\n", info.code, info.detail);
    KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
    drop(processes[i], exits[i].kernel_end, exits[i].user_end);
  }
  KEXPECT(log_contains("[fpu] fpu: x87"));
}

// The syscall fuzzer's call count: fuzz_calls= on the command line (bench/fuzz runs
// 1,000,000), else 100,000.
uint64_t fuzz_calls_from_cmdline() {
  char value[24];
  if (!boot_info().option("fuzz_calls", value, sizeof(value))) return 100'000;
  uint64_t n = 0;
  for (const char* c = value; *c >= '0' && *c <= '9' && n < 1'000'000'000; ++c)
    n = n * 10 + static_cast<uint64_t>(*c - '0');
  return n;
}

KTEST(user_syscall_fuzz) {
  const SpawnHandle log = log_handle();  // the log object lives forever: make it first
  // A silo of its own to manage (made before the counts are taken: it outlives the fuzzer),
  // so the silo and spawn calls meet a live silo handle too.
  auto made = Silo::create(Silo::root(), {1024, 8, 100});
  KREQUIRE(made.ok());
  Ref<Silo> silo = Ref<Silo>::adopt(made.value());
  // And an interrupt: COM2's line, which no device of the test machines raises (its
  // interrupt_ack and waits meet a live Interrupt handle).
  auto line = arch::isa_irq_line(3);
  auto irq_made =
      InterruptObject::create(line.ok() ? line.value() : arch::IrqLine{3, false, false});
  KREQUIRE(irq_made.ok());
  Ref<InterruptObject> irq = Ref<InterruptObject>::adopt(irq_made.value());
  // And the platform, only to read (its holder owns the machine: device_map, pci_config and
  // system_power with random arguments would reprogram it; here they meet kErrAccessDenied).
  Platform* platform = Platform::get();  // lives forever: made before counting
  sched::sleep_ns(10'000'000);           // let earlier tests' exited threads be reaped first
  const auto heap_before = heap::stats();
  const size_t pages_before = pmm::free_page_count();
  Pair control = make_pair(), exit = make_pair();
  // Without the transfer right: a message the fuzzer sends may name any handle in its memory
  // (a hostile pointer into its own buffers), and must not move the test's channel away.
  const SpawnHandle handles[] = {log,
                                 {control.user_end.get(), abi::kRightsAll & ~abi::kRightTransfer},
                                 {silo.get(), abi::kRightsAll},
                                 {irq.get(), abi::kRightsAll},
                                 {platform, abi::kRightRead | abi::kRightWait}};
  auto p = spawn_from_archive("fuzz", handles, 5, exit.user_end);
  KREQUIRE(p.ok());
  const uint64_t calls = fuzz_calls_from_cmdline();
  send_u64(control.kernel_end.get(), calls);
  // About 1 ms a call under a slow TCG, at the worst.
  Message* report = next_message(control.kernel_end.get(), (300 + calls / 1000) * kSecond);
  if (!report) {
    abi::ProcessExit info{};
    if (wait_exit(exit.kernel_end.get(), &info)) {
      print("ktest:   fuzz ended early: code {} reason {} detail '{}' pc {:#x} address {:#x}\n",
            info.code, static_cast<int>(info.reason), info.detail, info.pc, info.address);
    }
  }
  KREQUIRE(report);
  uint64_t counts[2] = {0, 0};
  if (report->data_size == sizeof(counts)) __builtin_memcpy(counts, report->data, sizeof(counts));
  free_message(report);
  print("ktest:   {} calls: {} succeeded, {} refused\n", calls, counts[0], counts[1]);
  KEXPECT(counts[0] + counts[1] == calls);
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  Ref<Process> process = p.release_value();
  drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
  // Whatever the fuzzer made went away with it.
  for (int spin = 0; spin < 100 && pmm::free_page_count() != pages_before; ++spin)
    sched::sleep_ns(1'000'000);
  const auto heap_after = heap::stats();
  if (heap_after.live_allocations != heap_before.live_allocations) {
    print("ktest:   heap allocations {} -> {}, free pages {} -> {}\n", heap_before.live_allocations,
          heap_after.live_allocations, pages_before, pmm::free_page_count());
  }
  KEXPECT(heap_after.live_allocations == heap_before.live_allocations);
  KEXPECT(pmm::free_page_count() == pages_before);
}

}  // namespace
}  // namespace kernel

namespace kernel {
namespace {

using namespace ktest_user;

KTEST(user_shared_memory_ring) {
  constexpr uint64_t kRecords = 10000;
  auto created = Folio::create(8192);
  KREQUIRE(created.ok());
  Ref<Folio> folio = Ref<Folio>::adopt(created.value());
  Pair link = make_pair(), control_w = make_pair(), control_r = make_pair();
  Pair exit_w = make_pair(), exit_r = make_pair();
  constexpr uint32_t kReadOnly = abi::kRightRead | abi::kRightMap | abi::kRightWait;
  const SpawnHandle writer[] = {log_handle(),
                                {control_w.user_end.get(), abi::kRightsAll},
                                {folio.get(), abi::kRightsAll},
                                {link.kernel_end.get(), abi::kRightsAll}};
  const SpawnHandle reader[] = {log_handle(),
                                {control_r.user_end.get(), abi::kRightsAll},
                                {folio.get(), kReadOnly},
                                {link.user_end.get(), abi::kRightsAll}};
  auto w = spawn_from_archive("shm", writer, 4, exit_w.user_end);
  auto r = spawn_from_archive("shm", reader, 4, exit_r.user_end);
  KREQUIRE(w.ok() && r.ok());
  drop(link.kernel_end, link.user_end);
  for (auto* control : {control_w.kernel_end.get(), control_r.kernel_end.get()}) {
    auto m = Message::create(MessageKind::Data, 0, 2 * sizeof(uint64_t));
    KREQUIRE(m.ok());
    const uint64_t words[2] = {control == control_w.kernel_end.get() ? 1u : 2u, kRecords};
    __builtin_memcpy(m.value()->data, words, sizeof(words));
    SpinlockGuard guard(sched_lock);
    KEXPECT(control->send(m.value()).ok());
  }
  uint64_t sums[2] = {0, 1};
  Channel* controls[2] = {control_w.kernel_end.get(), control_r.kernel_end.get()};
  for (int i = 0; i < 2; ++i) {
    Message* m = next_message(controls[i], 60 * kSecond);
    KREQUIRE(m);
    if (m->data_size == sizeof(uint64_t)) __builtin_memcpy(&sums[i], m->data, sizeof(uint64_t));
    free_message(m);
  }
  uint64_t expected = 0;
  for (uint64_t i = 0; i < kRecords; ++i) expected += i * 2654435761u + 7;
  KEXPECT(sums[0] == expected && sums[1] == expected);
  // The last batch is in the folio's own pages: the kernel sees what the processes wrote.
  const auto* words = static_cast<const uint64_t*>(arch::phys_to_virt(folio->page(0)));
  const uint64_t last_batch = words[0];
  KEXPECT(last_batch == kRecords % 64 || (kRecords % 64 == 0 && last_batch == 64));
  KEXPECT(words[1] == (kRecords - last_batch) * 2654435761u + 7);
  abi::ProcessExit info{};
  KEXPECT(wait_exit(exit_w.kernel_end.get(), &info) && info.code == 0);
  KEXPECT(wait_exit(exit_r.kernel_end.get(), &info) && info.code == 0);
  Ref<Process> p1 = w.release_value(), p2 = r.release_value();
  drop(p1, p2, folio, control_w.kernel_end, control_w.user_end, control_r.kernel_end,
       control_r.user_end, exit_w.kernel_end, exit_w.user_end, exit_r.kernel_end, exit_r.user_end);
}

}  // namespace
}  // namespace kernel

namespace kernel {
namespace {

using namespace ktest_user;

KTEST(user_threads) {
  struct Case {
    uint64_t mode;
    abi::ExitReason reason;
    int64_t code;
  } cases[] = {{1, abi::ExitReason::Exited, 0},
               {2, abi::ExitReason::Fault, -1},
               {3, abi::ExitReason::Exited, 7}};
  // Two rounds: the first may make page tables for new kernel stack slots (they stay); the
  // second must give back exactly what it took.
  size_t threads_before = 0, pages_before = 0;
  for (int round = 0; round < 2; ++round) {
    sched::sleep_ns(10'000'000);  // let earlier exited threads be reaped first
    threads_before = Thread::count();
    pages_before = pmm::free_page_count();
    for (const Case& c : cases) {
      Pair control = make_pair(), exit = make_pair();
      const SpawnHandle handles[] = {log_handle(), {control.user_end.get(), abi::kRightsAll}};
      auto p = spawn_from_archive("threads", handles, 2, exit.user_end);
      KREQUIRE(p.ok());
      send_u64(control.kernel_end.get(), c.mode);
      abi::ProcessExit info{};
      KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
      if (info.reason != c.reason || info.code != c.code) {
        print("ktest:   mode {}: reason {} code {} ({})\n", c.mode, static_cast<int>(info.reason),
              info.code, info.detail);
      }
      KEXPECT(info.reason == c.reason && info.code == c.code);
      Ref<Process> process = p.release_value();
      drop(process, control.kernel_end, control.user_end, exit.kernel_end, exit.user_end);
    }
  }
  // Every thread of every process is gone, blocked ones included, with their memory.
  for (int spin = 0; spin < 100 && Thread::count() != threads_before; ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(Thread::count() == threads_before);
  KEXPECT(pmm::free_page_count() == pages_before);
}

}  // namespace
}  // namespace kernel
