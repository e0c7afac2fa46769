// svc: the components and silos as the startup server manages them (servers/startup/README.md),
// and programs run in a silo of their own. Subcommands:
//   list, silos                          tables from status: processes and status: silos
//   start|stop|kill|restart NAME         the control commands of the same names
//   limits NAME [PAGES THREADS]          its silo's limits, shown or changed (control limits)
//   log NAME [N]                         its records among the kernel log's newest
//   run [options] PROG [ARGS...]         PROG in a new silo below this program's own, with
//                                        these limits; waits for it and exits with its status
#include <stellina/silo.h>
#include <stellina/status.h>

#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: svc list\n"
    "       svc silos\n"
    "       svc start|stop|kill|restart NAME\n"
    "       svc limits NAME [PAGES THREADS]\n"
    "       svc log NAME [N]\n"
    "       svc run [--silo NAME] [--memory N[K|M|G]] [--threads N] [--cpu PERCENT] PROG [ARG...]\n"
    "  list    the components: state, process id, silo, memory, threads, processes, CPU time\n"
    "  silos   the declared silos: memory and threads used of their limits, CPU cap and time\n"
    "  limits  a component's silo limits (4 KiB pages, threads); with numbers, sets them\n"
    "  log     the component's records among the kernel log's newest (the last N)\n"
    "  run     PROG (found in PATH) in a new silo below this one, with run's stdin, stdout and\n"
    "          stderr; exits with its status, or 128+9 (killed, memory quota) or 128+11 (fault)\n"
    "          with a line saying how it ended. --silo names the silo in those lines\n";

constexpr uint64_t kPageBytes = 4096;
constexpr uint64_t kMaxThreads = 1u << 20;

namespace abi = stellina::abi;

int64_t list(cmd::Command& c) {
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  lib::StringView answer;
  if (!status.ask(c, "processes", &answer)) return c.finish(1);
  cmd::Output& out = c.out();
  constexpr const char* kRow = "{:<12} {:<10} {:>5} {:<10} {:>8} {:>17} {:>9} {:>5} {:>10}  {}\n";
  out.print(kRow, "NAME", "STATE", "PID", "SILO", "RESTARTS", "MEM KiB", "THREADS", "PROCS",
            "CPU ms", "LAST-EXIT");
  cmd::sys::Lines lines(answer);
  for (lib::StringView line; lines.next(&line);) {
    cmd::sys::ComponentRow r;
    if (!cmd::sys::parse_component(line, &r)) continue;
    char pid[24] = "-", memory[48], threads[32];
    if (r.pid) lib::format_to(pid, sizeof(pid), "{}", r.pid);
    lib::format_to(memory, sizeof(memory), "{}/{}", r.memory_bytes / 1024,
                   r.memory_limit_bytes / 1024);
    lib::format_to(threads, sizeof(threads), "{}/{}", r.threads, r.thread_limit);
    out.print(kRow, r.name, r.state, static_cast<const char*>(pid), r.silo, r.restarts,
              static_cast<const char*>(memory), static_cast<const char*>(threads), r.processes,
              r.cpu_ns / 1'000'000, r.last_exit);
  }
  return c.finish(0);
}

int64_t silos(cmd::Command& c) {
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  lib::StringView answer;
  if (!status.ask(c, "silos", &answer)) return c.finish(1);
  constexpr const char* kRow = "{:<12} {:>17} {:>9} {:>9} {:>5} {:>10} {:>8} {:>9}\n";
  c.out().print(kRow, "SILO", "MEM KiB", "PEAK KiB", "THREADS", "CPU%", "CPU ms", "REFUSED",
                "THROTTLED");
  cmd::sys::Lines lines(answer);
  for (lib::StringView line; lines.next(&line);) {
    cmd::sys::SiloRow s;
    if (!cmd::sys::parse_silo(line, &s)) continue;
    char memory[48], threads[32];
    lib::format_to(memory, sizeof(memory), "{}/{}", s.memory_kib, s.memory_limit_kib);
    lib::format_to(threads, sizeof(threads), "{}/{}", s.threads, s.thread_limit);
    c.out().print(kRow, s.name, static_cast<const char*>(memory), s.peak_kib,
                  static_cast<const char*>(threads), s.cpu_percent, s.cpu_ms, s.refusals,
                  s.throttled);
  }
  return c.finish(0);
}

// A control command with the component's name (and more words); quiet on success.
int64_t control(cmd::Command& c, lib::StringView verb, lib::StringView name,
                lib::StringView more = "") {
  if (name.size() > 64 || name.find(' ') != lib::StringView::kNpos || name.empty())
    return c.fail("{}: not a component name", name);
  cmd::sys::TextService control;
  if (!control.open(c, "control")) return c.finish(1);
  char command[160];
  const size_t n = lib::format_to(command, sizeof(command), "{} {}{}{}", verb, name,
                                  more.empty() ? "" : " ", more);
  if (n >= sizeof(command)) return c.fail("{}: too long", name);
  lib::StringView answer;
  if (!control.ask(c, lib::StringView(command, n), &answer)) return c.finish(1);
  return c.finish(0);
}

// The component's line of status: processes (false, with a message, if there is none).
bool find_component(cmd::Command& c, cmd::sys::TextService& status, lib::StringView name,
                    cmd::sys::ComponentRow* out) {
  lib::StringView answer;
  if (!status.ask(c, "processes", &answer)) return false;
  cmd::sys::Lines lines(answer);
  for (lib::StringView line; lines.next(&line);) {
    if (cmd::sys::parse_component(line, out) && out->name == name) return true;
  }
  c.error("no component '{}'", name);
  return false;
}

int64_t limits(cmd::Command& c, size_t at) {
  stellina::ProgramEnv& p = c.env();
  const lib::StringView name = p.arg(at);
  if (p.argc() == at + 3) {
    uint64_t pages = 0, threads = 0;
    if (!cmd::parse_u64(p.arg(at + 1), &pages) || pages == 0 || pages > UINT32_MAX)
      return c.fail("bad page count '{}'", p.arg(at + 1));
    if (!cmd::parse_u64(p.arg(at + 2), &threads) || threads == 0 || threads > UINT32_MAX)
      return c.fail("bad thread count '{}'", p.arg(at + 2));
    char more[48];
    const size_t n = lib::format_to(more, sizeof(more), "{} {}", pages, threads);
    return control(c, "limits", name, lib::StringView(more, n));
  }
  if (p.argc() != at + 1) return c.usage_error();
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  cmd::sys::ComponentRow r;
  if (!find_component(c, status, name, &r)) return c.finish(1);
  c.out().print("{}: memory {} pages ({} KiB), using {} KiB; threads {}, using {}\n", r.name,
                r.memory_limit_bytes / kPageBytes, r.memory_limit_bytes / 1024,
                r.memory_bytes / 1024, r.thread_limit, r.threads);
  return c.finish(0);
}

int64_t log(cmd::Command& c, size_t at) {
  stellina::ProgramEnv& p = c.env();
  const lib::StringView name = p.arg(at);
  uint64_t wanted = UINT64_MAX;
  if (p.argc() == at + 2) {
    if (!cmd::parse_u64(p.arg(at + 1), &wanted)) return c.fail("bad count '{}'", p.arg(at + 1));
  } else if (p.argc() != at + 1) {
    return c.usage_error();
  }
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  char command[16];
  const size_t size = lib::format_to(command, sizeof(command), "log {}", abi::kMaxStatusLogLines);
  lib::StringView answer;
  if (!status.ask(c, lib::StringView(command, size), &answer)) return c.finish(1);
  // Two passes: count the component's lines, then print the last `wanted` of them.
  size_t total = 0;
  cmd::sys::LogLine l;
  cmd::sys::Lines count(answer);
  for (lib::StringView line; count.next(&line);)
    total += cmd::sys::parse_log_line(line, &l) && l.source == name;
  size_t skip = wanted >= total ? 0 : total - static_cast<size_t>(wanted);
  cmd::sys::Lines lines(answer);
  for (lib::StringView line; lines.next(&line);) {
    if (!cmd::sys::parse_log_line(line, &l) || l.source != name) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    c.out().print("{}\n", line);
  }
  return c.finish(0);
}

// How a program ran by run ended, as its exit status (sh's numbering: 128 + 9 for a kill,
// 128 + 11 for a fault), with a line on stderr when it did not exit by itself.
int64_t ending(cmd::Command& c, lib::StringView prog, lib::StringView silo,
               const abi::ProcessExit& e) {
  char where[96] = "";
  if (!silo.empty()) lib::format_to(where, sizeof(where), " (silo {})", silo);
  switch (e.reason) {
    case abi::ExitReason::Exited: return e.code & 0xff;
    case abi::ExitReason::Fault:
      c.error("{}{}: fault: {} at {:#x}, address {:#x}", prog, static_cast<const char*>(where),
              static_cast<const char*>(e.detail), e.pc, e.address);
      return 128 + 11;
    case abi::ExitReason::Killed:
      c.error("{}{}: killed", prog, static_cast<const char*>(where));
      return 128 + 9;
    case abi::ExitReason::QuotaExceeded:
      c.error("{}{}: killed: over its silo's limits ({})", prog, static_cast<const char*>(where),
              static_cast<const char*>(e.detail));
      return 128 + 9;
  }
  c.error("{}: ended in an unknown way", prog);
  return 128 + 9;
}

lib::StringView args_storage[abi::kProgramMaxArgs];
lib::StringView env_storage[abi::kProgramMaxEnv];

int64_t run(cmd::Command& c, size_t at) {
  stellina::ProgramEnv& p = c.env();
  lib::StringView silo_name;
  uint64_t memory = 0, threads = 0, cpu = 0;
  bool has_memory = false, has_threads = false, has_cpu = false;
  // Options: --NAME VALUE or --NAME=VALUE, up to the program's name.
  for (; at < p.argc(); ++at) {
    lib::StringView a = p.arg(at);
    if (a == "--") {
      ++at;
      break;
    }
    if (!a.starts_with("--")) break;
    lib::StringView value;
    const size_t eq = a.find('=');
    if (eq != lib::StringView::kNpos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else {
      if (at + 1 >= p.argc()) {
        c.error("option {} needs a value", a);
        return c.usage_error();
      }
      value = p.arg(++at);
    }
    if (a == "--silo") {
      silo_name = value;
    } else if (a == "--memory") {
      if (!cmd::sys::parse_size(value, &memory)) return c.fail("bad memory size '{}'", value);
      has_memory = true;
    } else if (a == "--threads") {
      if (!cmd::parse_u64(value, &threads) || threads == 0 || threads > kMaxThreads)
        return c.fail("bad thread count '{}'", value);
      has_threads = true;
    } else if (a == "--cpu") {
      if (!cmd::parse_u64(value, &cpu) || cpu == 0 || cpu > 100)
        return c.fail("bad CPU percentage '{}' (1 to 100)", value);
      has_cpu = true;
    } else {
      c.error("unknown option '{}'", a);
      return c.usage_error();
    }
  }
  if (at >= p.argc()) {
    c.error("no program named");
    return c.usage_error();
  }
  const lib::StringView prog = p.arg(at);
  if (p.silo() == abi::kInvalidHandle) return c.fail("{}: no silo to start programs in", prog);

  // Limits not given are the parent's (a child may not be unlimited below a limited parent).
  abi::SiloStats parent{};
  const bool known = stellina::sys::silo_stats(p.silo(), &parent) == abi::kOk;
  abi::SiloLimits limits{};
  limits.memory_pages = has_memory ? (memory + kPageBytes - 1) / kPageBytes
                                   : (known ? parent.limits.memory_pages : 0);
  limits.threads =
      has_threads ? static_cast<uint32_t>(threads) : (known ? parent.limits.threads : 0);
  limits.cpu_percent =
      has_cpu ? static_cast<uint32_t>(cpu) : (known ? parent.limits.cpu_percent : 0);
  const int64_t made = stellina::sys::silo_create(p.silo(), &limits);
  if (made < 0) {
    return c.fail("cannot make a silo: {}{}",
                  stellina::status_name(static_cast<stellina::Status>(made)),
                  made == abi::kErrInvalidArgument ? " (limits above this program's own?)" : "");
  }
  stellina::OwnedHandle silo(static_cast<abi::Handle>(made));

  char path[abi::kFileMaxPath];
  const lib::StringView search = p.env("PATH").value_or("/bin");
  const stellina::Result<size_t> found = stellina::find_program(p.files(), prog, search, path);
  if (!found.ok()) {
    if (found.error() == abi::kErrNotFound) {
      c.error("{}: command not found", prog);
      return c.finish(127);
    }
    c.error_at(prog, found.error());
    return c.finish(126);
  }

  stellina::SpawnOptions o;
  if (const stellina::Result<void> r = p.pass_on(o); !r.ok())
    return c.fail("{}: cannot pass on the namespace: {}", prog, stellina::status_name(r.error()));
  o.silo = silo.get();
  const int64_t copy = stellina::sys::handle_duplicate(silo.get(), abi::kRightsAll);
  o.child_silo.reset(copy < 0 ? abi::kInvalidHandle : static_cast<abi::Handle>(copy));
  size_t argc = 0;
  for (size_t i = at + 1; i < p.argc() && argc < abi::kProgramMaxArgs - 1; ++i)
    args_storage[argc++] = p.arg(i);
  size_t envc = 0;
  for (size_t i = 0; i < p.env_count() && envc < abi::kProgramMaxEnv; ++i)
    env_storage[envc++] = p.env_entry(i);
  o.args = std::span<const lib::StringView>(args_storage, argc);
  o.env = std::span<const lib::StringView>(env_storage, envc);
  c.out().flush();  // nothing of run's own may follow the program's output out of order
  o.in = static_cast<stellina::Channel&&>(p.in().channel());
  o.out = static_cast<stellina::Channel&&>(p.out().channel());
  // stderr is shared when it can be (a copy of the handle goes to PROG), so that svc can
  // still say how PROG ended; otherwise it is moved, and that line is lost.
  abi::HandleInfo info{};
  const abi::Handle err = p.err().channel().get();
  const int64_t shared =
      stellina::sys::handle_query(err, &info) == abi::kOk && (info.rights & abi::kRightDuplicate)
          ? stellina::sys::handle_duplicate(err, info.rights)
          : abi::kErrAccessDenied;
  if (shared >= 0) {
    o.err = stellina::Channel(static_cast<abi::Handle>(shared));
  } else {
    o.err = static_cast<stellina::Channel&&>(p.err().channel());
  }
  stellina::Result<stellina::Program> started =
      stellina::spawn_program(p.files(), lib::StringView(path, found.value()), o);
  if (!started.ok()) {
    // The streams may have gone with the attempt: say it where it can still be seen.
    if (!p.err().valid() && o.err.valid()) p.err().reset(static_cast<stellina::Channel&&>(o.err));
    c.error_at(prog, started.error());
    return 126;
  }
  const stellina::Result<abi::ProcessExit> e = started.value().wait();
  if (!e.ok()) return 128 + 9;
  return ending(c, prog, silo_name, e.value());
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  if (c.name() == "run") return run(c, 1);  // /bin/run is svc run under its own name
  if (p.argc() < 2) {
    c.error("no subcommand");
    return c.usage_error();
  }
  const lib::StringView sub = p.arg(1);
  if (sub == "--help" || sub == "help") return c.help();
  if (sub == "list" && p.argc() == 2) return list(c);
  if (sub == "silos" && p.argc() == 2) return silos(c);
  if ((sub == "start" || sub == "stop" || sub == "kill" || sub == "restart") && p.argc() == 3)
    return control(c, sub, p.arg(2));
  if (sub == "limits" && p.argc() >= 3) return limits(c, 2);
  if (sub == "log" && p.argc() >= 3) return log(c, 2);
  if (sub == "run") return run(c, 2);
  if (sub == "list" || sub == "silos" || sub == "start" || sub == "stop" || sub == "kill" ||
      sub == "restart" || sub == "limits" || sub == "log") {
    c.error("{}: wrong number of operands", sub);
  } else {
    c.error("unknown subcommand '{}'", sub);
  }
  return c.usage_error();
}
