// The Linux personality, driven from the kernel command line by tests/linux/linux_run.py:
// manual_linux_run starts the Linux program linux_run= from the boot archive (given to the
// kernel as its initrd) with the arguments linux_argv= and the environment linux_env= (each
// a comma-separated list), feeds it linux_stdin= (commas become newlines, a newline ends it),
// and prints what it writes to stdout and stderr as "linux-out: LINE" and "linux-err: LINE",
// then "linux-exit: CODE DETAIL" (the ProcessExit's: "exit", or the fault that ended it). The
// script compares those lines with the same program run on the host. linux_silo_threads=
// and linux_silo_pages= run it in a silo with those limits (a fork bomb's test).

#include <stellina/messages.h>

#include "kernel/boot_info.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/linux/linux_start.h"
#include "kernel/silo.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr size_t kOption = 256;

// The option's value with commas turned into separators (sep), into out; its length with a
// final separator (0 when the option is absent or empty).
size_t option_list(const char* key, char separator, char* out, size_t capacity) {
  char value[kOption] = {};
  if (!boot_info().option(key, value, sizeof(value)) || value[0] == '\0') return 0;
  size_t n = 0;
  for (; value[n] && n + 1 < capacity; ++n) out[n] = value[n] == ',' ? separator : value[n];
  out[n++] = separator;
  return n;
}

size_t count_of(const char* s, size_t n, char c) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) k += s[i] == c;
  return k;
}

// Prints the complete lines of stream's bytes in [data, data + n), keeping an unfinished
// last line in line/used for the next call (flush prints it).
struct LinePrinter {
  const char* label;
  char line[512] = {};
  size_t used = 0;
  void feed(const uint8_t* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (data[i] == '\n' || used + 1 == sizeof(line)) {
        flush();
        if (data[i] == '\n') continue;
      }
      line[used++] = static_cast<char>(data[i]);
    }
  }
  void flush() {
    line[used] = '\0';
    print("{}: {}\n", label, line);
    used = 0;
  }
};

void send_bytes(Channel* ch, const char* bytes, size_t n) {
  auto m = Message::create(MessageKind::Data, 0, static_cast<uint32_t>(n));
  KASSERT(m.ok());
  __builtin_memcpy(m.value()->data, bytes, n);
  SpinlockGuard guard(sched_lock);
  KASSERT(ch->send(m.value()).ok());
}

uint64_t option_number(const char* key) {
  char value[32] = {};
  if (!boot_info().option(key, value, sizeof(value))) return 0;
  uint64_t n = 0;
  for (const char* c = value; *c >= '0' && *c <= '9'; ++c) n = n * 10 + uint64_t(*c - '0');
  return n;
}

// A silo with the limits the command line asks for, or none (the root's).
Ref<Silo> limited_silo() {
  const abi::SiloLimits limits{option_number("linux_silo_pages"),
                               static_cast<uint32_t>(option_number("linux_silo_threads")), 0};
  if (!limits.memory_pages && !limits.threads) return Ref<Silo>();
  auto made = Silo::create(Silo::root(), limits);
  return made.ok() ? Ref<Silo>::adopt(made.value()) : Ref<Silo>();
}

}  // namespace

KTEST(manual_linux_run) {
  char program[64] = {};
  KREQUIRE(boot_info().option("linux_run", program, sizeof(program)));
  char strings[2 * kOption] = {};
  const size_t argv_size = option_list("linux_argv", '\0', strings, kOption);
  const size_t env_size = option_list("linux_env", '\0', strings + argv_size, kOption);
  KREQUIRE(argv_size > 0);
  const LinuxStart start{strings, argv_size + env_size,
                         static_cast<uint32_t>(count_of(strings, argv_size, '\0')),
                         static_cast<uint32_t>(count_of(strings + argv_size, env_size, '\0'))};

  Pair in = make_pair(), out = make_pair(), err = make_pair(), exit = make_pair();
  char input[kOption] = {};
  const size_t input_size = option_list("linux_stdin", '\n', input, sizeof(input));
  if (input_size) send_bytes(in.kernel_end.get(), input, input_size);
  drop(in.kernel_end);  // end of input after it

  const SpawnHandle handles[] = {{in.user_end.get(), abi::kRightRead | abi::kRightWait},
                                 {out.user_end.get(), abi::kRightWrite | abi::kRightWait},
                                 {err.user_end.get(), abi::kRightWrite | abi::kRightWait}};
  auto p = spawn_from_archive(program, handles, 3, exit.user_end, limited_silo(), &start);
  KREQUIRE(p.ok());
  drop(in.user_end, out.user_end, err.user_end, exit.user_end);

  // stdout and stderr are read in turn until both are closed (the process ended).
  LinePrinter out_lines{"linux-out", {}, 0}, err_lines{"linux-err", {}, 0};
  Channel* streams[2] = {out.kernel_end.get(), err.kernel_end.get()};
  LinePrinter* printers[2] = {&out_lines, &err_lines};
  bool open[2] = {true, true};
  const uint64_t deadline = arch::now_ns() + 60 * kSecond;
  while ((open[0] || open[1]) && arch::now_ns() < deadline) {
    for (int s = 0; s < 2; ++s) {
      if (!open[s]) continue;
      Message* m = next_message(streams[s], kSecond / 100);
      if (m) {
        printers[s]->feed(m->data, m->data_size);
        free_message(m);
        continue;
      }
      SpinlockGuard guard(sched_lock);
      if (streams[s]->peer_closed() && !streams[s]->peek()) open[s] = false;
    }
  }
  for (int s = 0; s < 2; ++s)
    if (printers[s]->used) printers[s]->flush();
  abi::ProcessExit e{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &e));
  // Whether the status is right is the script's to judge: a program may be meant to fault.
  print("linux-exit: {} {}\n", e.code, e.detail);
  drop(out.kernel_end, err.kernel_end, exit.kernel_end);
  drop(p.value());
}

// tests/user/linuxspawn.cc: a Stellina program starts busybox (both from the linux archive)
// through process_spawn with the Linux personality, reads its stdout and checks its exit.
KTEST(manual_linux_spawn) {
  (void)LogObject::get();  // the log object lives forever: make it first
  auto made = Silo::create(Silo::root(), {});
  KREQUIRE(made.ok());
  Ref<Silo> silo = Ref<Silo>::adopt(made.value());
  Pair exit = make_pair();
  const SpawnHandle handles[] = {{LogObject::get(), abi::kRightWrite},
                                 {silo.get(), abi::kRightManage | abi::kRightRead}};
  auto p = spawn_from_archive("linuxspawn", handles, 2, exit.user_end, silo);
  KREQUIRE(p.ok());
  abi::ProcessExit e{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &e));
  if (e.code) print("ktest:   linuxspawn: step {} failed ({})\n", e.code, e.detail);
  KEXPECT(e.reason == abi::ExitReason::Exited && e.code == 0);
  Ref<Process> process = p.release_value();
  drop(process, exit.kernel_end, exit.user_end, silo);
}

}  // namespace kernel
