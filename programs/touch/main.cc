// touch: sets files' access and modification times to now (the wall clock, UTC), making
// empty files for names that are free. -c makes none; -a / -m change only one of the times;
// -d DATE and -t STAMP give the time instead of now (UTC, see files_parse.h for the forms).
#include <lib/date.h>

#include "programs/lib/files_fs.h"
#include "programs/lib/files_parse.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: touch [-acm] [-d DATE | -t STAMP] FILE...\n"
    "  -a        change only the access time\n"
    "  -c        do not create files\n"
    "  -d DATE   use DATE (YYYY-MM-DD[ HH:MM[:SS]] or @SECONDS, UTC) instead of now\n"
    "  -m        change only the modification time\n"
    "  -t STAMP  use [[CC]YY]MMDDhhmm[.ss] (UTC) instead of now\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "acmd:t:");
  bool no_create = false, only_access = false, only_modify = false;
  const uint64_t wall = stellina::sys::clock_wall();
  int64_t time_ns = static_cast<int64_t>(wall);
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    int64_t seconds = 0;
    switch (opt) {
      case 'a': only_access = true; break;
      case 'c': no_create = true; break;
      case 'm': only_modify = true; break;
      case 'd':
      case 't': {
        const uint32_t year = lib::date_from_seconds(wall / 1000000000).year;
        const bool parsed = opt == 'd' ? cmd::parse_date(o.value(), &seconds)
                                       : cmd::parse_touch_stamp(o.value(), year, &seconds);
        // Nanoseconds must fit in an int64_t: years 1678 to 2262.
        constexpr int64_t kLimit = INT64_MAX / 1000000000;
        if (!parsed || seconds > kLimit || seconds < -kLimit) {
          c.error("invalid date format '{}'", o.value());
          return c.finish(1);
        }
        time_ns = seconds * 1000000000;
        break;
      }
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  if (o.index() >= p.argc()) {
    c.error("missing file operand");
    return c.usage_error();
  }
  if (!only_access && !only_modify) only_access = only_modify = true;
  const int64_t atime = only_access ? time_ns : abi::kTimeOmit;
  const int64_t mtime = only_modify ? time_ns : abi::kTimeOmit;
  bool ok = true;
  for (size_t i = o.index(); i < p.argc(); ++i) {
    const lib::StringView path = p.arg(i);
    const cmd::Result<abi::FileStat> st = p.files().stat(path);
    if (!st.ok() && no_create) continue;
    if (st.ok() && cmd::is_dir(st.value().mode)) {
      // SetTimes needs a file open for writing, and a directory opens only for reading.
      c.error("cannot touch '{}': {}", path, "the times of a directory cannot be set");
      ok = false;
      continue;
    }
    const uint32_t flags = abi::kOpenWrite | (st.ok() ? 0 : abi::kOpenCreate);
    const cmd::Result<stellina::File> file = p.files().open(path, flags, 0666 & ~cmd::kUmask);
    if (!file.ok()) {
      c.error("cannot touch '{}': {}", path, stellina::status_name(file.error()));
      ok = false;
      continue;
    }
    const cmd::Result<void> set = file.value().set_times(atime, mtime);
    if (!set.ok()) {
      c.error("setting times of '{}': {}", path, stellina::status_name(set.error()));
      ok = false;
    }
  }
  return c.finish(ok ? 0 : 1);
}
