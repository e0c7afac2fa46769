// diff: how two files differ, line by line, in POSIX's normal format or (-u) the unified
// one (its headers name the files, without dates). Exit 0: the same; 1: different; 2:
// trouble. See diff_core.h for the algorithm and its bound.
#include "programs/diff/diff_core.h"
#include "programs/lib/cmd.h"

namespace {

constexpr const char* kUsage =
    "usage: diff [-u] FILE1 FILE2\n"
    "  -u  unified format, with 3 lines of context\n"
    "A FILE of '-' is stdin.\n";

constexpr size_t kMaxFileBytes = size_t{32} << 20;
constexpr size_t kMaxLines = size_t{1} << 20;
constexpr size_t kBinaryProbe = 4096;  // bytes looked at for a NUL
constexpr size_t kChunk = 16384;
char chunk[kChunk];

// A file's bytes and its lines.
struct Loaded {
  cmd::Buffer bytes;
  cmd::Buffer lines;  // lib::StringView[]
  text::DiffFile file{};
};

stellina::Result<void> load(stellina::ProgramEnv& p, lib::StringView path, Loaded* l) {
  cmd::Input in(p);
  TRY(in.open(path));
  for (;;) {
    const size_t n = TRY(in.read(chunk, kChunk));
    if (n == 0) break;
    if (l->bytes.size() + n > kMaxFileBytes) return stellina::abi::kErrTooLarge;
    TRY(l->bytes.append(stellina::Bytes{chunk, n}));
  }
  const char* data = l->bytes.data();
  const size_t size = l->bytes.size();
  size_t count = 0;
  for (size_t i = 0; i < size; ++i)
    if (data[i] == '\n') ++count;
  const bool missing = size && data[size - 1] != '\n';
  if (missing) ++count;
  if (count > kMaxLines) return stellina::abi::kErrTooLarge;
  TRY(l->lines.reserve(count * sizeof(lib::StringView) + 1));
  auto* lines = reinterpret_cast<lib::StringView*>(l->lines.data());
  for (size_t at = 0, i = 0; at < size; ++i) {
    size_t end = at;
    while (end < size && data[end] != '\n') ++end;
    lines[i] = lib::StringView(data + at, end - at);
    at = end + 1;
  }
  l->file = text::DiffFile{lines, count, missing, path};
  return {};
}

struct OutSink final : lib::Sink {
  explicit OutSink(cmd::Output& out) : out(out) {}
  void write(const char* s, size_t n) override { out.write(stellina::Bytes{s, n}); }
  cmd::Output& out;
};

bool has_nul(const cmd::Buffer& b) {
  const size_t n = b.size() < kBinaryProbe ? b.size() : kBinaryProbe;
  for (size_t i = 0; i < n; ++i)
    if (b.data()[i] == '\0') return true;
  return false;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "u");
  bool unified = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'u') {
      unified = true;
    } else if (opt == cmd::kHelp) {
      return c.help();
    } else {
      c.usage_error();
      return 2;
    }
  }
  if (p.argc() - o.index() != 2) {
    c.error(p.argc() - o.index() < 2 ? "missing operand" : "extra operand");
    return c.usage_error();
  }
  Loaded a, b;
  const lib::StringView names[2] = {p.arg(o.index()), p.arg(o.index() + 1)};
  Loaded* files[2] = {&a, &b};
  for (int k = 0; k < 2; ++k) {
    const stellina::Result<void> r = load(p, names[k], files[k]);
    if (!r.ok()) {
      c.error_at(names[k], r.error());
      return c.finish(2);
    }
  }
  if (has_nul(a.bytes) || has_nul(b.bytes)) {
    const bool same = a.bytes.size() == b.bytes.size() &&
                      (a.bytes.size() == 0 ||
                       __builtin_memcmp(a.bytes.data(), b.bytes.data(), a.bytes.size()) == 0);
    if (same) return c.finish(0);
    c.out().print("Binary files {} and {} differ\n", names[0], names[1]);
    return c.finish(1);
  }
  const size_t n = a.file.count, m = b.file.count;
  size_t table_size = 16;
  while (table_size < 2 * (n + m)) table_size *= 2;
  cmd::Buffer ids, table, scratch, marks;
  const size_t scratch_count = text::diff_scratch_size(n, m);
  if (!ids.reserve((n + m + 1) * sizeof(uint32_t)).ok() ||
      !table.reserve(table_size * sizeof(uint32_t)).ok() ||
      !scratch.reserve(scratch_count * sizeof(int32_t)).ok() || !marks.reserve(n + m + 1).ok()) {
    c.error("{} and {}: too large to compare (no memory)", names[0], names[1]);
    return c.finish(2);
  }
  auto* id = reinterpret_cast<uint32_t*>(ids.data());
  text::diff_line_ids(a.file, b.file, id, reinterpret_cast<uint32_t*>(table.data()), table_size);
  bool* removed = reinterpret_cast<bool*>(marks.data());
  bool* added = removed + n;
  if (!text::diff_mark(id, n, id + n, m, removed, added,
                       reinterpret_cast<int32_t*>(scratch.data())))
    return c.finish(0);
  OutSink sink(c.out());
  if (unified) {
    text::diff_write_unified(sink, a.file, b.file, removed, added);
  } else {
    text::diff_write_normal(sink, a.file, b.file, removed, added);
  }
  c.out().flush();
  return c.out().failed() ? 2 : c.finish(1);
}
