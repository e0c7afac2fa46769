// term: the terminals' server (docs/shell.md). For each terminal it holds it runs a session:
// /bin/sh -i in a silo of its own, its stdin fed with what is typed, its stdout and stderr
// written back, and a namespace channel through which the session's programs open what term
// may open itself, but the terminals. The terminals:
//
//  - the serial console (serial:), always: when sh ends, its exit is reported and a new one
//    starts, as getty does;
//  - telnet connections, when the settings give a port: term listens on it (tcp-listen:);
//  - WebSockets of the web terminal, when the settings say so: httpd hands term each
//    connection that asks for /terminal/ws (the service web-terminal, which term requires:
//    term says "ready" on it, and httpd then passes such a connection with the bytes it read).
//
// A remote terminal (remote.h) asks for the password first (the settings hold its record);
// its session ends when the connection closes (sh is killed), and sh ending closes the
// connection. The settings are the spec's [config], or the file it names (settings.h).
#include <stellina/component.h>
#include <stellina/files.h>
#include <stellina/socket.h>
#include <stellina/spawn.h>

#include <lib/password.h>

#include "servers/term/remote.h"
#include "servers/term/settings.h"
#include "term_env.h"

namespace stellina {
namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kRetryNs = 500 * kMs;      // no serial port yet, no /bin/sh yet, no settings
constexpr uint64_t kRestartNs = 200 * kMs;    // after sh ended
constexpr uint64_t kWriteRetryNs = 10 * kMs;  // a full queue
constexpr uint64_t kNoShellNoticeNs = 5'000 * kMs;
constexpr uint64_t kListenRetryNs = 2'000 * kMs;
constexpr uint64_t kOpenTimeoutNs = 1'000 * kMs;  // open() holds the loop: keep it short
// The disk holding the settings file may come up after term: how long to wait for it before
// going on with the spec's values.
constexpr uint64_t kSettingsPatienceNs = 60'000 * kMs;
constexpr uint64_t kLingerNs = 2'000 * kMs;  // a closing connection: for the client's end
// Sessions: the serial console's and the remote ones. One more slot serves only to tell a
// connection past the limits why it is refused.
constexpr size_t kMaxSessions = 5;
constexpr size_t kSlots = kMaxSessions + 1;
constexpr size_t kMaxLogins = 2;       // remote terminals still asking for the password
constexpr size_t kMaxNamespaces = 64;  // live programs holding a namespace channel, in all
constexpr size_t kMaxPending = 64;     // Opens forwarded and not yet answered
constexpr size_t kOutBytes = 32768;    // output waiting for a terminal that does not take it
constexpr size_t kInBytes = 4096;      // input waiting for a shell that does not read
constexpr size_t kSettingsBytes = 2048;

constexpr lib::StringView kTooManySessions = "Too many sessions: try again later.\r\n";
constexpr lib::StringView kTooManyLogins = "Too many logins in progress: try again later.\r\n";

// The session's silo: what its programs may take, together, at most.
constexpr abi::SiloLimits kSessionLimits{.memory_pages = 12288, .threads = 32, .cpu_percent = 0};

// URI schemes a session's programs may open through term (term's own requires, but the
// terminals, which are term's alone).
constexpr lib::StringView kAllowed[] = {
    "file:", "tcp:", "tcp-listen:", "udp:", "ping:", "netstat:", "status:", "control:"};
// Services a program names without a scheme, and the scheme that gives another channel to
// each.
struct Alias {
  lib::StringView name, scheme;
};
constexpr Alias kAliases[] = {{"control", "control:"}, {"netstat", "netstat:"}};

// The shell's environment; a session's window size and terminal type are added to it.
constexpr lib::StringView kEnvironment[] = {"HOME=/home",    "PATH=/bin", "PWD=/home",
                                            "SHELL=/bin/sh", "USER=root", "HOSTNAME=stellina"};

class Term;

enum class Kind : uint8_t { Serial, Telnet, Web };

struct Session final : term::RemoteOwner {
  Term* owner = nullptr;
  bool used = false;
  Kind kind = Kind::Serial;
  Channel terminal;  // bytes both ways: the serial port, or a TCP connection
  Program sh;        // in: its stdin (ours to write); out, err: ours to read
  OwnedHandle silo;
  bool running = false;
  uint64_t restart_at = 0;
  uint64_t waiting_since = 0;  // for /bin/sh
  bool told_no_shell = false;
  bool after_cr = false;  // the last byte written to the serial console was CR
  bool held = false;      // sh's output paused: the terminal is behind
  // A remote terminal: its protocol and login, and its close.
  term::RemoteTerminal* remote = nullptr;
  bool closing = false;  // remote_close came: send what is queued, then FIN, then close
  bool fin_sent = false;
  bool peer_ended = false;  // the client has finished sending
  uint64_t close_at = 0;
  char columns_env[16] = {};
  char lines_env[16] = {};
  alignas(term::RemoteTerminal) unsigned char remote_storage[sizeof(term::RemoteTerminal)];
  char out[kOutBytes];
  size_t out_size = 0;
  uint8_t in[kInBytes];
  size_t in_size = 0;

  // term::RemoteOwner
  void remote_send(const uint8_t* data, size_t size) override;
  void remote_typed(const uint8_t* data, size_t size) override;
  bool remote_check(lib::StringView password) override;
  void remote_login() override;
  void remote_close() override;
};

// A namespace channel term serves for one program of a session.
struct Names {
  Channel* ch = nullptr;  // where the loop keeps it; null: free
  Session* session = nullptr;
  uint64_t generation = 0;
};

// An Open forwarded on term's own namespace, waiting for its answer.
struct Pending {
  uint64_t call = 0;  // term's call id; 0: free
  size_t names = 0;   // which Names asked
  uint64_t generation = 0;
  uint64_t caller_call = 0;
};

class Term final : public ComponentWith<components::term::Env> {
 public:
  Term() {  // NOLINT(modernize-use-equals-default): the sessions know their owner
    for (Session& s : sessions_) s.owner = this;
  }

 private:
  friend struct Session;

  void on_start() override {
    names_.reset(namespace_handle());  // watched for the answers to forwarded Opens
    if (!watch(names_).ok()) log("cannot watch the namespace: programs open nothing");
    const auto& c = env().config;
    settings_.telnet_port = c.telnet_port;
    settings_.web = c.web;
    settings_.login_timeout_s = c.login_timeout;
    if (!settings_.set_password(c.password)) log("the spec's password is not a record: ignored");
    started_ = sys::clock_now();
    on_timer();
  }

  void on_timer() override {
    armed_ = 0;  // the timer has fired: nothing is armed
    const uint64_t now = sys::clock_now();
    if (!serial_.used) attach_serial();
    if (!settings_loaded_) load_settings(now);
    if (settings_loaded_ && settings_.telnet_on() && !listen_.valid() && now >= listen_at_)
      try_listen(now);
    for (Session& s : sessions_) {
      if (!s.used) continue;
      if (s.kind == Kind::Serial && !s.running && s.terminal.valid() && now >= s.restart_at)
        start_shell(s);
      if (s.remote && !s.closing) s.remote->tick(now);
      if (s.closing && now >= s.close_at) close_remote(s);
    }
    for (Session& s : sessions_) flush(s);
    arm();
  }

  void after_events() override {
    // A closing connection whose client has ended too, and that has sent all: done.
    for (Session& s : sessions_)
      if (s.used && s.closing && s.peer_ended && s.out_size == 0) close_remote(s);
    arm();
  }

  // --- The settings ---

  void load_settings(uint64_t now) {
    const char* path = env().config.settings;
    if (!path || !*path) return settings_ready("no settings file");
    if (!files_.valid()) {
      Result<Files> files = Files::connect(*this);
      if (files.ok()) files_ = static_cast<Files&&>(files.value());
    }
    Result<File> f = files_.valid() ? files_.open(path) : Result<File>(abi::kErrPeerClosed);
    if (!f.ok()) {
      // Not there: the spec's values. No file system yet: wait for it a while.
      if (f.error() == abi::kErrPeerClosed && now - started_ < kSettingsPatienceNs) return;
      return settings_ready(f.error() == abi::kErrNotFound ? "no settings file"
                                                           : "the settings file is unreadable");
    }
    char text[kSettingsBytes];
    const Result<size_t> n = f.value().read(0, text, sizeof text);
    if (!n.ok() || n.value() == sizeof text)
      return settings_ready("the settings file is unreadable");
    const size_t bad = term::parse_settings(lib::StringView(text, n.value()), settings_);
    if (bad) {
      log("{} line {}: not a setting; the spec's values hold", path, bad);
      return settings_ready("the settings file is refused");
    }
    settings_ready(path);
  }

  void settings_ready(const char* from) {
    settings_loaded_ = true;
    if (settings_.password[0] && !lib::password_verify("", settings_.password_record()).ok()) {
      log("the password is not a pbkdf2-sha256 record: remote shells are off");
      settings_.password[0] = '\0';
    }
    if ((settings_.telnet_port || settings_.web) && !settings_.password[0])
      log("no password is set: remote shells are off");
    log("remote shells ({}): telnet {}, web terminal {}", from,
        settings_.telnet_on() ? "on" : "off", settings_.web_on() ? "on" : "off");
    if (settings_.telnet_on()) log("telnet on port {}", settings_.telnet_port);
    announce_web();
  }

  // Tells httpd to hand over the web terminal's connections.
  void announce_web() {
    if (!settings_loaded_ || !settings_.web_on() || !env().httpd.valid()) return;
    if (!env().httpd.send("ready").ok()) log("cannot tell httpd: no web terminal");
  }

  void on_service_connected(const char* field) override {
    if (lib::StringView(field) == "httpd") announce_web();
  }

  // --- Terminals ---

  void attach_serial() {
    Result<Channel> ch = open("serial:");
    if (!ch.ok()) return;
    Session& s = serial_;
    reset(s, Kind::Serial);
    s.terminal = static_cast<Channel&&>(ch.value());
    if (!watch(s.terminal, &s).ok()) {
      log("cannot watch the serial console");
      s.terminal.reset();
      s.used = false;
      return;
    }
    log("holding the serial console");
    write(s, "\nStellina. Ctrl-] brings the kernel console (exit returns here).\n");
  }

  void reset(Session& s, Kind kind) {
    s.used = true;
    s.kind = kind;
    s.running = s.told_no_shell = s.after_cr = s.held = false;
    s.closing = s.fin_sent = s.peer_ended = false;
    s.restart_at = s.waiting_since = s.close_at = 0;
    s.out_size = s.in_size = 0;
    s.remote = nullptr;
  }

  void try_listen(uint64_t now) {
    char uri[64];
    lib::format_to(uri, sizeof(uri), "tcp-listen:0.0.0.0:{}/4;nodelay", settings_.telnet_port);
    Result<Channel> ch = open(uri, kOpenTimeoutNs);
    if (!ch.ok()) {
      listen_at_ = now + kListenRetryNs;
      return;
    }
    listen_ = static_cast<Channel&&>(ch.value());
    if (!watch(listen_).ok()) {
      log("cannot watch the telnet port");
      listen_.reset();
      listen_at_ = now + kListenRetryNs;
      return;
    }
    log("listening for telnet on port {}", settings_.telnet_port);
  }

  void on_accept(Channel& ch, Channel conn, Bytes info) override {
    if (&ch != &listen_) return;  // conn closes here
    if (info.size >= sizeof(abi::SocketConnectInfo)) {
      abi::SocketConnectInfo c;
      __builtin_memcpy(&c, info.data, sizeof c);
      log("telnet: a connection from {}.{}.{}.{}:{}", c.remote.address[0], c.remote.address[1],
          c.remote.address[2], c.remote.address[3], c.remote.port);
    }
    begin_remote(Kind::Telnet, static_cast<Channel&&>(conn), Bytes{});
  }

  // A connection httpd hands over: its request's first bytes, and handle 0 the connection.
  void on_handover(Bytes request) {
    Channel conn(take_handle(0));
    if (!conn.valid()) return;
    if (!settings_.web_on()) return;  // it closes here
    begin_remote(Kind::Web, static_cast<Channel&&>(conn), request);
  }

  // A new remote terminal on conn, in a free slot, or in the refusal slot to be told why not.
  void begin_remote(Kind kind, Channel conn, Bytes first) {
    Session* s = nullptr;
    size_t logins = 0;
    for (size_t i = 1; i < kMaxSessions; ++i) {
      Session& t = sessions_[i];
      if (!t.used && !s) s = &t;
      if (t.used && t.remote && !t.closing &&
          t.remote->state() != term::RemoteTerminal::State::Shell)
        ++logins;
    }
    lib::StringView refusal;
    if (!s) {
      refusal = kTooManySessions;
    } else if (logins >= kMaxLogins) {
      refusal = kTooManyLogins;
    }
    if (!refusal.empty()) {
      log("refused a remote terminal: {}", refusal.size() == kTooManySessions.size()
                                               ? "too many sessions"
                                               : "too many logins in progress");
      s = &sessions_[kSlots - 1];
      if (s->used) {  // already telling another: telnet gets the text as it is, then closes
        if (kind == Kind::Telnet) ignore(conn.send(refusal), "it closes all the same");
        return;
      }
    }
    reset(*s, kind);
    s->terminal = static_cast<Channel&&>(conn);
    if (!watch(s->terminal, s).ok()) {
      log("cannot watch a remote terminal: too many channels");
      s->terminal.reset();
      s->used = false;
      return;
    }
    const uint64_t now = sys::clock_now();
    s->remote = new (s->remote_storage) term::RemoteTerminal(
        *s,
        kind == Kind::Telnet ? term::RemoteTerminal::Kind::Telnet : term::RemoteTerminal::Kind::Web,
        now, static_cast<uint64_t>(settings_.login_timeout_s) * 1'000 * kMs);
    if (!refusal.empty()) s->remote->refuse(refusal);
    s->remote->start();
    if (first.size && !s->closing)
      s->remote->receive(static_cast<const uint8_t*>(first.data), first.size, now);
    flush(*s);
  }

  bool check_password(lib::StringView password) {
    const lib::Result<bool> ok = lib::password_verify(password, settings_.password_record());
    const bool right = ok.ok() && ok.value();
    if (!right) log("a remote login failed");
    return right;
  }

  // Closing: what is queued goes first, then our end of the stream (FIN); the connection is
  // closed when the client ends its side or kLingerNs has passed, so bytes it still sends do
  // not turn the close into a reset that would destroy what it has not read yet.
  void remote_closing(Session& s) {
    if (s.closing) return;
    s.closing = true;
    s.close_at = sys::clock_now() + kLingerNs;
    end_session(s);
    resume(s.terminal);  // reading on, for the client's end
  }

  void close_remote(Session& s) {
    end_session(s);
    unwatch(s.terminal);
    s.terminal.reset();
    s.remote = nullptr;  // trivially destructible: nothing to run
    s.used = false;
    s.closing = false;
    s.out_size = s.in_size = 0;
  }

  // --- Shells ---

  // Starts /bin/sh -i on the session's terminal. The serial console's says why not and tries
  // again later; a remote one is closed.
  void start_shell(Session& s) {
    const char* why = spawn_shell(s);
    if (!why) {
      s.told_no_shell = false;
      s.waiting_since = 0;
      log("started /bin/sh");
      return;
    }
    if (s.remote) {
      log("cannot start /bin/sh for a remote terminal: {}", why);
      char line[120];
      lib::format_to(line, sizeof(line), "cannot start /bin/sh ({})\n", why);
      s.remote->finish(line);
      return;
    }
    retry(s, why);
  }

  // Null, or why not.
  const char* spawn_shell(Session& s) {
    if (!files_.valid()) {
      Result<Files> files = Files::connect(*this);
      if (!files.ok()) return "no file system";
      files_ = static_cast<Files&&>(files.value());
    }
    if (!s.silo.valid()) {
      const int64_t silo = sys::silo_create(env().spawn_silo, &kSessionLimits);
      if (silo < 0) return status_name(static_cast<Status>(silo));
      s.silo.reset(static_cast<abi::Handle>(silo));
    }
    SpawnOptions o;
    o.silo = s.silo.get();
    const int64_t child_silo = sys::handle_duplicate(
        s.silo.get(), abi::kRightRead | abi::kRightManage | abi::kRightDuplicate |
                          abi::kRightTransfer | abi::kRightWait);
    if (child_silo < 0) return status_name(static_cast<Status>(child_silo));
    o.child_silo.reset(static_cast<abi::Handle>(child_silo));
    const lib::StringView args[] = {"-i"};
    o.args = args;
    // The window: the remote terminal's, else 80 x 24.
    const uint16_t columns = s.remote ? s.remote->columns() : 80;
    const uint16_t rows = s.remote ? s.remote->rows() : 24;
    lib::format_to(s.columns_env, sizeof(s.columns_env), "COLUMNS={}", columns);
    lib::format_to(s.lines_env, sizeof(s.lines_env), "LINES={}", rows);
    constexpr size_t kBase = sizeof(kEnvironment) / sizeof(kEnvironment[0]);
    lib::StringView environment[kBase + 3];
    for (size_t i = 0; i < kBase; ++i) environment[i] = kEnvironment[i];
    environment[kBase] = s.columns_env;
    environment[kBase + 1] = s.lines_env;
    environment[kBase + 2] = s.kind == Kind::Web ? "TERM=xterm" : "TERM=vt100";
    o.env = environment;
    Result<Channel> tree = open("file:");
    if (!tree.ok()) return "no file system";
    o.files = static_cast<Channel&&>(tree.value());
    Result<Channel> names = make_names(s);
    if (!names.ok()) return status_name(names.error());
    o.names = static_cast<Channel&&>(names.value());
    // stdout and stderr are one channel (two handles to its end), so what sh writes on
    // each reaches the terminal in the order it was written.
    Channel output;
    abi::Handle ends[2];
    if (sys::channel_create(ends) != abi::kOk) return "no memory";
    output.reset(ends[0]);
    o.out.reset(ends[1]);
    const int64_t err = sys::handle_duplicate(ends[1], abi::kRightsAll & ~abi::kRightMap);
    if (err < 0) return status_name(static_cast<Status>(err));
    o.err.reset(static_cast<abi::Handle>(err));
    Result<Program> sh = spawn_program(files_, "/bin/sh", o);
    if (!sh.ok()) return status_name(sh.error());
    s.sh = static_cast<Program&&>(sh.value());
    s.sh.out = static_cast<Channel&&>(output);
    s.running = true;
    if (!watch(s.sh.in, &s).ok() || !watch(s.sh.out, &s).ok()) {
      log("cannot watch the shell's streams: too many channels");
      end_session(s);
      return "too many channels";
    }
    return nullptr;
  }

  void retry(Session& s, const char* why) {
    const uint64_t now = sys::clock_now();
    if (s.waiting_since == 0) s.waiting_since = now;
    if (!s.told_no_shell && now - s.waiting_since >= kNoShellNoticeNs) {
      s.told_no_shell = true;
      log("cannot start /bin/sh: {}; trying again", why);
      write(s, "cannot start /bin/sh (");
      write(s, why);
      write(s, "); trying again. Ctrl-] switches to the kernel console.\n");
    }
    s.restart_at = now + kRetryNs;
  }

  // A fresh namespace channel for one of s's programs: the other end is returned.
  Result<Channel> make_names(Session& s) {
    size_t free = kMaxNamespaces;
    for (size_t i = 0; i < kMaxNamespaces && free == kMaxNamespaces; ++i)
      if (!names_of_[i].ch) free = i;
    if (free == kMaxNamespaces) return abi::kErrNoResources;
    abi::Handle ends[2];
    TRY(check_ok(sys::channel_create(ends)));
    Names& n = names_of_[free];
    n.ch = TRY(listen(Channel(ends[0]), &n));
    n.session = &s;
    n.generation = ++generation_;
    return Channel(ends[1]);
  }

  // The Names or Session a watched channel belongs to (null: neither).
  Names* names_at(const Channel& ch) const {
    auto* n = context_of<Names>(ch);
    return n >= names_of_ && n < names_of_ + kMaxNamespaces && n->ch == &ch ? n : nullptr;
  }
  Session* session_at(const Channel& ch) const {
    auto* s = context_of<Session>(ch);
    return s >= sessions_ && s < sessions_ + kSlots ? s : nullptr;
  }

  void on_open(Channel& ch, uint64_t call_id, const char* uri_text, size_t uri_size) override {
    Names* n = names_at(ch);
    if (!n) {
      ignore(abort(ch, call_id, abi::kErrNotFound), "a caller that left wants no answer");
      return;
    }
    const lib::StringView uri(uri_text, uri_size);
    if (uri == "namespace:") {
      Result<Channel> more = make_names(*n->session);
      if (!more.ok()) {
        ignore(abort(ch, call_id, more.error()), "the program sees no answer and gives up");
        return;
      }
      ignore(reply_open(ch, call_id, static_cast<Channel&&>(more.value())), "it left");
      return;
    }
    lib::StringView forwarded = uri;
    for (const Alias& a : kAliases)
      if (uri == a.name) forwarded = a.scheme;
    bool allowed = false;
    for (const lib::StringView scheme : kAllowed)
      allowed = allowed || forwarded.starts_with(scheme);
    Pending* p = nullptr;
    for (Pending& q : pending_)
      if (!p && q.call == 0) p = &q;
    if (!allowed || !p) {
      ignore(abort(ch, call_id, allowed ? abi::kErrNoResources : abi::kErrAccessDenied),
             "a caller that left wants no answer");
      return;
    }
    const uint64_t call = next_call_++;
    if (!names_.send(abi::MessageKind::Open, forwarded, call, nullptr, 0).ok()) {
      ignore(abort(ch, call_id, abi::kErrPeerClosed), "a caller that left wants no answer");
      return;
    }
    *p = Pending{call, static_cast<size_t>(n - names_of_), n->generation, call_id};
  }

  // The caller of a forwarded Open, if it is still there; frees its Pending.
  Channel* answer_to(uint64_t call, uint64_t* caller_call) {
    for (Pending& p : pending_) {
      if (p.call != call || call == 0) continue;
      p.call = 0;
      Names& n = names_of_[p.names];
      *caller_call = p.caller_call;
      return n.ch && n.generation == p.generation ? n.ch : nullptr;
    }
    return nullptr;
  }

  void on_open_reply(Channel& ch, uint64_t call, Channel resource) override {
    uint64_t caller_call = 0;
    if (&ch != &names_) return;
    if (Channel* to = answer_to(call, &caller_call))
      ignore(reply_open(*to, caller_call, static_cast<Channel&&>(resource)), "it left");
  }

  void on_abort(Channel& ch, uint64_t call, Status status) override {
    uint64_t caller_call = 0;
    if (&ch != &names_) return;
    if (Channel* to = answer_to(call, &caller_call))
      ignore(abort(*to, caller_call, status), "a caller that left wants no answer");
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == &env().httpd) return on_handover(data);
    Session* s = session_at(ch);
    if (!s || &ch == &s->sh.in) return;
    if (&ch != &s->terminal) {
      write(*s, lib::StringView(static_cast<const char*>(data.data), data.size));
      return;
    }
    if (!s->remote) {
      typed(*s, static_cast<const uint8_t*>(data.data), data.size);
      return;
    }
    if (data.size == 0) {  // the client has finished sending: the session is over
      s->peer_ended = true;
      if (!s->closing) s->remote->finish("");
      return;
    }
    if (s->closing) return;  // what comes after the end is dropped
    s->remote->receive(static_cast<const uint8_t*>(data.data), data.size, sys::clock_now());
    flush(*s);
  }

  // Error{status} on a connection: it failed (reset, timed out); the stack closes it next.
  void on_error(Channel& ch, Status status) override {
    Session* s = session_at(ch);
    if (s && s->remote && &ch == &s->terminal) {
      if (!s->closing) s->remote->finish("");
      close_remote(*s);
      return;
    }
    Component::on_error(ch, status);
  }

  // What the user typed goes to the shell as it is: sh edits the line itself.
  void typed(Session& s, const uint8_t* p, size_t n) {
    if (!s.running) return;                                  // no shell to read it yet
    if (s.in_size + n > kInBytes) n = kInBytes - s.in_size;  // a shell that does not read
    __builtin_memcpy(s.in + s.in_size, p, n);
    s.in_size += n;
    feed(s);
  }

  void feed(Session& s) {
    if (s.in_size == 0 || !s.sh.in.valid()) return;
    const Result<void> sent = s.sh.in.send(Bytes{s.in, s.in_size});
    if (!sent.ok() && sent.error() == abi::kErrWouldBlock) {
      pause(s.terminal);  // until the shell reads: back-pressure to the kernel's queue
      notify_writable(s.sh.in);
      return;
    }
    s.in_size = 0;  // taken (or the shell has gone: its input with it)
  }

  void on_writable(Channel& ch) override {
    Session* s = session_at(ch);
    if (!s) return;
    if (&ch == &s->sh.in) {
      feed(*s);
      if (s->in_size == 0) resume(s->terminal);
    } else {
      flush(*s);
    }
  }

  // Output for the terminal: on the serial console LF as CR LF; a remote terminal encodes it
  // for its connection.
  void write(Session& s, lib::StringView text) {
    if (s.remote) {
      s.remote->output(text);
    } else {
      for (const char c : text) {
        if (c == '\n' && !s.after_cr) put(s, '\r');
        put(s, c);
        s.after_cr = c == '\r';
      }
    }
    flush(s);
  }

  void put(Session& s, char c) {
    if (s.out_size == kOutBytes) {
      ++dropped_;
      return;
    }
    s.out[s.out_size++] = c;
  }

  // Bytes for a connection: all of them, or (the queue being full) none, so that what is
  // sent stays whole frames.
  void put_wire(Session& s, const uint8_t* data, size_t size) {
    if (size > kOutBytes - s.out_size) {
      ++dropped_;
      return;
    }
    __builtin_memcpy(s.out + s.out_size, data, size);
    s.out_size += size;
  }

  void flush(Session& s) {
    size_t done = 0;
    while (done < s.out_size && s.terminal.valid()) {
      size_t n = s.out_size - done;
      if (n > abi::kMaxMessageData) n = abi::kMaxMessageData;
      const Result<void> sent = s.terminal.send(Bytes{s.out + done, n});
      if (!sent.ok()) break;
      done += n;
    }
    __builtin_memmove(s.out, s.out + done, s.out_size - done);
    s.out_size -= done;
    if (s.closing && s.out_size == 0 && !s.fin_sent && s.terminal.valid())
      s.fin_sent = s.terminal.send(Bytes{nullptr, 0}).ok();  // our end of the stream
    // Output waiting: hold the shell until the terminal takes it.
    const bool hold = s.out_size > kOutBytes / 2;
    if (s.running && hold != s.held) {
      s.held = hold;
      if (hold) {
        pause(s.sh.out);
        notify_writable(s.terminal);
      } else {
        resume(s.sh.out);
      }
    }
  }

  void on_peer_closed(Channel& ch) override {
    if (Names* n = names_at(ch)) {
      n->ch = nullptr;
      return;
    }
    if (&ch == &listen_) {
      log("the telnet port closed: listening again");
      listen_.reset();
      listen_at_ = sys::clock_now() + kListenRetryNs;
      return;
    }
    Session* s = session_at(ch);
    if (!s) return;
    if (&ch == &s->terminal) {
      if (s->remote) {
        if (!s->closing) s->remote->finish("");
        close_remote(*s);
        return;
      }
      log("lost the terminal");
      end_session(*s);
      s->used = false;
      return;
    }
    // Its stdout closing: sh has ended (or closed it, which ends the session all the same).
    if (s->running && &ch == &s->sh.out) shell_ended(*s);
  }

  void shell_ended(Session& s) {
    abi::ProcessExit e{};
    const Result<abi::ProcessExit> exit = s.sh.wait(sys::clock_now() + 1'000'000'000);
    if (exit.ok()) e = exit.value();
    end_session(s);
    s.in_size = 0;
    if (s.remote) {  // a remote terminal ends with its shell
      s.remote->finish("");
      return;
    }
    char line[160];
    lib::format_to(line, sizeof(line), "\n[sh ended: {} {}]\n", static_cast<const char*>(e.detail),
                   e.code);
    write(s, line);
    s.restart_at = sys::clock_now() + kRestartNs;
  }

  // Ends the shell (killed if it still runs) and lets go of its streams.
  void end_session(Session& s) {
    if (s.sh.process.valid())
      ignore(check_ok(sys::process_kill(s.sh.process.get())), "it may have ended already");
    unwatch(s.sh.in);
    unwatch(s.sh.out);
    s.sh = Program();
    s.running = false;
    s.held = false;
  }

  void arm() {
    uint64_t when = UINT64_MAX;
    const uint64_t now = sys::clock_now();
    auto at = [&](uint64_t t) {
      if (t < when) when = t;
    };
    if (!serial_.used || !settings_loaded_) at(now + kRetryNs);
    if (settings_loaded_ && settings_.telnet_on() && !listen_.valid()) at(listen_at_);
    for (const Session& s : sessions_) {
      if (!s.used) continue;
      if (s.kind == Kind::Serial && !s.running) at(s.restart_at);
      if (s.out_size || (s.closing && !s.fin_sent)) at(now + kWriteRetryNs);
      if (s.remote && !s.closing) at(s.remote->deadline());
      if (s.closing) at(s.close_at);
    }
    if (when != UINT64_MAX && when != armed_) {
      armed_ = when;
      ignore(set_timer(when), "the next event sets it again");
    }
  }

  Session sessions_[kSlots];
  Session& serial_ = sessions_[0];  // then the remote ones, and the refusal slot last
  Names names_of_[kMaxNamespaces];
  Pending pending_[kMaxPending];
  Channel names_;
  Channel listen_;  // telnet's port
  uint64_t listen_at_ = 0;
  Files files_{Channel()};
  term::Settings settings_;
  bool settings_loaded_ = false;
  uint64_t started_ = 0;
  uint64_t armed_ = 0;
  uint64_t generation_ = 0;
  uint64_t next_call_ = 1;
  uint64_t dropped_ = 0;
};

void Session::remote_send(const uint8_t* data, size_t size) { owner->put_wire(*this, data, size); }
void Session::remote_typed(const uint8_t* data, size_t size) { owner->typed(*this, data, size); }
bool Session::remote_check(lib::StringView password) { return owner->check_password(password); }
void Session::remote_login() { owner->start_shell(*this); }
void Session::remote_close() { owner->remote_closing(*this); }

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::Term)
