// seq: numbers from FIRST (1) by INCREMENT (1) up to LAST, as GNU seq: -s SEP between them,
// -w to pad them with zeros to one width. Decimals are exact (fixed point, up to 9 places);
// they print with as many places as FIRST or INCREMENT has.
#include "programs/lib/cmd.h"
#include "programs/seq/seq_number.h"

namespace {

constexpr const char* kUsage =
    "usage: seq [-w] [-s SEP] [FIRST [INCREMENT]] LAST\n"
    "  -s SEP  put SEP between the numbers (default: newline)\n"
    "  -w      pad with leading zeros to equal width\n";

// Whether arg reads as a negative number (an operand, not an option).
bool is_negative_number(lib::StringView arg) {
  return arg.size() > 1 && arg[0] == '-' && ((arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.');
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  namespace seq = util::seq_cmd;
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "s:w");
  lib::StringView separator = "\n";
  bool equal_width = false;
  while (!(o.index() < p.argc() && is_negative_number(p.arg(o.index())))) {
    const int opt = o.next();
    if (opt == cmd::kEnd) break;
    if (opt == 's') separator = o.value();
    if (opt == 'w') equal_width = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  const size_t count = p.argc() - o.index();
  if (count == 0 || count > 3) {
    if (count == 0)
      c.error("missing operand");
    else
      c.error("extra operand '{}'", p.arg(o.index() + 3));
    c.usage_error();
    return 1;
  }
  seq::Number numbers[3] = {{1, 0}, {1, 0}, {1, 0}};  // FIRST, INCREMENT, LAST
  const size_t slots[3][3] = {{2}, {0, 2}, {0, 1, 2}};
  for (size_t i = 0; i < count; ++i) {
    const lib::StringView arg = p.arg(o.index() + i);
    if (!seq::parse_number(arg, &numbers[slots[count - 1][i]]))
      return c.fail("invalid number '{}' (decimals of at most {} places)", arg, seq::kMaxPlaces);
  }
  seq::Plan plan;
  switch (seq::make_plan(numbers[0], numbers[1], numbers[2], equal_width, &plan)) {
    case seq::PlanError::kNone: break;
    case seq::PlanError::kZeroStep:
      return c.fail("invalid Zero increment value: '{}'", p.arg(o.index() + 1));
    case seq::PlanError::kRange: return c.fail("numbers out of range");
  }
  cmd::Output& out = c.out();
  bool any = false;
  for (int64_t v = plan.first; plan.step > 0 ? v <= plan.last : v >= plan.last;) {
    if (any) out.write(separator);
    char text[seq::kMaxText];
    out.write(stellina::Bytes{text, seq::format(plan, v, text)});
    any = true;
    if (out.failed() || __builtin_add_overflow(v, plan.step, &v)) break;
  }
  if (any) out.put('\n');
  return c.finish(0);
}
