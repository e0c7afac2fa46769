// sleep: waits for the sum of its operands, each a number of seconds with an optional unit
// (s, m, h, d), decimals allowed (1.5, .25), or inf: as GNU sleep. The wait is a timer on
// the monotonic clock.
#include <stellina/sys.h>

#include "programs/lib/cmd.h"
#include "programs/sleep/duration.h"

int64_t program_main(stellina::ProgramEnv& p) {
  namespace sleep = util::sleep_cmd;
  cmd::Command c(p,
                 "usage: sleep NUMBER[SUFFIX]...\n"
                 "  waits for the sum of the NUMBERs of seconds (decimals allowed; inf: for ever)\n"
                 "  SUFFIX: s seconds (the default), m minutes, h hours, d days\n");
  cmd::Options o(c, "");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() >= p.argc()) {
    c.error("missing operand");
    c.usage_error();
    return 1;
  }
  uint64_t total = 0;
  bool bad = false;
  for (size_t i = o.index(); i < p.argc(); ++i) {
    uint64_t ns = 0;
    if (!sleep::parse_duration(p.arg(i), &ns)) {
      c.error("invalid time interval '{}'", p.arg(i));
      bad = true;
    }
    total = sleep::add_saturating(total, ns);
  }
  if (bad) return 1;
  if (total == 0) return 0;
  const int64_t timer = stellina::sys::timer_create();
  if (timer < 0)
    return c.fail("no timer: {}", stellina::status_name(static_cast<stellina::Status>(timer)));
  const stellina::OwnedHandle owned(static_cast<stellina::abi::Handle>(timer));
  const uint64_t deadline = sleep::add_saturating(stellina::sys::clock_now(), total);
  const int64_t set = stellina::sys::timer_set(owned.get(), deadline);
  if (set < 0)
    return c.fail("timer: {}", stellina::status_name(static_cast<stellina::Status>(set)));
  const int64_t waited = stellina::sys::object_wait(owned.get(), stellina::abi::kSignalReadable);
  if (waited < 0)
    return c.fail("wait: {}", stellina::status_name(static_cast<stellina::Status>(waited)));
  return 0;
}
