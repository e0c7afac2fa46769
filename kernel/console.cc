#include "kernel/console.h"

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/pmm.h"
#include "kernel/power.h"
#include "kernel/sched.h"
#include "kernel/thread.h"
#include "kernel/wait_queue.h"

namespace kernel::console {
namespace {

using stellina::abi::kSignalPeerClosed;
using stellina::abi::kSignalReadable;

constexpr char kSwitch = 0x1d;    // Ctrl-]: to the monitor while a channel holds the port
constexpr char kGiveBack = 0x04;  // Ctrl-D on an empty line: back to the holder, as `exit`

// Bytes from the serial interrupt, consumed by the console thread.
char input[256] GUARDED_BY(sched_lock);
size_t input_head GUARDED_BY(sched_lock) = 0;
size_t input_tail GUARDED_BY(sched_lock) = 0;
size_t input_dropped GUARDED_BY(sched_lock) = 0;
WaitQueue input_ready;  // also woken when the port changes hands

// The channel end that holds the port (the console's reference and handle count), or null.
Channel* holder GUARDED_BY(sched_lock) = nullptr;
bool monitor_shown GUARDED_BY(sched_lock) = false;  // Ctrl-] typed while a channel holds it
// How often the port changed hands: a line the monitor is reading is dropped at each.
uint64_t handovers GUARDED_BY(sched_lock) = 0;
WaitQueue holder_changed;  // the output thread waits here while nothing holds the port
struct {
  uint64_t attached, forwarded, dropped;  // dropped: the holder's queue was full
} serial_stats GUARDED_BY(sched_lock) = {};

void on_input(char c) {
  SpinlockGuard guard(sched_lock);
  if (input_head - input_tail == sizeof(input)) {
    ++input_dropped;
    return;
  }
  input[input_head++ % sizeof(input)] = c;
  input_ready.wake_one();
}

// Whether typing goes to the holder (not to the monitor).
bool held() REQUIRES(sched_lock) { return holder && !monitor_shown; }

// Gives the port to ch (its reference and handle count are the console's now); the channel
// that held it is closed: the newest holds it, so a restarted holder gets it back.
void attach(Channel* ch) REQUIRES(sched_lock) {
  Channel* old = holder;
  holder = ch;
  ++serial_stats.attached;
  if (!monitor_shown) ++handovers;
  input_ready.wake_all();
  holder_changed.wake_all();
  if (old) {
    old->handle_closed();  // its peer sees it close
    old->release();
  }
}

// The holder's peer closed: the monitor has the port again.
void detach() REQUIRES(sched_lock) {
  Channel* old = holder;
  holder = nullptr;
  monitor_shown = false;
  ++handovers;
  input_ready.wake_all();
  old->handle_closed();
  old->release();
}

// Ctrl-] or `exit` in the monitor: the holder has the port again. False if there is none.
bool hand_back() REQUIRES(sched_lock) {
  if (!holder) return false;
  monitor_shown = false;
  ++handovers;
  return true;
}

// Sends what has been typed to the holder, in one Data message, up to a Ctrl-], which shows
// the monitor. What the holder's queue has no room for is dropped and counted.
void forward_input() REQUIRES(sched_lock) {
  size_t n = 0;
  while (input_tail + n != input_head && input[(input_tail + n) % sizeof(input)] != kSwitch) ++n;
  if (n) {
    bool sent = false;
    auto m = Message::create(MessageKind::Data, 0, static_cast<uint32_t>(n));
    if (m.ok()) {
      for (size_t i = 0; i < n; ++i) m.value()->data[i] = input[(input_tail + i) % sizeof(input)];
      sent = holder->send(m.value()).ok();
      if (!sent) Message::destroy(m.value());
    }
    (sent ? serial_stats.forwarded : serial_stats.dropped) += n;
    input_tail += n;
  }
  if (input_tail != input_head) {  // a Ctrl-]
    ++input_tail;
    monitor_shown = true;
    ++handovers;
  }
}

// Forwards what is typed while a channel holds the port. Returns once the monitor has it,
// with the handover count then (read_char gives up at the next one); *switched: Ctrl-] did.
uint64_t forward_while_held(bool* switched) {
  SpinlockGuard guard(sched_lock);
  *switched = false;
  while (held()) {
    if (input_head == input_tail) {
      (void)input_ready.wait();
      continue;
    }
    forward_input();
    *switched = monitor_shown;
  }
  return handovers;
}

// The next byte typed for the monitor; -1 once the port has changed hands since epoch.
// Ctrl-] here does nothing: it only ever brings the monitor, so typing it first is always
// safe (tools/qemu_run.py does, before each line it types).
int read_char(uint64_t epoch) {
  SpinlockGuard guard(sched_lock);
  for (;;) {
    if (handovers != epoch) return -1;
    if (input_head == input_tail) {
      (void)input_ready.wait();
      continue;
    }
    const char c = input[input_tail++ % sizeof(input)];
    if (c != kSwitch) return c;
  }
}

// `exit` or Ctrl-D on an empty line: the holder gets the port back. False if none holds it.
bool give_back() {
  SpinlockGuard guard(sched_lock);
  return hand_back();
}

// Reads a line, echoed and edited; false (the line dropped) if the port changes hands first.
bool read_line(char* line, size_t capacity, uint64_t epoch) {
  size_t n = 0;
  for (;;) {
    int c = read_char(epoch);
    if (c == kGiveBack && n == 0 && give_back()) c = -1;
    if (c < 0 || c == '\r' || c == '\n') {
      // A line given up because the port changed hands ends without a newline: the port is
      // the holder's now, and a CR LF would land in the middle of what it writes.
      if (c >= 0) print("\n");
      line[n] = '\0';
      return c >= 0;
    }
    if ((c == 0x7f || c == '\b') && n > 0) {
      --n;
      print("\b \b");
    } else if (c >= ' ' && c < 0x7f && n + 1 < capacity) {
      line[n++] = static_cast<char>(c);
      print("{}", static_cast<char>(c));
    }
  }
}

// Takes the next Data message the holder sent off its queue (the caller writes it). When the
// holder's peer has closed and all it sent is written, the monitor gets the port back.
Message* next_output() {
  SpinlockGuard guard(sched_lock);
  for (;;) {
    if (!holder) {
      (void)holder_changed.wait();
      continue;
    }
    Ref<Channel> ch(holder);  // ours while waiting, should a newer holder replace it
    if (Message* m = ch->peek()) {
      ch->remove(m);
      if (m->kind == MessageKind::Data) return m;
      Message::destroy(m);  // only bytes mean something here
    } else if (ch->peer_closed()) {
      detach();
      log_info("console: the serial port's holder closed its channel; the kernel console has it");
    } else {
      (void)wait_for_signals(ch.get(), kSignalReadable | kSignalPeerClosed, 0);
    }
  }
}

// The output thread: writes what the holder sends to the port, as it is.
void write_output(void*) {
  for (;;) {
    Message* m = next_output();
    console_output_raw(reinterpret_cast<const char*>(m->data), m->data_size);
    SpinlockGuard guard(sched_lock);
    Message::destroy(m);
  }
}

// Gives the port to each channel end the startup server sends on the serial control channel
// (a Data message with the end as its one handle), until the startup server ends.
void take_holders(void* arg) {
  auto* requests = static_cast<Channel*>(arg);
  SpinlockGuard guard(sched_lock);
  for (;;) {
    Message* m = requests->peek();
    if (!m) {
      if (requests->peer_closed()) break;
      (void)wait_for_signals(requests, kSignalReadable | kSignalPeerClosed, 0);
      continue;
    }
    requests->remove(m);
    Channel* ch = m->kind == MessageKind::Data && m->handle_count == 1
                      ? object_cast<Channel>(m->handles[0])
                      : nullptr;
    if (ch) {
      m->handle_count = 0;  // its reference and handle count go to attach
      attach(ch);
      log_info("console: a channel holds the serial port (Ctrl-] for the kernel console)");
    } else {
      log_warn("console: a serial request without a channel end ignored");
    }
    Message::destroy(m);
  }
  requests->release();
}

// Starts a kernel thread that frees itself when it ends; false (logged) if it cannot.
bool start_thread(const char* name, Thread::Entry entry, void* arg) {
  auto t = Thread::create(name, entry, arg);
  if (!t.ok()) {
    log_warn("console: no thread {}: {}", name, lib::error_name(t.error()));
    return false;
  }
  t.value()->detach();
  t.value()->start();
  return true;
}

void show_serial() {
  bool held_now;
  uint64_t attached, forwarded, dropped, overflowed;
  {
    SpinlockGuard guard(sched_lock);
    held_now = holder != nullptr;
    attached = serial_stats.attached;
    forwarded = serial_stats.forwarded;
    dropped = serial_stats.dropped;
    overflowed = input_dropped;
  }
  print(
      "serial: {}, {} holders so far; typed: {} bytes forwarded, {} dropped (holder's queue "
      "full), {} dropped (console's buffer full)\n",
      held_now ? "held by a channel" : "the kernel console's", attached, forwarded, dropped,
      overflowed);
}

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

void show_thread(const Thread& t, void*) {
  print("{:>4} {:<16} {:>4} {:>4} {:<8} {:>10}\n", t.id(), t.name(), t.given_priority(),
        t.priority(), thread_state_name(t.state()), t.runtime_ns() / 1000);
}

void show_record(const lib::LogRecord& r, void*) {
  print("[{:>5}.{:06}] {}: {}\n", r.time_ns / 1'000'000'000, (r.time_ns / 1000) % 1'000'000,
        lib::log_level_name(r.level), r.text);
}

Channel* control_channel = nullptr;

// ctl COMMAND: asks the startup server (see servers/startup/README.md).
void control(const char* command) {
  if (!control_channel) {
    print("no startup server is running\n");
    return;
  }
  static char answer[4096];
  auto r = init::control(control_channel, command, answer, sizeof(answer), 5'000'000'000);
  if (!r.ok()) {
    print("ctl: {}\n", lib::error_name(r.error()));
    return;
  }
  print("{}", answer);
}

// The startup server stops the components one at a time, each within 2 s
// (servers/startup/README.md); past this the console stops waiting for it.
constexpr uint64_t kStopTimeoutNs = 40'000'000'000;

// shutdown, reboot: the startup server stops every component, clients before their
// providers (a file server writes its cache back), and then turns the machine off or resets
// it itself. If it cannot (none runs, it died, or it did not finish in kStopTimeoutNs), the
// console does it directly, so the machine always goes down.
[[noreturn]] void stop_system(bool reset) {
  const char* command = reset ? "reboot" : "shutdown";
  if (control_channel) {
    print("stopping the components\n");
    static char answer[256];
    auto r = init::control(control_channel, command, answer, sizeof(answer), kStopTimeoutNs);
    if (r.ok()) {
      print("{}", answer);
    } else {
      print("the startup server did not stop the system ({}); going down at once\n",
            lib::error_name(r.error()));
    }
  }
  if (reset) power::reboot();
  power::shutdown();
}

bool starts_with(const char* s, const char* prefix) {
  while (*prefix && *s == *prefix) ++s, ++prefix;
  return *prefix == '\0';
}

// Every CPU the firmware lists, and what became of it (arch::start_other_cpus).
void show_cpus() {
  arch::CpuRecord records[64];
  const size_t listed = arch::cpu_records(records, 64);
  print("cpus: {} running of {} listed\n", arch::cpu_count(), listed);
  for (size_t i = 0; i < listed && i < 64; ++i) {
    const arch::CpuRecord& r = records[i];
    if (r.state == arch::CpuState::Running) {
      print("cpu {}: id {} running\n", r.index, r.firmware_id);
    } else {
      print("cpu -: id {} {}\n", r.firmware_id,
            r.state == arch::CpuState::NoAnswer ? "did not answer" : "left out");
    }
  }
}

void run_command(const char* cmd) {
  if (equals(cmd, "")) return;
  if (equals(cmd, "help")) {
    print(
        "commands: help uptime mem cpus threads log loglevel sched serial ctl exit reboot "
        "shutdown\n");
  } else if (equals(cmd, "reboot") || equals(cmd, "ctl reboot")) {
    stop_system(true);
  } else if (equals(cmd, "shutdown") || equals(cmd, "ctl shutdown")) {
    stop_system(false);
  } else if (equals(cmd, "ctl") || starts_with(cmd, "ctl ")) {
    control(cmd[3] ? cmd + 4 : "help");
  } else if (equals(cmd, "uptime")) {
    const uint64_t ms = arch::now_ns() / 1'000'000;
    print("up {}.{:03} s\n", ms / 1000, ms % 1000);
  } else if (equals(cmd, "mem")) {
    const auto h = heap::stats();
    print("pages: {} free of {} ({} KiB free)\n", pmm::free_page_count(), pmm::total_page_count(),
          pmm::free_page_count() * 4);
    print("heap: {} allocations, {} bytes, {} slab pages, {} large pages, {} failures\n",
          h.live_allocations, h.live_bytes, h.slab_pages, h.large_pages, h.failed_allocations);
  } else if (equals(cmd, "cpus")) {
    show_cpus();
  } else if (equals(cmd, "threads")) {
    // prio: the priority it was given; now: the one it runs at (lower while a raised thread
    // keeps the CPU, kernel/sched.cc).
    print("{:>4} {:<16} {:>4} {:>4} {:<8} {:>10}\n", "id", "name", "prio", "now", "state",
          "cpu_us");
    Thread::for_each(show_thread, nullptr);
  } else if (equals(cmd, "log")) {
    log_for_each(0, show_record, nullptr);
    const LogStats stats = log_stats();
    print("log: {} records dropped by a full console queue, {} over a process's log rate\n",
          stats.console_dropped, stats.rate_limited);
  } else if (equals(cmd, "serial")) {
    show_serial();
  } else if (equals(cmd, "exit")) {
    if (!give_back()) print("no channel holds the serial port\n");
  } else if (starts_with(cmd, "loglevel ")) {
    const char* name = cmd + 9;
    const LogLevel levels[] = {LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error};
    bool known = false;
    for (const LogLevel level : levels) {
      if (!equals(name, lib::log_level_name(level))) continue;
      log_set_console_level(level);
      known = true;
    }
    if (!known) print("loglevel: debug, info, warn or error\n");
  } else if (equals(cmd, "sched")) {
    const auto s = sched::stats();
    print("context switches {} ({} handoffs), preemptions {}, timer interrupts {}\n",
          s.context_switches, s.handoffs, s.preemptions, s.timer_interrupts);
  } else {
    print("unknown command '{}'; try 'help'\n", cmd);
  }
}

}  // namespace

bool init() { return arch::console_set_input_handler(on_input); }

void run(Channel* control, Channel* serial) {
  control_channel = control;
  // The output thread first: no channel may hold the port without it.
  if (serial && start_thread("serial-out", write_output, nullptr))
    start_thread("serial-holders", take_holders, serial);
  print("Stellina kernel console. Type 'help' for commands.\n");
  char line[128];
  for (;;) {
    bool switched = false;
    const uint64_t epoch = forward_while_held(&switched);
    if (switched) print("\nkernel console; 'exit' or Ctrl-D returns to the shell\n");
    print("stellina> ");
    if (read_line(line, sizeof(line), epoch)) run_command(line);
  }
}

}  // namespace kernel::console
