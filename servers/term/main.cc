// term: the terminals' server (docs/shell.md). For each terminal it holds (today the serial
// console, serial:) it runs a session: /bin/sh -i in a silo of its own, its stdin fed with
// what is typed, its stdout and stderr written back (LF as CR LF), and a namespace channel
// through which the session's programs open what term may open itself, but the terminals.
// When sh ends, its exit is reported on the terminal and a new one starts, as getty does.
#include <stellina/component.h>
#include <stellina/files.h>
#include <stellina/spawn.h>

#include "term_env.h"

namespace stellina {
namespace {

constexpr uint64_t kRetryNs = 500'000'000;      // no serial port yet, no /bin/sh yet
constexpr uint64_t kRestartNs = 200'000'000;    // after sh ended
constexpr uint64_t kWriteRetryNs = 10'000'000;  // a full queue
constexpr uint64_t kNoShellNoticeNs = 5'000'000'000;
constexpr size_t kMaxSessions = 4;
constexpr size_t kMaxNamespaces = 64;  // live programs holding a namespace channel, in all
constexpr size_t kMaxPending = 64;     // Opens forwarded and not yet answered
constexpr size_t kOutBytes = 16384;    // output waiting for a terminal that does not take it
constexpr size_t kInBytes = 4096;      // input waiting for a shell that does not read

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

constexpr lib::StringView kEnvironment[] = {"HOME=/home",        "PATH=/bin",  "PWD=/home",
                                            "SHELL=/bin/sh",     "TERM=vt100", "USER=root",
                                            "HOSTNAME=stellina", "COLUMNS=80", "LINES=24"};

struct Session {
  bool used = false;
  Channel terminal;  // bytes both ways
  Program sh;        // in: its stdin (ours to write); out, err: ours to read
  OwnedHandle silo;
  bool running = false;
  uint64_t restart_at = 0;
  uint64_t waiting_since = 0;  // for /bin/sh
  bool told_no_shell = false;
  bool after_cr = false;  // the last byte written to the terminal was CR
  bool held = false;      // sh's output paused: the terminal is behind
  char out[kOutBytes];
  size_t out_size = 0;
  uint8_t in[kInBytes];
  size_t in_size = 0;
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
  void on_start() override {
    names_.reset(namespace_handle());  // watched for the answers to forwarded Opens
    if (!watch(names_).ok()) log("cannot watch the namespace: programs open nothing");
    on_timer();
  }

  void on_timer() override {
    const uint64_t now = sys::clock_now();
    if (!serial_.used) attach_serial();
    for (Session& s : sessions_) {
      if (!s.used || s.running || !s.terminal.valid()) continue;
      if (now >= s.restart_at) start_shell(s);
    }
    for (Session& s : sessions_) flush(s);
    arm();
  }

  void attach_serial() {
    Result<Channel> ch = open("serial:");
    if (!ch.ok()) return;
    Session& s = serial_;
    s = Session();
    s.used = true;
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

  // Starts /bin/sh -i on the session's terminal, or says why not and tries again later.
  void start_shell(Session& s) {
    if (!files_.valid()) {
      Result<Files> files = Files::connect(*this);
      if (!files.ok()) return retry(s, "no file system");
      files_ = static_cast<Files&&>(files.value());
    }
    if (!s.silo.valid()) {
      const int64_t silo = sys::silo_create(env().spawn_silo, &kSessionLimits);
      if (silo < 0) return retry(s, status_name(static_cast<Status>(silo)));
      s.silo.reset(static_cast<abi::Handle>(silo));
    }
    SpawnOptions o;
    o.silo = s.silo.get();
    const int64_t child_silo = sys::handle_duplicate(
        s.silo.get(), abi::kRightRead | abi::kRightManage | abi::kRightDuplicate |
                          abi::kRightTransfer | abi::kRightWait);
    if (child_silo < 0) return retry(s, status_name(static_cast<Status>(child_silo)));
    o.child_silo.reset(static_cast<abi::Handle>(child_silo));
    const lib::StringView args[] = {"-i"};
    o.args = args;
    o.env = kEnvironment;
    Result<Channel> tree = open("file:");
    if (!tree.ok()) return retry(s, "no file system");
    o.files = static_cast<Channel&&>(tree.value());
    Result<Channel> names = make_names(s);
    if (!names.ok()) return retry(s, status_name(names.error()));
    o.names = static_cast<Channel&&>(names.value());
    // stdout and stderr are one channel (two handles to its end), so what sh writes on
    // each reaches the terminal in the order it was written.
    Channel output;
    abi::Handle ends[2];
    if (sys::channel_create(ends) != abi::kOk) return retry(s, "no memory");
    output.reset(ends[0]);
    o.out.reset(ends[1]);
    const int64_t err = sys::handle_duplicate(ends[1], abi::kRightsAll & ~abi::kRightMap);
    if (err < 0) return retry(s, status_name(static_cast<Status>(err)));
    o.err.reset(static_cast<abi::Handle>(err));
    Result<Program> sh = spawn_program(files_, "/bin/sh", o);
    if (!sh.ok()) return retry(s, status_name(sh.error()));
    s.sh = static_cast<Program&&>(sh.value());
    s.sh.out = static_cast<Channel&&>(output);
    s.running = true;
    if (!watch(s.sh.in, &s).ok() || !watch(s.sh.out, &s).ok()) {
      log("cannot watch the shell's streams: too many channels");
      end_session(s);
      return retry(s, "too many channels");
    }
    s.told_no_shell = false;
    s.waiting_since = 0;
    log("started /bin/sh");
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
    return s >= sessions_ && s < sessions_ + kMaxSessions ? s : nullptr;
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
    Session* s = session_at(ch);
    if (!s || &ch == &s->sh.in) return;
    if (&ch == &s->terminal) {
      typed(*s, static_cast<const uint8_t*>(data.data), data.size);
    } else {
      write(*s, lib::StringView(static_cast<const char*>(data.data), data.size));
    }
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

  // Output for the terminal: LF as CR LF, queued, then flushed.
  void write(Session& s, lib::StringView text) {
    for (const char c : text) {
      if (c == '\n' && !s.after_cr) put(s, '\r');
      put(s, c);
      s.after_cr = c == '\r';
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
    Session* s = session_at(ch);
    if (!s) return;
    if (&ch == &s->terminal) {
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
    char line[160];
    lib::format_to(line, sizeof(line), "\n[sh ended: {} {}]\n", static_cast<const char*>(e.detail),
                   e.code);
    write(s, line);
    s.restart_at = sys::clock_now() + kRestartNs;
    arm();
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
    if (!serial_.used) when = now + kRetryNs;
    for (const Session& s : sessions_) {
      if (s.used && !s.running && s.restart_at < when) when = s.restart_at;
      if (s.used && s.out_size && now + kWriteRetryNs < when) when = now + kWriteRetryNs;
    }
    if (when != UINT64_MAX) ignore(set_timer(when), "the next event sets it again");
  }

  Session sessions_[kMaxSessions];
  Session& serial_ = sessions_[0];  // the others are for remote terminals
  Names names_of_[kMaxNamespaces];
  Pending pending_[kMaxPending];
  Channel names_;
  Files files_{Channel()};
  uint64_t generation_ = 0;
  uint64_t next_call_ = 1;
  uint64_t dropped_ = 0;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::Term)
