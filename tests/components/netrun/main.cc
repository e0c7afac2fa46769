// NetRun: starts the network commands (docs/programs.md) with a namespace channel it serves
// while they run, forwarding Opens of the socket schemes to the stack (as the terminal
// server does for a shell's programs), and logs for each what it wrote on stdout and stderr
// and how it ended; tests/qemu/net_commands.py checks the lines.
#include <stellina/component.h>
#include <stellina/spawn.h>

#include "netrun_env.h"

namespace stellina {
namespace {

constexpr uint64_t kRetryNs = 50'000'000;         // while the disk is not mounted
constexpr uint64_t kPatienceNs = 20'000'000'000;  // after which it gives up
constexpr uint64_t kRunNs = 30'000'000'000;       // a program that takes longer is killed

// The schemes a program may open, as a terminal forwards them; "netstat" (the service's
// name) is opened as the stack's scheme for it.
constexpr lib::StringView kAllowed[] = {"tcp:", "udp:", "ping:", "netstat:"};

// What a program wrote on one stream, at most kMax bytes of it, logged a line at a time
// (a log line is short) with anything unprintable escaped.
struct Captured {
  static constexpr size_t kMax = 4096;
  static constexpr size_t kLine = 160;  // longer lines are logged in pieces
  char text[kMax] = {};
  size_t size = 0;

  void add(const uint8_t* data, size_t n) {
    for (size_t i = 0; i < n && size < kMax; ++i) text[size++] = static_cast<char>(data[i]);
  }
  // Calls line(text) for each line, escaped ("\t" for a tab, '?' for other bytes).
  template <typename F>
  void each_line(F&& line) const {
    char escaped[2 * kLine + 8];
    size_t n = 0;
    for (size_t i = 0; i < size; ++i) {
      const char c = text[i];
      if (c == '\n' || n + 2 >= 2 * kLine) {
        escaped[n] = '\0';
        line(static_cast<const char*>(escaped));
        n = 0;
        if (c == '\n') continue;
      }
      if (c == '\t') {
        escaped[n++] = '\\';
        escaped[n++] = 't';
      } else {
        escaped[n++] = c >= ' ' && c < 127 ? c : '?';
      }
    }
    if (n) {
      escaped[n] = '\0';
      line(static_cast<const char*>(escaped));
    }
  }
};

class NetRun final : public ComponentWith<components::netrun::Env> {
  void on_start() override {
    started_ = sys::clock_now();
    on_timer();
  }

  void on_timer() override {
    if (!files_.valid()) {
      Result<Channel> session = open("file:");
      if (session.ok()) files_.reset(static_cast<Channel&&>(session.value()).release());
    }
    if (files_.valid() && Files(Channel(duplicate_session())).stat("/bin/wget").ok())
      return run_all();
    if (sys::clock_now() - started_ > kPatienceNs) return log("no /bin/wget: giving up");
    ignore(set_timer(sys::clock_now() + kRetryNs), "the test times out without it");
  }

  abi::Handle duplicate_session() const {
    const int64_t h = sys::handle_duplicate(files_.get(), abi::kRightsAll);
    return h < 0 ? abi::kInvalidHandle : static_cast<abi::Handle>(h);
  }

  // Starts /bin/NAME with args, serves its namespace and collects its output until it ends,
  // then logs "LABEL: exited N, out "...", err "..."".
  void start(const char* label, lib::StringView path, std::span<const lib::StringView> args) {
    const Files files{Channel(duplicate_session())};
    SpawnOptions options;
    options.silo = env().spawn_silo;
    options.args = args;
    const lib::StringView environment[] = {"PWD=/"};
    options.env = environment;
    Result<Channel> session = open("file:");
    if (session.ok()) options.files = static_cast<Channel&&>(session.value());
    abi::Handle pair[2];
    if (sys::channel_create(pair) != abi::kOk) return log("{}: no channel", label);
    names_ = Channel(pair[0]);
    options.names = Channel(pair[1]);
    Result<Program> started = spawn_program(files, path, options);
    if (!started.ok()) return log("{}: not started: {}", label, status_name(started.error()));
    Program& p = started.value();
    Stream in(static_cast<Channel&&>(p.in));
    in.close();
    out_.reset(static_cast<Channel&&>(p.out));
    err_.reset(static_cast<Channel&&>(p.err));
    Captured out, err;
    const uint64_t deadline = sys::clock_now() + kRunNs;
    const Status drained = drain(&out, &err, deadline);
    Result<abi::ProcessExit> exit = p.wait(deadline);
    names_.reset();
    if (!exit.ok()) {
      ignore(check_ok(sys::process_kill(p.process.get())), "it is ending anyway");
      return log("{}: did not end: {} (streams: {})", label, status_name(exit.error()),
                 status_name(drained));
    }
    const abi::ProcessExit& e = exit.value();
    out.each_line([&](const char* line) { log("{}> {}", label, line); });
    err.each_line([&](const char* line) { log("{}!> {}", label, line); });
    log("{}: {} {}", label, e.reason == abi::ExitReason::Exited ? "exited" : "killed", e.code);
  }

  // An Open from the program: forwarded if its scheme is allowed, refused if not.
  void serve_open() {
    char uri[abi::kMaxMessageData + 1];
    abi::Handle handles[abi::kMaxMessageHandles];
    for (;;) {
      abi::MessageBuffer m{};
      m.data = uri;
      m.data_capacity = abi::kMaxMessageData;
      m.handles = handles;
      m.handle_capacity = abi::kMaxMessageHandles;
      if (sys::channel_recv(names_.get(), &m) != abi::kOk) return;
      for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
      if (m.kind != abi::MessageKind::Open) continue;
      uri[m.data_size] = '\0';
      lib::StringView asked(uri, m.data_size);
      if (asked == "netstat") {
        lib::format_to(uri, sizeof(uri), "netstat:");
        asked = "netstat:";
      }
      bool allowed = false;
      for (const lib::StringView& scheme : kAllowed) allowed = allowed || asked.starts_with(scheme);
      if (!allowed) {
        ignore(abort(names_, m.call_id, abi::kErrAccessDenied), "the program sees it fail");
        continue;
      }
      Result<Channel> resource = open(uri, 10'000'000'000);
      if (!resource.ok()) {
        ignore(abort(names_, m.call_id, resource.error()), "the program sees it fail");
        continue;
      }
      ignore(reply_open(names_, m.call_id, static_cast<Channel&&>(resource.value())),
             "a program that left wants no answer");
    }
  }

  // Reads stdout and stderr as they come, and serves Opens, until both streams ended.
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
    constexpr uint64_t kNames = 2;
    bool names = sys::poll_add(poll.get(), names_.get(),
                               abi::kSignalReadable | abi::kSignalPeerClosed, kNames) == abi::kOk;
    uint8_t buffer[512];
    while (open[0] || open[1]) {
      abi::PollEvent events[3];
      const int64_t n = sys::poll_wait(poll.get(), events, 3, deadline);
      if (n < 0) return static_cast<Status>(n);
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t k = events[i].key;
        if (k == kNames) {
          serve_open();
          if ((events[i].signals & abi::kSignalPeerClosed) && names) {
            names = false;
            ignore(check_ok(sys::poll_remove(poll.get(), kNames)), "the poll goes next");
          }
          continue;
        }
        for (;;) {
          Result<size_t> got = streams[k]->read_now(buffer, sizeof(buffer));
          if (!got.ok() || got.value() == 0) {
            if (!got.ok() && got.error() == abi::kErrWouldBlock) break;
            open[k] = false;
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
    char base[48];
    lib::format_to(base, sizeof(base), "http://10.0.2.2:{}", env().config.http_port);
    char hello[64], chunked[64], redirect[64], missing[64], loop[64], closed[64];
    lib::format_to(hello, sizeof(hello), "{}/hello.txt", static_cast<const char*>(base));
    lib::format_to(chunked, sizeof(chunked), "{}/chunked", static_cast<const char*>(base));
    lib::format_to(redirect, sizeof(redirect), "{}/redirect", static_cast<const char*>(base));
    lib::format_to(missing, sizeof(missing), "{}/missing", static_cast<const char*>(base));
    lib::format_to(loop, sizeof(loop), "{}/loop", static_cast<const char*>(base));
    lib::format_to(closed, sizeof(closed), "http://10.0.2.2:{}/", env().config.http_port + 1);

    start("ifconfig", "/bin/ifconfig", {});
    const lib::StringView ip_addr[] = {"addr"};
    start("ip addr", "/bin/ip", ip_addr);
    const lib::StringView ip_route[] = {"route", "show"};
    start("ip route", "/bin/ip", ip_route);
    const lib::StringView numeric[] = {"-n"};
    start("route", "/bin/route", numeric);
    const lib::StringView ping[] = {"-c", "2", "-i", "0.2", "10.0.2.2"};
    start("ping", "/bin/ping", ping);
    const lib::StringView flood[] = {"-c", "1", "-i", "0.01", "10.0.2.2"};
    start("ping flood", "/bin/ping", flood);
    const lib::StringView found[] = {"stellina.test", "10.0.2.2"};
    start("nslookup", "/bin/nslookup", found);
    const lib::StringView nxdomain[] = {"missing.test", "10.0.2.2"};
    start("nslookup missing", "/bin/nslookup", nxdomain);
    const lib::StringView get[] = {"-q", "-O", "-", hello};
    start("wget", "/bin/wget", get);
    const lib::StringView get_chunked[] = {"-q", "-O", "-", chunked};
    start("wget chunked", "/bin/wget", get_chunked);
    const lib::StringView get_redirect[] = {"-O", "/fetched.txt", redirect};
    start("wget redirect", "/bin/wget", get_redirect);
    const lib::StringView fetched[] = {"/fetched.txt"};
    start("cat fetched", "/bin/cat", fetched);
    const lib::StringView get_missing[] = {"-q", "-O", "-", missing};
    start("wget 404", "/bin/wget", get_missing);
    const lib::StringView get_loop[] = {"-q", "-O", "-", loop};
    start("wget loop", "/bin/wget", get_loop);
    const lib::StringView get_closed[] = {"-q", "-T", "5", "-O", "-", closed};
    start("wget refused", "/bin/wget", get_closed);
    const lib::StringView get_https[] = {"https://10.0.2.2/"};
    start("wget https", "/bin/wget", get_https);
    const lib::StringView tcp[] = {"-tn"};
    start("netstat", "/bin/netstat", tcp);
    const lib::StringView stats[] = {"-s", "-u"};
    start("netstat -s", "/bin/netstat", stats);
    log("done");
  }

  uint64_t started_ = 0;
  OwnedHandle files_;
  Channel names_;  // our end of the running program's namespace channel
  Stream out_, err_;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::NetRun)
