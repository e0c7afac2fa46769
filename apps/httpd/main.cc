// httpd: Stellina's HTTP server. It listens on tcp-listen:0.0.0.0:80 and serves the site
// (apps/httpd/site.h): a live page and its JSON from what the startup server (status:) and
// the network stack (netstat) report, the site's files (file:/srv/www on the disk, or the
// boot archive's file:/boot/site until the disk is there), and
// /bytes/N for download tests.
//
// Each connection is a stream channel from the network stack with a Session (session.h) of
// fixed size. Back-pressure both ways: when a send finds the stack's queue full, the rest of
// the response waits for on_writable, and the connection is paused meanwhile, so pipelined
// requests stay queued at the stack (whose receive window then closes): pipelining is bounded
// by that window. A connection that makes no progress for kIdleTimeoutNs is closed, and so is
// one whose request is not in whole kRequestDeadlineNs after its first byte (a slow trickle).
//
// The web terminal: httpd exports the service web-terminal, whose client (the terminals'
// server, term) says "ready" on it when the web terminal is on. From then on a connection
// whose first bytes ask for /terminal/ws (kTerminalRequest) is handed to it: a Data message of
// those bytes, with the connection's channel as its handle; term answers the WebSocket upgrade
// itself.
//
// The live data is asked for every kTickNs (and when a request finds it old); the answers
// arrive in on_data and replace the last ones. Nothing waits for them: pages render what
// has come.
#include <span>

#include <stellina/component.h>
#include <stellina/files.h>
#include <stellina/heap.h>
#include <stellina/socket.h>
#include <stellina/status.h>

#include "apps/httpd/session.h"
#include "apps/httpd/site.h"
#include "httpd_env.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using httpd::Source;
using stellina::Bytes;
using stellina::Channel;

namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kTickNs = 1'000 * kMs;
constexpr uint64_t kIdleTimeoutNs = 30'000 * kMs;
// A request must be in whole this long after its first byte, however slowly it trickles: a
// client that sends a header byte every few seconds cannot hold a connection for long.
constexpr uint64_t kRequestDeadlineNs = 10'000 * kMs;
constexpr uint64_t kLingerNs = 2'000 * kMs;       // to read what follows a last response
constexpr uint64_t kOpenTimeoutNs = 1'000 * kMs;  // open() holds the loop: keep it short
// But for the listen, whose answer the stack may hold for 500 ms and the startup server may
// pass on late while it starts the other components: an answer that comes after open() gave up
// stays in the namespace channel's queue with the listening socket, and port 80 would be
// taken for good. Before httpd listens it has nothing else to do.
constexpr uint64_t kListenOpenTimeoutNs = 10'000 * kMs;
constexpr uint64_t kAnswerTimeoutNs = 3'000 * kMs;
constexpr uint64_t kQuotaRetryNs = 20 * kMs;
// A refused open is tried again after a delay that doubles up to a bound (a provider that
// is restarting comes back soon; a scheme no one serves should not be asked every second).
// httpd listens first thing, usually before the stack has a network device: the stack holds
// that listen and answers it once it has one (for up to 500 ms, servers/tcpip/README.md). A
// refused listen (the stack not started yet, or no device within that time) is tried again
// every 5 ms for 2 s, so that the stack's readiness, not a tick, decides when the first
// client is served.
constexpr uint64_t kListenRetryFirstNs = 5 * kMs;
constexpr uint64_t kListenRetryPatienceNs = 2'000 * kMs;
constexpr uint64_t kListenRetryMaxNs = 8'000 * kMs;
constexpr uint64_t kStatusRetryMaxNs = 60'000 * kMs;

// When to try a refused open again: every `first` for `patience` after the first failure,
// then after a delay that doubles up to max.
struct Backoff {
  uint64_t first;
  uint64_t patience;
  uint64_t max;
  uint64_t next = 0;
  uint64_t delay = first;
  uint64_t failing_since = 0;  // 0: the last try succeeded

  bool due(uint64_t now) const { return now >= next; }
  // A failed try at now: the next one waits the current delay. Whether to say so: at the
  // first failure, and whenever the delay grows (a few lines, however long it fails).
  bool failed(uint64_t now) {
    if (failing_since == 0) failing_since = now;
    next = now + delay;
    const bool first_failure = failing_since == now;
    if (now - failing_since < patience) return first_failure;
    delay = delay * 2 < max ? delay * 2 : max;
    return first_failure || delay < max;
  }
  // Succeeded, or starting over (the channel closed): the next try after the first delay.
  void reset(uint64_t now) {
    delay = first;
    failing_since = 0;
    next = now + delay;
  }
};
// Connections held at once. Each holds a channel handle, and a process's handle table holds
// 8,192 (kernel/handle_table.h): the rest is left for httpd's own channels and the handles a
// message brings, so that the table is full, and evicts, before the handles run out. A connection
// costs a slot here and one in the SDK's table (about 100 bytes) until its first byte; then a
// Session (about 6.5 KiB, from the heap, given back when it closes), at most kMaxSessions of them
// at once.
constexpr size_t kMaxConnections = 4096;
constexpr size_t kMaxSessions = 512;
// The site's files, read into memory on their first request (the web terminal's xterm.js
// alone is about 290 KB): at most this much from each directory.
constexpr size_t kSiteArena = size_t{512} * 1024;
// The site's files: the disk's (/srv/www), or the boot archive's (/boot/site) while the disk
// is not mounted (it may come up after httpd); the disk is looked for at every tick for this
// long after start.
constexpr uint64_t kDiskPatienceNs = 30'000 * kMs;
// Nagle off: a response's head and body go as separate messages, and the body must not wait
// for the peer's delayed ACK of the head.
constexpr char kListenUri[] = "tcp-listen:0.0.0.0:80/64;nodelay";
// The requests handed to the web terminal's server: a GET of this path, with a query or not.
constexpr lib::StringView kTerminalRequest = "GET /terminal/ws";
constexpr lib::StringView kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nServer: Stellina\r\nContent-Type: text/plain; "
    "charset=utf-8\r\nContent-Length: 32\r\nConnection: close\r\n\r\n"
    "Too many connections: try again\n";

}  // namespace

class Httpd final : public stellina::ComponentWith<stellina::components::httpd::Env>,
                    public httpd::FileSource {
  // Each channel's context: what it is to the server (the startup channel and the netstat
  // service, env().netstat, have none).
  enum class Role : uint8_t { Connection, Listen, Status, Terminal };
  struct Peer {
    Role role;
  };
  enum class State : uint8_t { Free, Open, Lingering };
  struct Connection : Peer {
    Connection() : Peer{Role::Connection} {}
    Channel channel;
    httpd::Session* session = nullptr;  // from the heap, from its first byte until it closes
    State state = State::Free;
    bool paused = false;
    bool quota_blocked = false;        // a send ran out of the silo's memory: retried soon
    bool fresh = false;                // nothing received yet
    uint64_t deadline_ns = 0;          // idle timeout, or the end of lingering
    uint64_t request_deadline_ns = 0;  // for the request begun (0: none is)
  };
  // User-provided on purpose: the object lives in zeroed static storage, and without one,
  // STELLINA_COMPONENT's `new T()` would zero it all again, touching (and charging) every
  // page of the connection table at start.
 public:
  Httpd() {}  // NOLINT(modernize-use-equals-default)

 private:
  void on_start() override {
    now_ = started_ns_ = sys::clock_now();
    site_.set_now_ms(now_ / kMs);
    connection_limit_ = connection_limit();
    log("serving {} connections at most on port 80", connection_limit_);
    // Listening comes first: the first client is the one thing a fresh machine waits for.
    // The site's files are listed at the first request for one, or at the first tick: the
    // file servers may still be starting, and nothing should wait for them before then.
    site_.set_file_source(this);
    try_listen();
    open_sources();
    next_tick_ = now_ + kTickNs;
    arm_timer();
  }

  void on_service_connected(const char* field) override {
    if (lib::StringView(field) == "netstat") ask(Source::Network);
  }

  // The web terminal's server (the one client of web-terminal): a newer one replaces it.
  void on_connect(Channel ch) override {
    if (terminal_) unwatch(*terminal_);
    terminal_ready_ = false;
    auto kept = listen(static_cast<Channel&&>(ch), &terminal_peer_);
    terminal_ = kept.ok() ? kept.value() : nullptr;
  }

  void on_accept(Channel& ch, Channel conn, Bytes info) override {
    if (!has_role(ch, Role::Listen)) return;  // conn closes here
    now_ = sys::clock_now();
    Connection* c = nullptr;
    for (size_t i = 0; i < connection_limit_ && !c; ++i) {
      if (connections_[i].state == State::Free) c = &connections_[i];
    }
    if (c && c - connections_ >= static_cast<ptrdiff_t>(connections_used_)) {
      connections_used_ = c - connections_ + 1;
    }
    if (!c) c = evict();
    if (!c) {
      ++counters_.refused;
      stellina::ignore(conn.send(kBusy),
                       "a client that cannot take the answer is closed all the same");
      return;  // closing the channel finishes the connection after the answer
    }
    c->channel = static_cast<Channel&&>(conn);
    if (!watch(c->channel, static_cast<Peer*>(c)).ok()) {
      ++counters_.refused;
      c->channel.reset();
      return;
    }
    c->state = State::Open;
    c->paused = c->quota_blocked = false;
    c->fresh = true;
    c->deadline_ns = now_ + kIdleTimeoutNs;
    c->request_deadline_ns = 0;
    ++counters_.accepted;
    ++counters_.open;
  }

  void on_data(Channel& ch, Bytes data) override {
    now_ = sys::clock_now();
    site_.set_now_ms(now_ / kMs);
    if (Connection* c = connection_of(ch)) {
      on_connection_data(*c, data);
    } else if (&ch == &env().netstat) {
      on_answer(Source::Network, data);
    } else if (has_role(ch, Role::Terminal)) {
      terminal_ready_ = data.text() == "ready";
    } else if (has_role(ch, Role::Status)) {
      for (size_t i = 0; i < httpd::kSources; ++i) {
        if (pending_[i] != 0 && pending_[i] == call_id()) on_answer(static_cast<Source>(i), data);
      }
    }
    if (site_.take_refresh_wanted()) refresh(false);
  }

  void on_writable(Channel& ch) override {
    now_ = sys::clock_now();
    site_.set_now_ms(now_ / kMs);
    Connection* c = connection_of(ch);
    if (c && c->state == State::Open) pump(*c);
  }

  // Error{status} on a connection (abi/stellina/socket.h): it failed (reset, timed out) and
  // the stack closes its end next; nothing more can be sent on it.
  void on_error(Channel& ch, stellina::Status status) override {
    if (Connection* c = connection_of(ch)) {
      ++counters_.send_failed;
      close(*c);
      return;
    }
    Component::on_error(ch, status);
  }

  void on_peer_closed(Channel& ch) override {
    if (Connection* c = connection_of(ch)) {
      close(*c);  // the client (or the stack) is gone: nothing more can be sent
      return;
    }
    if (has_role(ch, Role::Terminal)) {
      terminal_ = nullptr;  // the loop closes it
      terminal_ready_ = false;
    } else if (has_role(ch, Role::Listen)) {
      log("the listen channel closed: listening again");
      unwatch(listen_);
      listen_.reset();
      listen_retry_.reset(sys::clock_now());
      arm_timer();
    } else if (has_role(ch, Role::Status)) {
      unwatch(status_);
      status_.reset();
      status_retry_.reset(sys::clock_now());
      for (uint64_t& p : pending_) p = 0;
    } else if (&ch == &env().netstat) {
      pending_[static_cast<size_t>(Source::Network)] = 0;
    }
  }

  void on_timer() override {
    now_ = sys::clock_now();
    site_.set_now_ms(now_ / kMs);
    if (now_ >= next_tick_) {
      next_tick_ = now_ + kTickNs;
      if (!status_.valid() && status_retry_.due(now_)) open_sources();
      refresh(true);
      sweep();
      report_evictions();
      const bool waiting = site_from_ == SiteFrom::Nothing || site_from_ == SiteFrom::Boot;
      if (waiting && now_ - started_ns_ < kDiskPatienceNs) load_site();
      listing_tried_ = false;
    }
    if (!listen_.valid() && listen_retry_.due(now_)) try_listen();
    for (Connection& c : used_connections()) {
      if (c.state == State::Open && c.quota_blocked) {
        c.quota_blocked = false;
        pump(c);
      }
    }
    arm_timer();
  }

  // Connections.

  // The part of the table ever used: the loops over connections stay there, so the rest of
  // the table (demand-zero) is never touched, and costs nothing, until a load needs it.
  std::span<Connection> used_connections() { return {connections_, connections_used_}; }

  // The spec's connections, if it is within 1 to kMaxConnections; else kMaxConnections.
  size_t connection_limit() {
    const int64_t n = env().config.connections;
    if (n >= 1 && static_cast<uint64_t>(n) <= kMaxConnections) return static_cast<size_t>(n);
    log("error: config connections {} is not within 1 to {}", n, kMaxConnections);
    return kMaxConnections;
  }

  bool has_role(const Channel& ch, Role role) const {
    const Peer* peer = context_of<Peer>(ch);
    return peer && peer->role == role;
  }

  Connection* connection_of(const Channel& ch) const {
    if (!has_role(ch, Role::Connection)) return nullptr;
    auto* c = static_cast<Connection*>(context_of<Peer>(ch));
    return c->state != State::Free ? c : nullptr;
  }

  void on_connection_data(Connection& c, Bytes data) {
    if (c.state == State::Lingering) {
      if (data.size == 0) close(c);  // the client has finished too
      return;                        // what comes after the last response is dropped
    }
    c.deadline_ns = now_ + kIdleTimeoutNs;
    if (c.request_deadline_ns == 0 && data.size > 0)
      c.request_deadline_ns = now_ + kRequestDeadlineNs;
    const bool fresh = c.fresh;
    c.fresh = false;
    if (fresh && terminal_ready_ && is_terminal_request(data)) return hand_over(c, data);
    if (!c.session && (data.size == 0 || !start_session(c))) return close(c);
    if (data.size == 0) {
      c.session->receive_end();
    } else if (!c.session->receive(static_cast<const uint8_t*>(data.data), data.size)) {
      // Only read while the session wants input, so this does not happen; if it did, the
      // bytes could not be kept and the stream would be broken.
      log("connection got bytes while a response was pending: closed");
      close(c);
      return;
    }
    pump(c);
  }

  // A connection's first bytes: a Session for it, from the heap. With kMaxSessions in use, the
  // longest-idle keep-alive connection is evicted for it; when none is idle, or the heap
  // cannot give one, the client is answered 503.
  bool start_session(Connection& c) {
    if (sessions_ == kMaxSessions) evict(/*silent_too=*/false);
    void* memory = nullptr;
    if (sessions_ < kMaxSessions) {
      auto allocated = stellina::heap_allocate(sizeof(httpd::Session));
      if (allocated.ok()) memory = allocated.value();
    }
    if (!memory) {
      ++counters_.refused;
      stellina::ignore(c.channel.send(kBusy), "the connection closes all the same");
      return false;
    }
    c.session = new (memory) httpd::Session();
    c.session->start(&site_, &counters_.http);
    ++sessions_;
    return true;
  }

  void end_session(Connection& c) {
    if (!c.session) return;
    c.session->end();
    c.session->~Session();
    stellina::heap_free(c.session);
    c.session = nullptr;
    --sessions_;
  }

  // A request for the web terminal: kTerminalRequest, then a query or the version. (Only a
  // connection's first message is looked at: a browser sends the request in one piece.)
  static bool is_terminal_request(Bytes data) {
    const lib::StringView text = data.text();
    return text.size() > kTerminalRequest.size() && text.starts_with(kTerminalRequest) &&
           (text[kTerminalRequest.size()] == ' ' || text[kTerminalRequest.size()] == '?');
  }

  // Gives the connection and its first bytes to the web terminal's server.
  void hand_over(Connection& c, Bytes data) {
    unwatch(c.channel);
    abi::Handle moved = c.channel.release();
    if (!terminal_->send(abi::MessageKind::Data, data, 0, &moved, 1).ok()) {
      sys::handle_close(moved);  // the client sees the connection close
    }
    end_session(c);
    c.state = State::Free;
    --counters_.open;
  }

  // Sends what the session has, until it is done or the stack's queue is full.
  void pump(Connection& c) {
    while (c.session->has_output()) {
      const size_t n = c.session->peek(scratch_, sizeof(scratch_));
      auto sent = c.channel.send(Bytes{scratch_, n});
      const int64_t r = stellina::status_code(sent);
      if (r == abi::kErrWouldBlock || r == abi::kErrQuotaExceeded) {
        if (!c.paused) pause(c.channel);
        c.paused = true;
        if (r == abi::kErrWouldBlock) {
          notify_writable(c.channel);
        } else {
          c.quota_blocked = true;  // no signal says when memory is back: try again soon
          arm_timer();
        }
        return;
      }
      if (r != abi::kOk) {
        ++counters_.send_failed;
        close(c);
        return;
      }
      c.session->commit();
      c.deadline_ns = now_ + kIdleTimeoutNs;
      c.request_deadline_ns = 0;  // answered: the next request's clock starts with its bytes
    }
    if (c.session->closing()) return linger(c);
    if (c.paused) resume(c.channel);
    c.paused = false;
    if (site_.take_refresh_wanted()) refresh(false);
  }

  // After the last response: shut our side (FIN) and read what the client still sends for a
  // while, so that unread bytes do not turn the close into a reset that could destroy the
  // response before the client has read it.
  void linger(Connection& c) {
    if (c.session->input_ended() || !c.channel.send(Bytes{nullptr, 0}).ok()) return close(c);
    c.state = State::Lingering;
    c.deadline_ns = now_ + kLingerNs;
    if (c.paused) resume(c.channel);
    c.paused = false;
  }

  void close(Connection& c) {
    unwatch(c.channel);
    c.channel.reset();
    end_session(c);
    c.state = State::Free;
    --counters_.open;
  }

  // The table (or the sessions) is full and a connection needs room: closes the one that
  // costs the most and gave the least, so that idle connections cannot lock a new client out.
  // First the one held longest that has never sent a byte (opened and left silent; it holds
  // no session, so silent_too is false when a session is wanted), then the longest-idle
  // keep-alive one between requests (it was answered, and a client can reconnect). A
  // connection in the middle of a request or a response is never evicted, nor a lingering
  // one (it closes within kLingerNs); when every one is, the newcomer is turned away.
  // Returns the freed slot, or null.
  Connection* evict(bool silent_too = true) {
    Connection* silent = nullptr;
    Connection* idle = nullptr;
    for (Connection& c : used_connections()) {
      if (c.state != State::Open) continue;
      // deadline_ns is the last sign of life plus kIdleTimeoutNs: the smallest, the longest idle.
      if (c.fresh) {
        if (silent_too && (!silent || c.deadline_ns < silent->deadline_ns)) silent = &c;
      } else if (c.session && !c.paused && c.session->idle()) {
        if (!idle || c.deadline_ns < idle->deadline_ns) idle = &c;
      }
    }
    Connection* victim = silent ? silent : idle;
    if (!victim) return nullptr;
    ++(silent ? counters_.evicted_silent : counters_.evicted_idle);
    close(*victim);
    return victim;
  }

  // Evictions are many under a flood: one line a tick says how many.
  void report_evictions() {
    const uint64_t evicted = counters_.evicted_silent + counters_.evicted_idle;
    if (evicted == evicted_reported_) return;
    log("table full: evicted {} idle connections to make room ({} silent, {} keep-alive in all)",
        evicted - evicted_reported_, counters_.evicted_silent, counters_.evicted_idle);
    evicted_reported_ = evicted;
  }

  void sweep() {
    for (Connection& c : used_connections()) {
      if (c.state == State::Free) continue;
      const bool late = c.state == State::Open && c.request_deadline_ns != 0 &&
                        now_ >= c.request_deadline_ns && c.session && !c.session->has_output();
      if (!late && now_ < c.deadline_ns) continue;
      if (c.state == State::Open) ++counters_.idle_closed;
      close(c);
    }
  }

  void arm_timer() {
    uint64_t deadline = next_tick_;
    if (!listen_.valid() && listen_retry_.next < deadline) deadline = listen_retry_.next;
    for (const Connection& c : used_connections()) {
      if (c.state == State::Open && c.quota_blocked) {
        if (now_ + kQuotaRetryNs < deadline) deadline = now_ + kQuotaRetryNs;
        break;
      }
    }
    if (!set_timer(deadline).ok()) log("cannot set the timer: no ticks, no idle timeouts");
  }

  // The listening socket: retried (every kListenRetryFirstNs, then less and less often) until
  // the stack takes it.

  void try_listen() {
    auto ch = open(kListenUri, kListenOpenTimeoutNs);
    if (!ch.ok()) {
      const uint64_t wait = listen_retry_.delay;
      if (listen_retry_.failed(now_)) {
        log("listen on port 80: status {}; trying again in {} ms", stellina::status_code(ch),
            wait / kMs);
      }
      return;
    }
    listen_retry_.reset(now_);
    listen_ = ch.release_value();
    if (!watch(listen_, &listen_peer_).ok()) {
      listen_.reset();
      return;
    }
    log("listening on port 80");
  }

  // Live data.

  void open_sources() {
    auto ch = open("status:", kOpenTimeoutNs);
    if (!ch.ok()) {
      log("open status: -> status {}; trying again in {} ms", stellina::status_code(ch),
          status_retry_.delay / kMs);
      status_retry_.failed(now_);
      return;
    }
    status_retry_.reset(now_);
    status_ = ch.release_value();
    ask_boot_id();
    if (!watch(status_, &status_peer_).ok()) {
      status_.reset();
      return;
    }
    refresh(true);
  }

  // Asks every source whose answer is old (or lost) again.
  void refresh(bool all) {
    for (size_t i = 0; i < httpd::kSources; ++i) {
      const auto s = static_cast<Source>(i);
      if (pending_[i] != 0 && now_ < asked_[i] + kAnswerTimeoutNs) continue;
      if (!all && site_.updated_ms(s) * kMs + httpd::Site::kFreshMs * kMs > now_) continue;
      ask(s);
    }
  }

  // The boot id, asked once and waited for (the startup server answers status commands at
  // once): the first page served must already show it.
  void ask_boot_id() {
    constexpr lib::StringView kCommand = "boot_id";
    constexpr lib::StringView kPrefix = "boot_id ";
    char text[64];
    __builtin_memcpy(text, kCommand.data(), kCommand.size());
    abi::MessageBuffer m{};
    m.kind = abi::MessageKind::Data;
    m.call_id = next_call_++;
    m.data = text;
    m.data_size = static_cast<uint32_t>(kCommand.size());
    m.data_capacity = sizeof(text);
    const int64_t r = sys::channel_call(status_.get(), &m, sys::clock_now() + kOpenTimeoutNs);
    const lib::StringView answer{text, r == abi::kOk ? m.data_size : 0};
    const bool ok = answer.starts_with(kPrefix) && answer.ends_with("\n") &&
                    site_.set_boot_id(text + kPrefix.size(), answer.size() - kPrefix.size() - 1);
    if (!ok) log("status: boot_id -> status {}, no boot id: the page says so", r);
  }

  void ask(Source s) {
    const auto i = static_cast<size_t>(s);
    Channel& ch = s == Source::Network ? env().netstat : status_;
    if (!ch.valid()) return;
    char command[16];
    size_t size = 0;
    switch (s) {
      case Source::Components: size = lib::format_to(command, sizeof(command), "components"); break;
      case Source::Memory: size = lib::format_to(command, sizeof(command), "memory"); break;
      case Source::Log:
        size = lib::format_to(command, sizeof(command), "log {}", httpd::kLogLines);
        break;
      case Source::Network: size = lib::format_to(command, sizeof(command), "netstat"); break;
      case Source::Processes:  // a sample of the history (history.h) at each answer
        size = lib::format_to(command, sizeof(command), "processes");
        break;
      case Source::kCount: return;
    }
    const uint64_t call = next_call_++;
    if (!ch.send(Bytes{command, size}, call).ok()) return;  // asked again next tick
    pending_[i] = call;
    asked_[i] = now_;
  }

  void on_answer(Source s, Bytes data) {
    pending_[static_cast<size_t>(s)] = 0;
    size_t bad_line = 0;
    if (site_.update(s, static_cast<const char*>(data.data), data.size, &bad_line)) return;
    if (bad_line != 0 && bad_answers_++ % 20 == 0) {
      log("the {} answer is malformed at line {}: kept the last one", httpd::source_name(s),
          bad_line);
    }
  }

  // The site's files: the disk's (/srv/www) when it is mounted, else the boot archive's
  // (/boot/site) until it is. Only their names are read here (at the first request for one,
  // or at the first tick); each file is read at its first
  // request (read_file), into the arena of its directory. The disk's replace the archive's
  // only once, so responses in flight, which point into the archive's arena, stay valid.
  void load_site() {
    if (!files_ready_) {
      auto session = open("file:", kOpenTimeoutNs);
      if (!session.ok()) {
        // Not found: no component of this system serves file: (a system without file
        // servers, such as the serving system of build/system-web), so none ever will.
        const bool never = session.error() == abi::kErrNotFound;
        log("open file: -> status {}: no static files{}", stellina::status_code(session),
            never ? " (no file server in this system)" : "");
        site_from_ = never ? SiteFrom::Final : SiteFrom::Nothing;
        return;
      }
      files_ = stellina::Files(session.release_value());
      files_ready_ = true;
    }
    const stellina::Result<size_t> disk = list_files(disk_site_);
    if (disk.ok()) {
      site_from_ = SiteFrom::Disk;
      log("serving {} static files from {}, each read at its first request", disk.value(),
          disk_site_.path);
      return;
    }
    // Not mounted yet (the disk driver may come up after httpd): look again at each tick.
    const bool later = disk.error() == abi::kErrPeerClosed;
    if (site_from_ == SiteFrom::Nothing) {
      const stellina::Result<size_t> boot = list_files(boot_site_);
      if (boot.ok()) {
        log("serving {} static files from {}, each read at its first request", boot.value(),
            boot_site_.path);
      } else {
        log("no static files: {} and {} unreadable ({})", disk_site_.path, boot_site_.path,
            stellina::status_name(boot.error()));
      }
      site_from_ = SiteFrom::Boot;
    }
    if (!later) site_from_ = SiteFrom::Final;
  }

  // A directory of the site's files and the arena its files are read into.
  struct SiteDir {
    const char* path;
    uint8_t* arena;  // kSiteArena bytes
    size_t used = 0;
  };

  // Lists the plain files of dir and serves them, each read at its first request, in place of
  // the ones served so far. Returns how many.
  stellina::Result<size_t> list_files(SiteDir& dir) {
    stellina::File d = TRY(files_.open(dir.path, abi::kOpenRead | abi::kOpenDirectory));
    struct Name {
      char text[httpd::kMaxFileName];
      size_t size;
    };
    Name names[httpd::kMaxStaticFiles];
    size_t count = 0;
    TRY(d.list([&](const abi::FileDirEntry& e, lib::StringView name) {
      if (e.mode != abi::kModeRegular || count == httpd::kMaxStaticFiles ||
          name.size() >= httpd::kMaxFileName) {
        return;
      }
      __builtin_memcpy(names[count].text, name.data(), name.size());
      names[count++].size = name.size();
    }));
    site_.clear_files();
    site_dir_ = &dir;
    size_t served = 0;
    for (size_t i = 0; i < count; ++i) {
      if (site_.add_file_on_demand(names[i].text, names[i].size, this)) ++served;
    }
    return served;
  }

  // httpd::FileSource: the files listed (once; the disk's are looked for at each tick).
  // A failure is not tried again before the next tick: open() may wait for a second.
  void list_files() override {
    if (site_from_ != SiteFrom::Nothing || listing_tried_) return;
    listing_tried_ = true;
    load_site();
  }

  // httpd::FileSource: a file of the directory served now, read whole into its arena.
  bool read_file(const char* name, size_t name_size, const uint8_t** data, size_t* size) override {
    if (!site_dir_) return false;
    SiteDir& dir = *site_dir_;
    char path[64 + httpd::kMaxFileName];
    lib::format_to(path, sizeof(path), "{}/{}", dir.path, lib::StringView(name, name_size));
    stellina::Result<stellina::File> f = files_.open(path);
    if (!f.ok()) {
      log("{}: {}: answered 503", static_cast<const char*>(path), stellina::status_name(f.error()));
      return false;
    }
    const size_t room = kSiteArena - dir.used;
    stellina::Result<size_t> n = f.value().read(0, dir.arena + dir.used, room);
    if (!n.ok() || n.value() == room) {
      log("{} is not served: unreadable, or it does not fit in the site's {} bytes",
          static_cast<const char*>(path), kSiteArena);
      return false;
    }
    *data = dir.arena + dir.used;
    *size = n.value();
    dir.used += (n.value() + 15) & ~size_t{15};
    return true;
  }

  httpd::ServerCounters counters_;
  httpd::Site site_{&counters_};
  Connection connections_[kMaxConnections];
  size_t sessions_ = 0;  // in use
  size_t connection_limit_ = kMaxConnections;
  size_t connections_used_ = 0;  // connections_[connections_used_..] never held one
  Channel listen_;
  Channel status_;
  Peer listen_peer_{Role::Listen};
  Peer status_peer_{Role::Status};
  Peer terminal_peer_{Role::Terminal};
  Channel* terminal_ = nullptr;             // the web terminal's server, when connected
  bool terminal_ready_ = false;             // it takes /terminal/ws
  uint64_t pending_[httpd::kSources] = {};  // the call id of each unanswered question
  uint64_t asked_[httpd::kSources] = {};
  uint64_t next_call_ = 1;
  uint64_t now_ = 0;
  uint64_t next_tick_ = 0;
  uint64_t started_ns_ = 0;
  Backoff listen_retry_{kListenRetryFirstNs, kListenRetryPatienceNs, kListenRetryMaxNs};
  Backoff status_retry_{kTickNs, 0, kStatusRetryMaxNs};
  unsigned bad_answers_ = 0;
  uint64_t evicted_reported_ = 0;
  uint8_t scratch_[abi::kMaxMessageData];
  // Where the static files come from: Boot until the disk's are read (or it is known there
  // is no disk, or no file server at all: Final).
  enum class SiteFrom : uint8_t { Nothing, Boot, Disk, Final };
  SiteFrom site_from_ = SiteFrom::Nothing;
  stellina::Files files_{Channel()};
  bool files_ready_ = false;
  bool listing_tried_ = false;  // by a request (list_files), since the last tick
  alignas(16) uint8_t boot_arena_[kSiteArena];
  alignas(16) uint8_t disk_arena_[kSiteArena];
  SiteDir boot_site_{"/boot/site", boot_arena_};
  SiteDir disk_site_{"/srv/www", disk_arena_};
  SiteDir* site_dir_ = nullptr;  // whose files are served now
};

STELLINA_COMPONENT(Httpd)
