// tee: stdin to stdout and to every FILE (truncated first, or appended to with -a). A FILE
// that cannot be opened or written is reported and dropped; the others go on (exit 1).
#include "programs/lib/cmd.h"

namespace {

constexpr const char* kUsage =
    "usage: tee [-a] [FILE...]\n"
    "  -a  append to the files instead of replacing them\n";

constexpr size_t kMaxFiles = 64;
constexpr size_t kChunk = 16384;
char chunk[kChunk];

struct Target {
  stellina::File file;
  lib::StringView name;
  uint64_t at = 0;
  bool ok = false;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "a");
  bool append = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'a') {
      append = true;
    } else if (opt == cmd::kHelp) {
      return c.help();
    } else {
      return c.usage_error();
    }
  }
  int64_t code = 0;
  Target targets[kMaxFiles];
  size_t count = 0;
  for (size_t i = o.index(); i < p.argc(); ++i) {
    if (count == kMaxFiles) {
      c.error("{}: more than {} files", p.arg(i), kMaxFiles);
      code = 1;
      continue;
    }
    const uint32_t flags = stellina::abi::kOpenWrite | stellina::abi::kOpenCreate |
                           (append ? stellina::abi::kOpenAppend : stellina::abi::kOpenTruncate);
    stellina::Result<stellina::File> f = p.files().open(p.arg(i), flags);
    if (!f.ok()) {
      c.error_at(p.arg(i), f.error());
      code = 1;
      continue;
    }
    Target& t = targets[count++];
    t.file = static_cast<stellina::File&&>(f.value());
    t.name = p.arg(i);
    t.ok = true;
  }
  cmd::Input in(p);
  bool out_ok = true;
  for (;;) {
    const stellina::Result<size_t> n = in.read(chunk, kChunk);
    if (!n.ok()) {
      c.error_at("standard input", n.error());
      code = 1;
      break;
    }
    if (n.value() == 0) break;
    const stellina::Bytes data{chunk, n.value()};
    // Straight through, not buffered: tee's output follows its input as it comes.
    if (out_ok && !p.out().write(data).ok()) out_ok = false;
    for (size_t i = 0; i < count; ++i) {
      Target& t = targets[i];
      if (!t.ok) continue;
      const stellina::Result<size_t> w = t.file.write(t.at, data);
      if (!w.ok()) {
        c.error_at(t.name, w.error());
        t.ok = false;
        code = 1;
        continue;
      }
      t.at += data.size;
    }
  }
  if (!out_ok) code = 1;
  return c.finish(code);
}
