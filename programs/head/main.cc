// head: the first lines (or bytes) of files. -n -N / -c -N: all but the last N.
#include <lib/checked_number.h>

#include "programs/lib/cmd.h"
#include "programs/lib/text_util.h"

namespace {

constexpr const char* kUsage =
    "usage: head [-qv] [-n [-]N | -c [-]N | -N] [FILE...]\n"
    "  -n N   the first N lines (10); -n -N: all but the last N\n"
    "  -c N   the first N bytes; -c -N: all but the last N\n"
    "  -q     no ==> FILE <== headers     -v  always headers\n"
    "N may end in b (512), K, M or G.\n";

constexpr size_t kChunk = 16384;
char chunk[kChunk];

struct Request {
  bool bytes = false;
  bool all_but = false;  // -N: all but the last N
  uint64_t count = 10;
};

// Copies what the request selects from in to out.
stellina::Result<void> head(cmd::Input& in, cmd::Output& out, const Request& r) {
  if (r.all_but) {
    // Everything but the last N: read it all (bounded by memory), then cut.
    cmd::Buffer all;
    for (;;) {
      const size_t n = TRY(in.read(chunk, kChunk));
      if (n == 0) break;
      TRY(all.append(stellina::Bytes{chunk, n}));
    }
    size_t end = 0;
    if (r.bytes) {
      end = r.count < all.size() ? all.size() - static_cast<size_t>(r.count) : 0;
    } else {
      end = text::last_lines_start(all.data(), all.size(), r.count);
    }
    out.write(stellina::Bytes{all.data(), end});
    return {};
  }
  uint64_t left = r.count;
  while (left > 0 && !out.failed()) {
    const size_t n = TRY(in.read(chunk, kChunk));
    if (n == 0) break;
    size_t take = n;
    if (r.bytes) {
      if (left < take) take = static_cast<size_t>(left);
      left -= take;
    } else {
      take = text::first_lines_end(chunk, n, left);
      for (size_t i = 0; i < take; ++i)
        if (chunk[i] == '\n') --left;
    }
    out.write(stellina::Bytes{chunk, take});
  }
  return {};
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "0123456789c:n:qv");
  Request r;
  int headers = -1;  // -1: when several files
  bool digits = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'n' || opt == 'c') {
      char sign = 0;
      if (!text::parse_count(o.value(), true, &r.count, &sign)) {
        c.error("invalid number of {}: '{}'", opt == 'n' ? "lines" : "bytes", o.value());
        return c.finish(1);
      }
      r.bytes = opt == 'c';
      r.all_but = sign == '-';
    } else if (opt >= '0' && opt <= '9') {
      // The obsolete -NUM: as -n NUM.
      const uint64_t digit = static_cast<uint64_t>(opt - '0');
      if (!digits) r.count = 0;
      if (!lib::checked_mul(r.count, uint64_t{10}, &r.count) ||
          !lib::checked_add(r.count, digit, &r.count)) {
        c.error("invalid number of lines");
        return c.finish(1);
      }
      r.bytes = false;
      digits = true;
    } else if (opt == 'q') {
      headers = 0;
    } else if (opt == 'v') {
      headers = 1;
    } else if (opt == cmd::kHelp) {
      return c.help();
    } else {
      return c.usage_error();
    }
  }
  const size_t first = o.index();
  const size_t files = p.argc() > first ? p.argc() - first : 1;
  const bool show = headers == 1 || (headers == -1 && files > 1);
  int64_t code = 0;
  for (size_t i = 0; i < files && !c.out().failed(); ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    cmd::Input in(p);
    const stellina::Result<void> opened = in.open(path);
    if (!opened.ok()) {
      c.error_at(path, opened.error());
      code = 1;
      continue;
    }
    if (show) {
      c.out().print("{}==> {} <==\n", i ? "\n" : "",
                    path == "-" ? lib::StringView("standard input") : path);
    }
    const stellina::Result<void> done = head(in, c.out(), r);
    if (!done.ok()) {
      c.error_at(path, done.error());
      code = 1;
    }
  }
  return c.finish(code);
}
