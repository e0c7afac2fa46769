// uniq: adjacent equal lines of INPUT (stdin) once each, to OUTPUT (stdout); -c counts
// them, -d keeps only repeated lines, -u only lines that are not, -i ignores case.
#include "programs/lib/cmd.h"
#include "programs/lib/text_lines.h"
#include "programs/lib/text_util.h"

namespace {

constexpr const char* kUsage =
    "usage: uniq [-cdiu] [INPUT [OUTPUT]]\n"
    "  -c  each line with the number of times it occurs\n"
    "  -d  only lines that are repeated   -u  only lines that are not\n"
    "  -i  ignore case when comparing\n";

// Where the lines go: stdout, or the OUTPUT file through a buffer of its own.
class Sink {
 public:
  explicit Sink(cmd::Output& out) : out_(out) {}
  void to_file(stellina::File file) {
    file_ = static_cast<stellina::File&&>(file), is_file_ = true;
  }
  void write(lib::StringView data) {
    if (!is_file_) return out_.write(data);
    for (size_t i = 0; i < data.size(); ++i) {
      if (used_ == sizeof(buffer_) && !flush().ok()) failed_ = true;
      buffer_[used_++] = data[i];
    }
  }
  stellina::Result<void> flush() {
    if (failed_) return stellina::abi::kErrNoSpace;
    if (!is_file_ || used_ == 0) return {};
    const size_t n = used_;
    used_ = 0;
    TRY(file_.write(at_, stellina::Bytes{buffer_, n}));
    at_ += n;
    return {};
  }
  bool failed() const { return out_.failed() || failed_; }

 private:
  cmd::Output& out_;
  stellina::File file_;
  bool is_file_ = false;
  bool failed_ = false;
  char buffer_[16384];
  size_t used_ = 0;
  uint64_t at_ = 0;
};

bool same(lib::StringView a, lib::StringView b, bool fold) {
  if (a.size() != b.size()) return false;
  if (!fold) return a == b;
  for (size_t i = 0; i < a.size(); ++i)
    if (text::to_lower(static_cast<uint8_t>(a[i])) != text::to_lower(static_cast<uint8_t>(b[i])))
      return false;
  return true;
}

struct Settings {
  bool count = false, repeated = false, unique = false, fold = false;
};

void emit(Sink& sink, const Settings& s, lib::StringView line, uint64_t count) {
  if (s.repeated && count < 2) return;
  if (s.unique && count > 1) return;
  if (s.count) {
    char prefix[32];
    const size_t n = lib::format_to(prefix, sizeof(prefix), "{:>7} ", count);
    sink.write(lib::StringView(prefix, n));
  }
  sink.write(line);
  sink.write("\n");
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "cdiu");
  Settings s;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 'c': s.count = true; break;
      case 'd': s.repeated = true; break;
      case 'i': s.fold = true; break;
      case 'u': s.unique = true; break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  const size_t operands = p.argc() - o.index();
  if (operands > 2) {
    c.error("extra operand '{}'", p.arg(o.index() + 2));
    return c.usage_error();
  }
  const lib::StringView input = operands >= 1 ? p.arg(o.index()) : lib::StringView("-");
  cmd::Input in(p);
  const stellina::Result<void> opened = in.open(input);
  if (!opened.ok()) {
    c.error_at(input, opened.error());
    return c.finish(1);
  }
  Sink sink(c.out());
  if (operands == 2 && p.arg(o.index() + 1) != "-") {
    const lib::StringView output = p.arg(o.index() + 1);
    stellina::Result<stellina::File> f =
        p.files().open(output, stellina::abi::kOpenWrite | stellina::abi::kOpenCreate |
                                   stellina::abi::kOpenTruncate);
    if (!f.ok()) {
      c.error_at(output, f.error());
      return c.finish(1);
    }
    sink.to_file(static_cast<stellina::File&&>(f.value()));
  }
  alignas(text::FullLines) static char storage[sizeof(text::FullLines)];
  text::FullLines& lines = *new (storage) text::FullLines(in);
  cmd::Buffer previous;
  uint64_t count = 0;
  int64_t code = 0;
  for (;;) {
    lib::StringView line;
    const stellina::Result<bool> got = lines.next(&line);
    if (!got.ok()) {
      c.error_at(input, got.error());
      code = 1;
      break;
    }
    if (!got.value() || sink.failed()) break;
    if (count > 0 && same(lib::StringView(previous.data(), previous.size()), line, s.fold)) {
      ++count;
      continue;
    }
    if (count > 0) emit(sink, s, lib::StringView(previous.data(), previous.size()), count);
    previous.clear();
    if (!previous.append(line).ok()) {
      c.error("{}: {}", input, stellina::status_name(stellina::abi::kErrNoMemory));
      return c.finish(1);
    }
    count = 1;
  }
  if (count > 0) emit(sink, s, lib::StringView(previous.data(), previous.size()), count);
  const stellina::Result<void> flushed = sink.flush();
  if (!flushed.ok()) {
    c.error_at(p.arg(o.index() + 1), flushed.error());
    code = 1;
  }
  return c.finish(code);
}
