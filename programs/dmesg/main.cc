// dmesg: the kernel log's records, oldest first, as the console prints them (status: log N:
// the newest kMaxStatusLogLines that fit in one answer).
#include <stellina/status.h>

#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: dmesg [-t] [-l LEVEL[,LEVEL...]]\n"
    "  -t  no timestamps\n"
    "  -l  only these levels: debug, info, warn, err\n";

constexpr size_t kLevels = 4;
constexpr const char* kLevelNames[kLevels] = {"debug", "info", "warn", "error"};

// Marks the levels of a comma-separated list; false on an unknown one (named in *bad).
bool parse_levels(lib::StringView list, bool* wanted, lib::StringView* bad) {
  while (true) {
    const size_t comma = list.find(',');
    const lib::StringView name = list.substr(0, comma);
    bool known = false;
    for (size_t i = 0; i < kLevels; ++i) {
      if (name == kLevelNames[i] || (i == 2 && name == "warning") || (i == 3 && name == "err")) {
        wanted[i] = true;
        known = true;
      }
    }
    if (!known) {
      *bad = name;
      return false;
    }
    if (comma == lib::StringView::kNpos) return true;
    list = list.substr(comma + 1);
  }
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "tl:");
  bool times = true, filter = false;
  bool wanted[kLevels] = {};
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    if (opt == 't') times = false;
    if (opt == 'l') {
      lib::StringView bad;
      if (!parse_levels(o.value(), wanted, &bad)) return c.fail("unknown level '{}'", bad);
      filter = true;
    }
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  char command[16];
  const size_t size =
      lib::format_to(command, sizeof(command), "log {}", stellina::abi::kMaxStatusLogLines);
  lib::StringView answer;
  if (!status.ask(c, lib::StringView(command, size), &answer)) return c.finish(1);
  cmd::sys::Lines lines(answer);
  for (lib::StringView line; lines.next(&line);) {
    cmd::sys::LogLine l;
    if (!cmd::sys::parse_log_line(line, &l)) {  // not the shape we know: as it came
      if (!filter) c.out().print("{}\n", line);
      continue;
    }
    if (filter) {
      bool keep = false;
      for (size_t i = 0; i < kLevels; ++i) keep = keep || (wanted[i] && l.level == kLevelNames[i]);
      if (!keep) continue;
    }
    if (times) {
      c.out().print("{}\n", line);
    } else {
      c.out().print("{}\n", line.substr(line.find(']') + 2));
    }
  }
  return c.finish(0);
}
