// free: the machine's memory, from status: memory. Stellina has no swap and no page cache:
// used is what is not free, available is what is free, shared and buff/cache are 0.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: free [-b|-k|-m|-g|-h]\n"
    "  -b  bytes    -k  KiB (the default)    -m  MiB    -g  GiB\n"
    "  -h  human-readable (B, Ki, Mi, Gi)\n";

struct Units {
  bool human = false;
  unsigned shift = 10;
};

void cell(cmd::Output& out, uint64_t bytes, const Units& u, size_t width) {
  char text[32];
  const size_t n = u.human ? cmd::sys::format_human(bytes, text, sizeof(text))
                           : cmd::sys::format_size(bytes, u.shift, text, sizeof(text));
  for (size_t i = n; i < width; ++i) out.put(' ');
  out.write(stellina::Bytes{text, n});
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "bkmgh");
  Units u;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    u.human = opt == 'h';
    u.shift = opt == 'b' ? 0 : opt == 'm' ? 20 : opt == 'g' ? 30 : 10;
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  lib::StringView answer;
  if (!status.ask(c, "memory", &answer)) return c.finish(1);
  cmd::sys::MemoryView m;
  if (!cmd::sys::parse_memory(answer, &m)) return c.fail("status: memory: unexpected answer");

  cmd::Output& out = c.out();
  out.print("{:>20}{:>12}{:>12}{:>12}{:>12}{:>12}\n", "total", "used", "free", "shared",
            "buff/cache", "available");
  out.print("Mem:   ");
  const uint64_t row[] = {m.total_bytes, m.total_bytes - m.free_bytes, m.free_bytes, 0, 0,
                          m.free_bytes};
  for (size_t i = 0; i < 6; ++i) cell(out, row[i], u, i == 0 ? 13 : 12);
  out.print("\nSwap:  ");
  for (size_t i = 0; i < 3; ++i) cell(out, 0, u, i == 0 ? 13 : 12);
  out.put('\n');
  return c.finish(0);
}
