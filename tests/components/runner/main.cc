// Runner: starts programs from files (docs/programs.md) and logs, for each, what it wrote on
// stdout and stderr and how it ended; tests/qemu/programs.py checks the lines. It runs in a
// silo whose mount table shows only the disk, so the programs it starts see only that too.
#include <stellina/component.h>
#include <stellina/spawn.h>

#include "runner_env.h"

namespace stellina {
namespace {

constexpr uint64_t kRetryNs = 50'000'000;         // while the disk is not mounted
constexpr uint64_t kPatienceNs = 20'000'000'000;  // after which it gives up
constexpr uint64_t kRunNs = 10'000'000'000;       // a program that takes longer is killed

// What a program wrote on one stream, escaped for a log line, at most kMax bytes of it.
struct Captured {
  static constexpr size_t kMax = 60;
  char text[4 * kMax + 8] = {};
  size_t size = 0;
  size_t bytes = 0;

  void add(const uint8_t* data, size_t n) {
    for (size_t i = 0; i < n; ++i, ++bytes) {
      if (bytes >= kMax) continue;
      const char c = static_cast<char>(data[i]);
      if (c == '\n') {
        text[size++] = '\\';
        text[size++] = 'n';
      } else if (c >= ' ' && c < 127 && c != '"' && c != '\\') {
        text[size++] = c;
      } else {
        text[size++] = '?';
      }
    }
    text[size] = '\0';
  }
};

class Runner final : public ComponentWith<components::runner::Env> {
  void on_start() override {
    started_ = sys::clock_now();
    on_timer();
  }

  void on_timer() override {
    if (!files_.valid()) {
      Result<Channel> session = open("file:");
      if (session.ok()) files_.reset(static_cast<Channel&&>(session.value()).release());
    }
    if (files_.valid() && Files(Channel(duplicate_session())).stat("/bin/echo").ok())
      return run_all();
    if (sys::clock_now() - started_ > kPatienceNs) return log("no /bin/echo: giving up");
    ignore(set_timer(sys::clock_now() + kRetryNs), "the test times out without it");
  }

  // A second handle to the session for a Files that closes it (the session itself stays).
  abi::Handle duplicate_session() const {
    const int64_t h = sys::handle_duplicate(files_.get(), abi::kRightsAll);
    return h < 0 ? abi::kInvalidHandle : static_cast<abi::Handle>(h);
  }

  // Starts path with args and env, feeds it input (then the end of its stdin), collects its
  // output and logs how it ended: "NAME: exited 0, out "...", err "..."".
  void start(const char* label, lib::StringView path, std::span<const lib::StringView> args,
             std::span<const lib::StringView> environment = {}, lib::StringView input = {}) {
    const Files files{Channel(duplicate_session())};
    SpawnOptions options;
    options.silo = env().spawn_silo;
    options.args = args;
    options.env = environment;
    Result<Channel> session = open("file:");
    if (session.ok()) options.files = static_cast<Channel&&>(session.value());
    Result<Program> started = spawn_program(files, path, options);
    if (!started.ok()) return log("{}: not started: {}", label, status_name(started.error()));
    Program& p = started.value();
    Stream in(static_cast<Channel&&>(p.in));
    if (!input.empty()) ignore(in.write(input), "its output shows what it read");
    in.close();
    out_.reset(static_cast<Channel&&>(p.out));
    err_.reset(static_cast<Channel&&>(p.err));
    Captured out, err;
    const uint64_t deadline = sys::clock_now() + kRunNs;
    const Status drained = drain(&out, &err, deadline);
    Result<abi::ProcessExit> exit = p.wait(deadline);
    if (!exit.ok()) {
      ignore(check_ok(sys::process_kill(p.process.get())), "it is ending anyway");
      return log("{}: did not end: {} (streams: {})", label, status_name(exit.error()),
                 status_name(drained));
    }
    const abi::ProcessExit& e = exit.value();
    const char* how = e.reason == abi::ExitReason::Exited          ? "exited"
                      : e.reason == abi::ExitReason::Fault         ? "fault"
                      : e.reason == abi::ExitReason::QuotaExceeded ? "quota"
                                                                   : "killed";
    log("{}: {} {} ({}), out \"{}\", err \"{}\"", label, how, e.code,
        static_cast<const char*>(e.detail), static_cast<const char*>(out.text),
        static_cast<const char*>(err.text));
  }

  // Reads stdout and stderr as they come, until both have ended (or the deadline).
  Status drain(Captured* out, Captured* err, uint64_t deadline) {
    const int64_t made = sys::poll_create();
    if (made < 0) return static_cast<Status>(made);
    const OwnedHandle poll(static_cast<abi::Handle>(made));
    Stream* streams[2] = {&out_, &err_};
    Captured* captured[2] = {out, err};
    bool open[2] = {false, false};
    for (uint64_t k = 0; k < 2; ++k) {
      open[k] = streams[k]->valid() &&
                sys::poll_add(poll.get(), streams[k]->channel().get(),
                              abi::kSignalReadable | abi::kSignalPeerClosed, k) == abi::kOk;
    }
    uint8_t buffer[512];
    while (open[0] || open[1]) {
      abi::PollEvent events[2];
      const int64_t n = sys::poll_wait(poll.get(), events, 2, deadline);
      if (n < 0) return static_cast<Status>(n);
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t k = events[i].key;
        for (;;) {
          Result<size_t> got = streams[k]->read_now(buffer, sizeof(buffer));
          if (!got.ok() || got.value() == 0) {
            if (!got.ok() && got.error() == abi::kErrWouldBlock) break;
            open[k] = false;  // its end (or a failure: give up on it)
            ignore(check_ok(sys::poll_remove(poll.get(), k)), "the poll goes next");
            break;
          }
          captured[k]->add(buffer, got.value());
        }
      }
    }
    return abi::kOk;
  }

  void run_all() {
    const lib::StringView hello[] = {"hello", "world"};
    const lib::StringView greeting[] = {"HOME=/", "GREETING=hi there"};
    start("echo", "/bin/echo", hello, greeting);
    // The environment reaches the program: uname -n prints $HOSTNAME, or its default.
    const lib::StringView node[] = {"-n"};
    const lib::StringView host[] = {"HOME=/", "HOSTNAME=hi there"};
    start("uname -n", "/bin/uname", node, host);
    start("uname -n without env", "/bin/uname", node);
    const lib::StringView motd[] = {"/etc/motd"};
    start("cat motd", "/bin/cat", motd);
    const lib::StringView missing[] = {"/missing"};
    start("cat missing", "/bin/cat", missing);
    // /boot is in the system's mount table, not in runner's silo's: the program sees the
    // tree of its starter, and '..' does not climb out of it.
    const lib::StringView outside[] = {"/boot/manifest"};
    start("cat outside", "/bin/cat", outside);
    const lib::StringView climb[] = {"/../../etc/motd"};
    start("cat climb", "/bin/cat", climb);
    start("cat stdin", "/bin/cat", {}, {}, "piped through\n");
    start("crash", "/bin/crash", {});
    start("hog", "/bin/hog", {});
    start("not a program", "/etc/motd", {});
    start("no such program", "/bin/nope", {});
    start("a directory", "/bin", {});
    const lib::StringView bad_env[] = {"NOEQUALS"};
    start("bad env", "/bin/echo", {}, bad_env);
    static lib::StringView many[abi::kProgramMaxArgs];
    for (lib::StringView& a : many) a = "x";
    start("too many args", "/bin/echo", many);
    start("again after all that", "/bin/echo", hello, greeting);
    abi::SiloStats stats{};
    const int64_t r = sys::silo_stats(env().spawn_silo, &stats);
    log("spawn silo: status {}, {} processes, {} threads, limit {} pages", r, stats.processes,
        stats.threads, stats.limits.memory_pages);
    log("done");
  }

  uint64_t started_ = 0;
  OwnedHandle files_;  // runner's own file: session
  Stream out_, err_;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::Runner)
