// uptime: how long the system has been up (status: uptime), after the wall clock's time of
// day, and how many components run (Stellina keeps no load average and has no users).
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: uptime [-p|-s]\n"
    "  -p  pretty: up 2 hours, 3 minutes\n"
    "  -s  since: the date and time it came up (yyyy-mm-dd HH:MM:SS, UTC)\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "ps");
  char mode = 0;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    mode = static_cast<char>(opt);
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  lib::StringView answer;
  uint64_t ms = 0;
  if (!status.ask(c, "uptime", &answer)) return c.finish(1);
  if (!cmd::sys::parse_uptime(answer, &ms)) return c.fail("status: uptime: unexpected answer");
  const uint64_t now_s = stellina::sys::clock_wall() / 1'000'000'000;
  char text[64];
  if (mode == 'p') {
    const size_t n = cmd::sys::format_up_pretty(ms, text, sizeof(text));
    c.out().print("{}\n", lib::StringView(text, n));
    return c.finish(0);
  }
  if (mode == 's') {
    const size_t n =
        cmd::sys::format_date_time(now_s > ms / 1000 ? now_s - ms / 1000 : 0, text, sizeof(text));
    c.out().print("{}\n", lib::StringView(text, n));
    return c.finish(0);
  }
  size_t running = 0;
  // The count is a nicety: a startup server without the view (or an error) gives 0.
  if (const stellina::Result<lib::StringView> table = status.ask("processes"); table.ok()) {
    cmd::sys::Lines lines(table.value());
    for (lib::StringView line; lines.next(&line);) {
      cmd::sys::ComponentRow r;
      if (cmd::sys::parse_component(line, &r) && r.state == "running") ++running;
    }
  }
  const uint64_t in_day = now_s % 86400;
  const size_t n = cmd::sys::format_up(ms, text, sizeof(text));
  c.out().print(" {:02}:{:02}:{:02} up {},  {} component{} running\n", in_day / 3600,
                in_day / 60 % 60, in_day % 60, lib::StringView(text, n), running,
                running == 1 ? "" : "s");
  return c.finish(0);
}
