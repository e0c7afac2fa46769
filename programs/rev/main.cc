// rev: each line of the files (or stdin) with its bytes in reverse order; a last line
// without '\n' stays without one.
#include <new>

#include "programs/lib/cmd.h"
#include "programs/lib/text_sources.h"
#include "programs/rev/rev_line.h"

namespace {

constexpr const char* kUsage = "usage: rev [FILE...]\n";

alignas(cmd::Buffer) char line_storage[sizeof(cmd::Buffer)];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    return c.usage_error();
  }
  cmd::Buffer& line_copy = *new (line_storage) cmd::Buffer();
  const size_t first = o.index();
  const size_t files = p.argc() > first ? p.argc() - first : 1;
  int64_t code = 0;
  for (size_t i = 0; i < files && !c.out().failed(); ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    text::FileLines lines(c);
    if (!lines.open(path)) {
      code = 1;
      continue;
    }
    lib::StringView line;
    while (lines.next(&line) && !c.out().failed()) {
      line_copy.clear();
      if (!line_copy.append(line).ok()) {
        c.error("{}: {}", path, stellina::status_name(stellina::abi::kErrNoMemory));
        return c.finish(1);
      }
      text::reverse_bytes(line_copy.data(), line_copy.size());
      c.out().write(lib::StringView(line_copy.data(), line_copy.size()));
      if (lines.had_newline()) c.out().put('\n');
    }
    if (lines.failed()) code = 1;
  }
  return c.finish(code);
}
