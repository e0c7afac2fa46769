// tail: the last lines (or bytes) of files, or from line (byte) N on with +N; -f follows
// files as they grow, polling their size every 200 ms until the process is killed (or no
// one reads its output).
#include "programs/lib/cmd.h"
#include "programs/lib/text_util.h"

#include <stellina/sys.h>

namespace {

constexpr const char* kUsage =
    "usage: tail [-fqv] [-n [+]N | -c [+]N | -N] [FILE...]\n"
    "  -n N   the last N lines (10); -n +N: from line N on\n"
    "  -c N   the last N bytes; -c +N: from byte N on\n"
    "  -f     follow: print what is appended to the files, until killed\n"
    "  -q     no ==> FILE <== headers     -v  always headers\n"
    "N may end in b (512), K, M or G.\n";

constexpr size_t kChunk = 16384;
constexpr uint64_t kPollNs = 200'000'000;
constexpr size_t kMaxFollowed = 64;
// stdin is kept in memory: past this, the front is trimmed to what the count needs.
constexpr size_t kTrimAbove = size_t{1} << 20;

char chunk[kChunk];

struct Request {
  bool bytes = false;
  bool from_start = false;  // +N
  uint64_t count = 10;
};

using stellina::Result;

// Copies in from offset at to its end; returns the offset reached.
Result<uint64_t> copy_from(const stellina::File& f, uint64_t at, cmd::Output& out) {
  while (!out.failed()) {
    const size_t n = TRY(f.read(at, chunk, kChunk));
    if (n == 0) break;
    out.write(stellina::Bytes{chunk, n});
    at += n;
  }
  return at;
}

// Where the output of a regular file of size bytes starts.
Result<uint64_t> start_of(const stellina::File& f, uint64_t size, const Request& r) {
  if (r.bytes) {
    if (r.from_start) return r.count > 0 ? (r.count - 1 < size ? r.count - 1 : size) : 0;
    return r.count < size ? size - r.count : 0;
  }
  if (r.from_start) {
    uint64_t lines = r.count > 0 ? r.count - 1 : 0;
    uint64_t at = 0;
    while (lines > 0) {
      const size_t n = TRY(f.read(at, chunk, kChunk));
      if (n == 0) return at;
      size_t i = 0;
      for (; i < n && lines > 0; ++i)
        if (chunk[i] == '\n') --lines;
      at += i;
    }
    return at;
  }
  // The last N lines: newlines counted backwards from the end, a chunk at a time.
  uint64_t lines = r.count;
  if (lines == 0) return size;
  uint64_t end = size;
  bool last_byte = true;
  while (end > 0) {
    const uint64_t begin = end > kChunk ? end - kChunk : 0;
    const size_t want = static_cast<size_t>(end - begin);
    const size_t n = TRY(f.read(begin, chunk, want));
    if (n != want) return begin;  // it shrank meanwhile: start anywhere sane
    for (size_t i = n; i > 0; --i) {
      if (chunk[i - 1] != '\n') {
        last_byte = false;
        continue;
      }
      if (last_byte) {  // the final newline ends the last line
        last_byte = false;
        continue;
      }
      if (--lines == 0) return begin + i;
    }
    end = begin;
  }
  return 0;
}

// stdin, or anything that is not a regular file: streamed, keeping what the count needs.
Result<void> tail_stream(cmd::Input& in, cmd::Output& out, const Request& r) {
  if (r.from_start) {
    uint64_t skip = r.count > 0 ? r.count - 1 : 0;
    for (;;) {
      const size_t n = TRY(in.read(chunk, kChunk));
      if (n == 0 || out.failed()) return {};
      size_t i = 0;
      if (r.bytes) {
        i = skip < n ? static_cast<size_t>(skip) : n;
        skip -= i;
      } else {
        for (; i < n && skip > 0; ++i)
          if (chunk[i] == '\n') --skip;
      }
      out.write(stellina::Bytes{chunk + i, n - i});
    }
  }
  // Two buffers: trimming copies what is kept from one into the other.
  cmd::Buffer buffers[2];
  cmd::Buffer* kept = &buffers[0];
  const auto start = [&r](const cmd::Buffer& b) -> size_t {
    if (r.bytes) return r.count < b.size() ? b.size() - static_cast<size_t>(r.count) : 0;
    return text::last_lines_start(b.data(), b.size(), r.count);
  };
  for (;;) {
    const size_t n = TRY(in.read(chunk, kChunk));
    if (n == 0) break;
    TRY(kept->append(stellina::Bytes{chunk, n}));
    if (kept->size() > kTrimAbove) {
      size_t from = start(*kept);
      // The last line may still grow: keep the newline before it, which counts it.
      if (!r.bytes && from > 0) --from;
      if (from > kept->size() / 2) {
        cmd::Buffer* other = kept == &buffers[0] ? &buffers[1] : &buffers[0];
        other->clear();
        TRY(other->append(stellina::Bytes{kept->data() + from, kept->size() - from}));
        kept->clear();
        kept = other;
      }
    }
  }
  const size_t from = start(*kept);
  out.write(stellina::Bytes{kept->data() + from, kept->size() - from});
  return {};
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "0123456789c:fn:qv");
  Request r;
  bool follow = false;
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
      r.from_start = sign == '+';
    } else if (opt == 'f') {
      follow = true;
    } else if (opt >= '0' && opt <= '9') {
      // The obsolete -NUM: as -n NUM.
      const uint64_t digit = static_cast<uint64_t>(opt - '0');
      if (!digits) r.count = 0;
      if (r.count > (UINT64_MAX - digit) / 10) {
        c.error("invalid number of lines");
        return c.finish(1);
      }
      r.count = r.count * 10 + digit;
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
  struct Followed {
    stellina::File file;
    lib::StringView name;
    uint64_t at;
  };
  Followed followed[kMaxFollowed];
  size_t followed_count = 0;
  size_t shown = 0;  // headers printed so far
  const auto header = [&](lib::StringView name) {
    if (show) c.out().print("{}==> {} <==\n", shown++ ? "\n" : "", name);
  };
  for (size_t i = 0; i < files && !c.out().failed(); ++i) {
    const lib::StringView path = first + i < p.argc() ? p.arg(first + i) : lib::StringView("-");
    const lib::StringView name = path == "-" ? lib::StringView("standard input") : path;
    if (path != "-") {
      Result<stellina::File> file = p.files().open(path);
      const Result<stellina::abi::FileStat> st =
          file.ok() ? file.value().stat() : Result<stellina::abi::FileStat>(file.error());
      if (!st.ok()) {
        c.error_at(path, st.error());
        code = 1;
        continue;
      }
      const uint32_t type = st.value().mode & stellina::abi::kModeTypeMask;
      if (type == stellina::abi::kModeDirectory) {
        c.error_at(path, stellina::abi::kErrIsDirectory);
        code = 1;
        continue;
      }
      if (type == stellina::abi::kModeRegular) {
        header(name);
        const Result<uint64_t> from = start_of(file.value(), st.value().size, r);
        const Result<uint64_t> at =
            from.ok() ? copy_from(file.value(), from.value(), c.out()) : from.error();
        if (!at.ok()) {
          c.error_at(path, at.error());
          code = 1;
          continue;
        }
        if (follow && followed_count < kMaxFollowed)
          followed[followed_count++] =
              Followed{static_cast<stellina::File&&>(file.value()), name, at.value()};
        continue;
      }
    }
    cmd::Input in(p);
    const Result<void> opened = in.open(path);
    Result<void> done = opened;
    if (opened.ok()) {
      header(name);
      done = tail_stream(in, c.out(), r);
    }
    if (!done.ok()) {
      c.error_at(path, done.error());
      code = 1;
    }
  }
  if (followed_count == 0) return c.finish(code);
  // Following: poll every file's size; what was appended is printed (under a header when
  // the output moves to another file), a file that shrank is read again from its start.
  size_t last = followed_count - 1;
  for (;;) {
    c.out().flush();
    if (c.out().failed()) return c.finish(code);
    uint32_t observed = 0;
    const int64_t waited =
        stellina::sys::object_wait(p.out().channel().get(), stellina::abi::kSignalPeerClosed,
                                   stellina::sys::clock_now() + kPollNs, &observed);
    if (waited >= 0 && (observed & stellina::abi::kSignalPeerClosed)) return c.finish(code);
    for (size_t i = 0; i < followed_count; ++i) {
      Followed& f = followed[i];
      const Result<stellina::abi::FileStat> st = f.file.stat();
      if (!st.ok()) continue;
      if (st.value().size < f.at) {
        c.error("{}: file truncated", f.name);
        f.at = 0;
      }
      if (st.value().size == f.at) continue;
      if (i != last && show) c.out().print("\n==> {} <==\n", f.name);
      last = i;
      const Result<uint64_t> at = copy_from(f.file, f.at, c.out());
      if (at.ok()) f.at = at.value();
    }
  }
}
