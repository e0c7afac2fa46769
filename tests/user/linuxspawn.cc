// Starts a Linux program the way any Stellina program may: process_spawn with the Linux
// personality (abi/stellina/process.h). busybox, by name from the boot archive, with the
// arguments `echo started-by-process_spawn`, an environment, an empty stdin and a channel as
// its stdout; reads what it prints and waits for it to end, in a silo made for it, which is
// empty afterwards. Then busybox `cat` on a terminal the kernel makes (linux_terminal): what
// is typed with linux_tty_input (at most 512 bytes at once) is echoed, and Ctrl-C ends cat
// with SIGINT; typing at a process without a terminal, or past the bound, is refused.
// Handles: log, a silo (manage, read). Exits 0 if all went so, else the number of the
// failed step.
#include "user_test.h"

using namespace test;

namespace {

constexpr char kExpected[] = "started-by-process_spawn\n";

bool same(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// A Linux program from the boot archive started in box with stdin and stdout given and
// terminal as its linux_terminal: its process handle, or the error.
int64_t spawn_linux(abi::Handle box, const char* strings, size_t size, uint32_t argc,
                    abi::Handle in, abi::Handle out, uint32_t terminal) {
  abi::SpawnRequest request{};
  request.name = "busybox";
  request.name_size = 7;
  request.isolation = abi::Isolation::User;
  request.image = abi::kInvalidHandle;
  request.handle_count = 2;
  request.handles[0] = in;
  request.handles[1] = out;
  request.personality = abi::Personality::Linux;
  request.linux_argc = argc;
  request.linux_envc = 1;
  request.linux_strings = strings;
  request.linux_strings_size = size;
  request.linux_terminal = terminal;
  return sys::process_spawn(box, &request);
}

// Reads size bytes from ch into out: 0 if they came, else -1.
int read_exactly(abi::Handle ch, char* out, uint32_t size) {
  for (uint32_t got = 0; got < size;) {
    char chunk[1024];
    abi::MessageBuffer m = data_message(chunk, sizeof(chunk));
    if (receive(ch, m) != abi::kOk || m.kind != abi::MessageKind::Data || got + m.data_size > size)
      return -1;
    for (uint32_t i = 0; i < m.data_size; ++i) out[got + i] = chunk[i];
    got += m.data_size;
  }
  return 0;
}

// busybox cat on a terminal of its own: 512 bytes typed are echoed, 513 are too many, Ctrl-C
// echoes ^C and ends it with SIGINT. Returns 0, or the failed step (from 20).
int64_t cat_on_a_terminal(abi::Handle box, abi::Handle ended) {
  constexpr uint32_t kMaxInput = 512;  // linux_tty_input's bound
  static uint8_t typed[kMaxInput + 1];
  for (uint8_t& c : typed) c = 'a';
  // No process but a Linux one on a terminal takes typing (the echo busybox had none).
  if (sys::linux_tty_input(ended, typed, 1) != abi::kErrNotSupported) return 20;
  abi::Handle in[2], out[2];
  if (sys::channel_create(in) != abi::kOk || sys::channel_create(out) != abi::kOk) return 21;
  const char strings[] = "busybox\0cat\0HOME=/";
  const uint32_t both = abi::kLinuxTerminalStdin | abi::kLinuxTerminalStdout;
  if (spawn_linux(box, strings, sizeof(strings), 2, in[1], out[1], 8) != abi::kErrInvalidArgument)
    return 22;  // no descriptor 3 on a terminal
  const int64_t spawned = spawn_linux(box, strings, sizeof(strings), 2, in[1], out[1], both);
  if (spawned <= 0) return 23;
  const auto cat = static_cast<abi::Handle>(spawned);
  if (sys::linux_tty_input(cat, typed, kMaxInput) != int64_t(kMaxInput)) return 24;
  if (sys::linux_tty_input(cat, typed, kMaxInput + 1) != abi::kErrTooLarge) return 25;
  static char echoed[kMaxInput + 2];
  if (read_exactly(out[0], echoed, kMaxInput) < 0 || !same(echoed, (const char*)typed, kMaxInput))
    return 26;
  const uint8_t interrupt = 3;
  if (sys::linux_tty_input(cat, &interrupt, 1) != 1) return 27;
  if (read_exactly(out[0], echoed, 2) < 0 || !same(echoed, "^C", 2)) return 28;
  if (sys::object_wait(cat, abi::kSignalTerminated) < 0) return 29;
  abi::ProcessInfo info{};
  if (sys::process_info(cat, &info) != abi::kOk) return 30;
  if (info.exit.reason != abi::ExitReason::Killed || info.exit.address != 2) return 31;  // SIGINT
  if (sys::linux_tty_input(cat, &interrupt, 1) != abi::kErrNotSupported) return 32;
  return 0;
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count != 2) return 1;
  const abi::Handle log_h = startup.handles[0], silo = startup.handles[1];
  const abi::SiloLimits limits{1024, 2, 0};
  const int64_t made_silo = sys::silo_create(silo, &limits);
  if (made_silo <= 0) return 2;
  const auto box = static_cast<abi::Handle>(made_silo);
  abi::Handle in[2], out[2];
  if (sys::channel_create(in) != abi::kOk || sys::channel_create(out) != abi::kOk) return 3;

  const char strings[] = "busybox\0echo\0started-by-process_spawn\0HOME=/";
  const int64_t spawned = spawn_linux(box, strings, sizeof(strings), 3, in[1], out[1], 0);
  if (spawned <= 0) return 4;
  const auto process = static_cast<abi::Handle>(spawned);
  if (sys::handle_close(in[0]) != abi::kOk) return 5;  // its stdin ends at once

  char printed[64] = {};
  uint32_t got = 0;
  for (;;) {
    char chunk[64];
    abi::MessageBuffer m = data_message(chunk, sizeof(chunk));
    const int64_t r = receive(out[0], m);
    if (r == abi::kErrPeerClosed) break;
    if (r != abi::kOk || m.kind != abi::MessageKind::Data || got + m.data_size > sizeof(printed))
      return 6;
    for (uint32_t i = 0; i < m.data_size; ++i) printed[got + i] = chunk[i];
    got += m.data_size;
  }
  if (got != sizeof(kExpected) - 1 || !same(printed, kExpected, got)) return 7;
  if (sys::object_wait(process, abi::kSignalTerminated) < 0) return 8;
  abi::ProcessInfo info{};
  if (sys::process_info(process, &info) != abi::kOk) return 9;
  if (info.exit.reason != abi::ExitReason::Exited || info.exit.code != 0) return 10;
  if (const int64_t failed = cat_on_a_terminal(box, process)) return failed;
  abi::SiloStats stats{};
  if (sys::silo_stats(box, &stats) != abi::kOk || stats.processes != 0) return 11;
  log(log_h,
      "linuxspawn: busybox printed its line and exited 0; cat on a terminal echoed and took ^C");
  return 0;
}
