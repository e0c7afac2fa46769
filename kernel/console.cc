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

// Bytes from the serial interrupt, consumed by the console thread.
char input[256] GUARDED_BY(sched_lock);
size_t input_head GUARDED_BY(sched_lock) = 0;
size_t input_tail GUARDED_BY(sched_lock) = 0;
size_t input_dropped GUARDED_BY(sched_lock) = 0;
WaitQueue input_ready;

void on_input(char c) {
  SpinlockGuard guard(sched_lock);
  if (input_head - input_tail == sizeof(input)) {
    ++input_dropped;
    return;
  }
  input[input_head++ % sizeof(input)] = c;
  input_ready.wake_one();
}

char read_char() {
  SpinlockGuard guard(sched_lock);
  while (input_head == input_tail) (void)input_ready.wait();
  return input[input_tail++ % sizeof(input)];
}

size_t read_line(char* line, size_t capacity) {
  size_t n = 0;
  for (;;) {
    const char c = read_char();
    if (c == '\r' || c == '\n') {
      print("\n");
      line[n] = '\0';
      return n;
    }
    if ((c == 0x7f || c == '\b') && n > 0) {
      --n;
      print("\b \b");
    } else if (c >= ' ' && c < 0x7f && n + 1 < capacity) {
      line[n++] = c;
      print("{}", c);
    }
  }
}

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

void show_thread(const Thread& t, void*) {
  print("{:>4} {:<16} {:>4} {:<8} {:>10}\n", t.id(), t.name(), t.priority(),
        thread_state_name(t.state()), t.runtime_ns() / 1000);
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

void run_command(const char* cmd) {
  if (equals(cmd, "")) return;
  if (equals(cmd, "help")) {
    print("commands: help uptime mem threads log sched ctl reboot shutdown\n");
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
  } else if (equals(cmd, "threads")) {
    print("{:>4} {:<16} {:>4} {:<8} {:>10}\n", "id", "name", "prio", "state", "cpu_us");
    Thread::for_each(show_thread, nullptr);
  } else if (equals(cmd, "log")) {
    log_for_each(0, show_record, nullptr);
  } else if (equals(cmd, "sched")) {
    const auto s = sched::stats();
    print("context switches {}, preemptions {}, timer interrupts {}\n", s.context_switches,
          s.preemptions, s.timer_interrupts);
  } else {
    print("unknown command '{}'; try 'help'\n", cmd);
  }
}

}  // namespace

void run(Channel* control) {
  control_channel = control;
  arch::console_set_input_handler(on_input);
  print("Stellina kernel console. Type 'help' for commands.\n");
  char line[128];
  for (;;) {
    print("stellina> ");
    read_line(line, sizeof(line));
    run_command(line);
  }
}

}  // namespace kernel::console
