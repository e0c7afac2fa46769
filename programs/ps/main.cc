// ps: the components (status: processes), each with its state, process id while it runs,
// declared silo, memory, threads, live processes (itself and the programs it started) and
// CPU time. Every component is listed, as with -e.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: ps [-eAf]\n"
    "  -e, -A  every component (the default: all are listed)\n"
    "  -f      full: also isolation, limits, restarts and the last exit\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "eAf");
  bool full = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    if (opt == 'f') full = true;
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  lib::StringView answer;
  if (!status.ask(c, "processes", &answer)) return c.finish(1);

  cmd::Output& out = c.out();
  if (full) {
    out.print("{:>5} {:<10} {:<9} {:<10} {:>17} {:>7} {:>5} {:>8} {:>10} {:<10} {}\n", "PID",
              "STATE", "ISOLATION", "SILO", "MEM KiB", "THREADS", "PROCS", "RESTARTS", "TIME",
              "LAST-EXIT", "NAME");
  } else {
    out.print("{:>5} {:<10} {:<10} {:>8} {:>7} {:>5} {:>10} {}\n", "PID", "STATE", "SILO",
              "MEM KiB", "THREADS", "PROCS", "TIME", "NAME");
  }
  cmd::sys::Lines lines(answer);
  size_t bad = 0;
  for (lib::StringView line; lines.next(&line);) {
    cmd::sys::ComponentRow r;
    if (!cmd::sys::parse_component(line, &r)) {
      ++bad;
      continue;
    }
    char pid[24] = "-";
    if (r.pid) lib::format_to(pid, sizeof(pid), "{}", r.pid);
    char time[32];
    cmd::sys::format_cpu_time(r.cpu_ns, false, time, sizeof(time));
    if (full) {
      char memory[48], threads[32];
      lib::format_to(memory, sizeof(memory), "{}/{}", r.memory_bytes / 1024,
                     r.memory_limit_bytes / 1024);
      lib::format_to(threads, sizeof(threads), "{}/{}", r.threads, r.thread_limit);
      out.print("{:>5} {:<10} {:<9} {:<10} {:>17} {:>7} {:>5} {:>8} {:>10} {:<10} {}\n",
                static_cast<const char*>(pid), r.state, r.isolation, r.silo,
                static_cast<const char*>(memory), static_cast<const char*>(threads), r.processes,
                r.restarts, static_cast<const char*>(time), r.last_exit, r.name);
    } else {
      out.print("{:>5} {:<10} {:<10} {:>8} {:>7} {:>5} {:>10} {}\n", static_cast<const char*>(pid),
                r.state, r.silo, r.memory_bytes / 1024, r.threads, r.processes,
                static_cast<const char*>(time), r.name);
    }
  }
  if (bad) return c.fail("status: processes: {} line{} not understood", bad, bad == 1 ? "" : "s");
  return c.finish(0);
}
