// Starts a Linux program the way any Stellina program may: process_spawn with the Linux
// personality (abi/stellina/process.h). busybox, by name from the boot archive, with the
// arguments `echo started-by-process_spawn`, an environment, an empty stdin and a channel as
// its stdout; reads what it prints and waits for it to end, in a silo made for it, which is
// empty afterwards. Handles: log, a silo (manage, read). Exits 0 if busybox printed the line
// and exited with 0, else the number of the failed step.
#include "user_test.h"

using namespace test;

namespace {

constexpr char kExpected[] = "started-by-process_spawn\n";

bool same(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
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
  abi::SpawnRequest request{};
  request.name = "busybox";
  request.name_size = 7;
  request.isolation = abi::Isolation::User;
  request.image = abi::kInvalidHandle;
  request.handle_count = 2;
  request.handles[0] = in[1];
  request.handles[1] = out[1];
  request.personality = abi::Personality::Linux;
  request.linux_argc = 3;
  request.linux_envc = 1;
  request.linux_strings = strings;
  request.linux_strings_size = sizeof(strings);
  const int64_t spawned = sys::process_spawn(box, &request);
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
  abi::SiloStats stats{};
  if (sys::silo_stats(box, &stats) != abi::kOk || stats.processes != 0) return 11;
  log(log_h, "linuxspawn: busybox printed its line and exited 0");
  return 0;
}
