// tr: stdin to stdout with bytes translated (SET1 to SET2), deleted (-d) or squeezed (-s).
#include "programs/lib/cmd.h"
#include "programs/tr/tr_sets.h"

namespace {

constexpr const char* kUsage =
    "usage: tr [-cs] SET1 SET2\n"
    "       tr -s [-c] SET1\n"
    "       tr -d [-cs] SET1 [SET2]\n"
    "  -c  the complement of SET1     -d  delete SET1's bytes\n"
    "  -s  squeeze runs of one byte of the last SET given into one\n"
    "SETs: a-z ranges, [:alpha:] [:alnum:] [:digit:] [:lower:] [:upper:] [:space:]\n"
    "[:blank:] [:punct:] [:print:] [:graph:] [:cntrl:] [:xdigit:], [c*n] [c*],\n"
    "escapes \\n \\t \\\\ \\NNN (octal).\n";

constexpr size_t kChunk = 16384;
char in_chunk[kChunk];
char out_chunk[kChunk];
text::TrSet sets[3];
text::TrPlan plan;

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "Ccds");
  bool complement = false, remove = false, squeeze = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 'C':
      case 'c': complement = true; break;
      case 'd': remove = true; break;
      case 's': squeeze = true; break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  const size_t operands = p.argc() - o.index();
  const size_t needed = remove ? (squeeze ? 2 : 1) : (squeeze ? 1 : 2);
  if (operands < needed) {
    c.error("missing operand");
    return c.usage_error();
  }
  if (operands > 2 || (remove && !squeeze && operands > 1)) {
    c.error("extra operand '{}'", p.arg(o.index() + (operands > 2 ? 2 : 1)));
    return c.usage_error();
  }
  const char* why = nullptr;
  if (!text::expand_set(p.arg(o.index()), 0, &sets[0], &why)) {
    c.error("{}", why);
    return c.finish(1);
  }
  const text::TrSet* set1 = &sets[0];
  if (complement) {
    text::complement_set(sets[0], &sets[2]);
    set1 = &sets[2];
  }
  const text::TrSet* set2 = nullptr;
  if (operands == 2) {
    if (!text::expand_set(p.arg(o.index() + 1), set1->size ? set1->size : 1, &sets[1], &why)) {
      c.error("{}", why);
      return c.finish(1);
    }
    set2 = &sets[1];
  }
  if (!text::plan_tr(*set1, set2, remove, squeeze, &plan, &why)) {
    c.error("{}", why);
    return c.finish(1);
  }
  cmd::Input in(p);
  int last = -1;
  for (;;) {
    const stellina::Result<size_t> n = in.read(in_chunk, kChunk);
    if (!n.ok()) {
      c.error_at("standard input", n.error());
      return c.finish(1);
    }
    if (n.value() == 0 || c.out().failed()) break;
    const size_t kept = text::apply_tr(plan, in_chunk, n.value(), out_chunk, &last);
    c.out().write(stellina::Bytes{out_chunk, kept});
  }
  return c.finish(0);
}
