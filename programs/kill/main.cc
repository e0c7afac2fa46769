// kill: ends components through the startup server's control channel (`kill NAME`: as a
// crash would, so its restart policy applies). An operand is a component's name, or the
// process id ps shows for it. Stellina has no signals but the kill: TERM (the default),
// KILL, INT, HUP and QUIT all end the component; 0 only checks that it runs.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: kill [-s SIGNAL | -SIGNAL] NAME|PID...\n"
    "       kill -l [NUMBER...]\n"
    "  -s SIGNAL, -SIGNAL  TERM (the default), KILL, INT, HUP, QUIT: end it; 0: does it run?\n"
    "  -l                  the signals' names, or the name of each NUMBER (or exit status)\n";

int64_t list(cmd::Command& c, size_t from) {
  stellina::ProgramEnv& p = c.env();
  if (from >= p.argc()) {
    for (uint64_t n = 1; n <= cmd::sys::kMaxSignal; ++n) {
      const lib::StringView name = cmd::sys::signal_name(n);
      if (!name.empty()) c.out().print("{}\n", name);
    }
    return c.finish(0);
  }
  int64_t code = 0;
  for (size_t i = from; i < p.argc(); ++i) {
    uint64_t n = 0;
    if (cmd::parse_u64(p.arg(i), &n)) {
      if (n > 128 && n <= 128 + cmd::sys::kMaxSignal) n -= 128;  // an exit status
      const lib::StringView name = cmd::sys::signal_name(n);
      if (!name.empty()) {
        c.out().print("{}\n", name);
        continue;
      }
    } else if (const uint64_t k = cmd::sys::signal_number(p.arg(i)); k != 0) {
      c.out().print("{}\n", k);
      continue;
    }
    c.error("unknown signal '{}'", p.arg(i));
    code = 1;
  }
  return c.finish(code);
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  uint64_t signal = 15;
  size_t i = 1;
  // Options by hand: -9 and -KILL are signals, which getopt would take for letters.
  for (; i < p.argc(); ++i) {
    const lib::StringView a = p.arg(i);
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--help") return c.help();
    if (a.size() < 2 || a[0] != '-') break;
    if (a == "-l" || a == "-L") return list(c, i + 1);
    lib::StringView name;
    if (a == "-s" || a == "-n") {
      if (i + 1 >= p.argc()) {
        c.error("option {} needs a value", a);
        return c.usage_error();
      }
      name = p.arg(++i);
    } else {
      name = a.substr(1);
    }
    signal = name == "0" ? 0 : cmd::sys::signal_number(name);
    if (signal == 0 && name != "0") {
      c.error("unknown signal '{}'", name);
      return c.usage_error();
    }
  }
  if (i >= p.argc()) {
    c.error("no component named");
    return c.usage_error();
  }
  if (signal != 0 && signal != 15 && signal != 9 && signal != 2 && signal != 1 && signal != 3)
    return c.fail("SIG{}: not supported (only ending a component is)",
                  cmd::sys::signal_name(signal));

  cmd::sys::TextService status, control;
  if (!status.open(c, "status:")) return c.finish(1);
  lib::StringView answer;
  if (!status.ask(c, "processes", &answer)) return c.finish(1);
  // answer (and the names in it) stays in status's buffer: status is asked nothing else.
  int64_t code = 0;
  for (; i < p.argc(); ++i) {
    const lib::StringView target = p.arg(i);
    uint64_t pid = 0;
    const bool by_pid = cmd::parse_u64(target, &pid);
    cmd::sys::ComponentRow found;
    bool any = false;
    cmd::sys::Lines lines(answer);
    for (lib::StringView line; lines.next(&line);) {
      cmd::sys::ComponentRow r;
      if (!cmd::sys::parse_component(line, &r)) continue;
      if (by_pid ? (r.pid == pid && pid != 0) : r.name == target) {
        found = r;
        any = true;
        break;
      }
    }
    if (!any) {
      c.error("({}) - {}", target, by_pid ? "No such process" : "No such component");
      code = 1;
      continue;
    }
    if (signal == 0) {
      if (found.state != "running") {
        c.error("({}) - not running", target);
        code = 1;
      }
      continue;
    }
    if (!control.valid() && !control.open(c, "control")) return c.finish(1);
    char command[96];
    const size_t n = lib::format_to(command, sizeof(command), "kill {}", found.name);
    lib::StringView reply;
    if (!control.ask(c, lib::StringView(command, n < sizeof(command) ? n : sizeof(command) - 1),
                     &reply)) {
      code = 1;
    }
  }
  return c.finish(code);
}
