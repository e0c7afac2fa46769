// xargs: runs COMMAND (echo by default) with the arguments read from stdin, as many at a
// time as fit (at most kMaxArgs, and kMaxBytes of strings with the environment), as POSIX
// and GNU xargs: -n N (at most N a time), -I R (one run per line, R replaced in the
// arguments by it), -0 / -d C (arguments end at NUL / C, no quoting), -t (each command on
// stderr first), -r (no run at all without input). Exit 123 if a run failed (1 to 125),
// 124 if one exited 255, 125 if one was killed, 126 / 127 if COMMAND cannot run / is not
// found.
#include "programs/lib/cmd.h"
#include "programs/lib/util_run.h"
#include "programs/xargs/xargs_input.h"

namespace {

namespace xargs = util::xargs_cmd;

constexpr const char* kUsage =
    "usage: xargs [-0rt] [-d DELIM] [-n N] [-I REPLACE] [COMMAND [ARG...]]\n"
    "  -0          arguments end at NUL (no quoting)\n"
    "  -d DELIM    arguments end at DELIM (a character or an escape like \\n)\n"
    "  -n N        at most N arguments a run\n"
    "  -I REPLACE  one run per input line, REPLACE in the ARGs replaced by it\n"
    "  -t          print each command on stderr before running it\n"
    "  -r          do not run COMMAND if there is no input\n";

// A run's limits: a program's start message holds at most this much (abi/stellina/program.h).
constexpr size_t kMaxArgs = stellina::abi::kProgramMaxArgs - 1;  // argv[0] is one
constexpr size_t kMaxBytes = stellina::abi::kProgramMaxStrings;
constexpr size_t kHeadroom = 1024;  // for argv[0], the found path

lib::StringView views[stellina::abi::kProgramMaxArgs];
size_t starts[stellina::abi::kProgramMaxArgs];
size_t lengths[stellina::abi::kProgramMaxArgs];

class Runner {
 public:
  Runner(cmd::Command& c, size_t first) : c_(c), p_(c.env()), first_(first) {
    for (size_t e = 0; e < p_.env_count(); ++e) env_bytes_ += p_.env_entry(e).size() + 1;
    const std::optional<lib::StringView> path = p_.env("PATH");
    search_ = path ? *path : lib::StringView("/bin");
  }

  lib::StringView name() const { return first_ < p_.argc() ? p_.arg(first_) : "echo"; }
  // The initial arguments after the name.
  size_t fixed_count() const { return first_ < p_.argc() ? p_.argc() - first_ - 1 : 0; }
  lib::StringView fixed(size_t i) const { return p_.arg(first_ + 1 + i); }

  size_t fixed_bytes() const {
    size_t n = name().size() + 1;
    for (size_t i = 0; i < fixed_count(); ++i) n += fixed(i).size() + 1;
    return n;
  }
  // Whether item fits with those gathered.
  bool fits(lib::StringView item, size_t max_items) const {
    return count_ < max_items && fixed_count() + count_ < kMaxArgs &&
           env_bytes_ + fixed_bytes() + bytes_ + item.size() + 1 + kHeadroom <= kMaxBytes;
  }
  bool empty() const { return count_ == 0; }
  bool alone_fits(lib::StringView item) const {
    return env_bytes_ + fixed_bytes() + item.size() + 1 + kHeadroom <= kMaxBytes;
  }

  stellina::Result<void> add(lib::StringView item) {
    starts[count_] = arena_.size();
    lengths[count_] = item.size();
    TRY(arena_.append(item));
    ++count_;
    bytes_ += item.size() + 1;
    return {};
  }

  // Runs the command with the fixed arguments then those gathered; forgets them. Returns
  // false when xargs must stop (status() then says how).
  bool run(const lib::StringView* fixed_args, size_t fixed_n, bool trace) {
    size_t n = 0;
    for (size_t i = 0; i < fixed_n; ++i) views[n++] = fixed_args[i];
    for (size_t i = 0; i < count_; ++i)
      views[n++] = lib::StringView(arena_.data() + starts[i], lengths[i]);
    if (trace) {
      c_.out().flush();
      cmd::Buffer line;
      bool ok = line.append(name()).ok();
      for (size_t i = 0; i < n; ++i) ok = ok && line.append(" ").ok() && line.append(views[i]).ok();
      ok = ok && line.append("\n").ok();
      if (ok)
        stellina::ignore(p_.err().write(stellina::Bytes{line.data(), line.size()}), "tracing only");
    }
    static lib::StringView env[stellina::abi::kProgramMaxEnv];
    for (size_t e = 0; e < p_.env_count(); ++e) env[e] = p_.env_entry(e);
    const int64_t code =
        util::run_command(c_, name(), std::span<const lib::StringView>(views, n),
                          std::span<const lib::StringView>(env, p_.env_count()), search_, false);
    arena_.clear();
    count_ = 0;
    bytes_ = 0;
    ran_ = true;
    if (code == util::kNotFound || code == util::kCannotRun) return stop(code);
    if (code == util::kSignalled) return stop(125);
    if (code == 255) {
      c_.error("{}: exited with status 255; aborting", name());
      return stop(124);
    }
    if (code != 0) status_ = 123;
    return true;
  }

  bool stop(int64_t code) {
    status_ = code;
    return false;
  }
  int64_t status() const { return status_; }
  bool ran() const { return ran_; }

 private:
  cmd::Command& c_;
  stellina::ProgramEnv& p_;
  size_t first_;
  lib::StringView search_;
  size_t env_bytes_ = 0;
  cmd::Buffer arena_;
  size_t count_ = 0;
  size_t bytes_ = 0;
  int64_t status_ = 0;
  bool ran_ = false;
};

// The initial arguments with replace in each replaced by item, built in out.
stellina::Result<size_t> substitute(const Runner& r, lib::StringView replace, lib::StringView item,
                                    cmd::Buffer& out, lib::StringView* args) {
  out.clear();
  size_t offsets[stellina::abi::kProgramMaxArgs];
  const size_t n = r.fixed_count() < kMaxArgs ? r.fixed_count() : kMaxArgs;
  for (size_t i = 0; i < n; ++i) {
    offsets[i] = out.size();
    const lib::StringView arg = r.fixed(i);
    for (size_t at = 0; at < arg.size();) {
      const size_t hit = replace.empty() ? lib::StringView::kNpos : arg.find(replace, at);
      if (hit == lib::StringView::kNpos) {
        TRY(out.append(arg.substr(at)));
        break;
      }
      TRY(out.append(arg.substr(at, hit - at)));
      TRY(out.append(item));
      at = hit + replace.size();
    }
    if (out.size() + kHeadroom > kMaxBytes) return stellina::abi::kErrTooLarge;
  }
  for (size_t i = 0; i < n; ++i) {
    const size_t end = i + 1 < n ? offsets[i + 1] : out.size();
    args[i] = lib::StringView(out.data() + offsets[i], end - offsets[i]);
  }
  return n;
}

uint8_t chunk[16 * 1024];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "0d:n:I:tr");
  xargs::Split mode = xargs::Split::kBlanks;
  char delimiter = '\n';
  uint64_t max_items = kMaxArgs;
  bool trace = false, skip_empty = false, replacing = false;
  lib::StringView replace;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == '0') mode = xargs::Split::kDelimiter, delimiter = '\0';
    if (opt == 'd') {
      if (!xargs::parse_delimiter(o.value(), &delimiter))
        return c.fail("invalid delimiter '{}'", o.value());
      mode = xargs::Split::kDelimiter;
    }
    if (opt == 'n' && (!cmd::parse_u64(o.value(), &max_items) || max_items == 0))
      return c.fail("invalid number for -n: '{}'", o.value());
    if (opt == 'I') replacing = true, replace = o.value();
    if (opt == 't') trace = true;
    if (opt == 'r') skip_empty = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (replacing && mode == xargs::Split::kBlanks) mode = xargs::Split::kLines;
  Runner runner(c, o.index());
  static xargs::Splitter splitter(mode, delimiter);
  static lib::StringView fixed[stellina::abi::kProgramMaxArgs];
  cmd::Buffer replaced;
  size_t fixed_n = runner.fixed_count() < kMaxArgs ? runner.fixed_count() : kMaxArgs;
  for (size_t i = 0; i < fixed_n; ++i) fixed[i] = runner.fixed(i);

  // One argument read: run when the gathering is full (or, with -I, at once).
  auto take = [&](lib::StringView item) -> bool {
    if (replacing) {
      const stellina::Result<size_t> n = substitute(runner, replace, item, replaced, fixed);
      if (!n.ok()) {
        c.error("argument line too long");
        return runner.stop(1);
      }
      return runner.run(fixed, n.value(), trace);
    }
    if (!runner.alone_fits(item)) {
      c.error("argument line too long");
      return runner.stop(1);
    }
    if (!runner.fits(item, max_items) && !runner.run(fixed, fixed_n, trace)) return false;
    if (!runner.add(item).ok()) {
      c.error("out of memory");
      return runner.stop(1);
    }
    return true;
  };

  cmd::Input in(p);
  for (bool more = true; more;) {
    const stellina::Result<size_t> got = in.read(chunk, sizeof(chunk));
    if (!got.ok()) {
      c.error("stdin: {}", stellina::status_name(got.error()));
      return c.finish(1);
    }
    more = got.value() > 0;
    for (size_t i = 0; i <= got.value(); ++i) {
      const xargs::Event e = i < got.value() ? splitter.feed(static_cast<char>(chunk[i]))
                             : more          ? xargs::Event::kNone
                                             : splitter.finish();
      if (e == xargs::Event::kError) {
        c.error("{}", splitter.error());
        if (!runner.empty()) runner.run(fixed, fixed_n, trace);
        return c.finish(1);
      }
      if (e == xargs::Event::kItem && !take(splitter.item())) return c.finish(runner.status());
    }
  }
  if (!replacing && (!runner.empty() || (!runner.ran() && !skip_empty)))
    runner.run(fixed, fixed_n, trace);
  return c.finish(runner.status());
}
