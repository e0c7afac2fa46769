// TcpEcho: see component.toml. The echo keeps at most one message per connection that the
// connection's queue had no room for, and pauses the connection until it is sent, so a
// client that sends faster than it reads is held back, never dropped.
#include <stellina/component.h>
#include <stellina/socket.h>

#include "tcpecho_env.h"

namespace {

using namespace stellina;

constexpr size_t kConnections = 16;
constexpr uint64_t kRetryNs = 100'000'000;

// Each channel's context: what it is to the echo (the startup channel has none).
enum class Role : uint8_t { Startup, Listening, Datagrams, Connected, Accepted };
struct Peer {
  Role role = Role::Accepted;
};

// An accepted connection.
struct Connection : Peer {
  bool used = false;
  uint32_t size = 0;  // of a message waiting for room
  uint8_t pending[abi::kMaxMessageData];
};

class TcpEcho final : public ComponentWith<components::tcpecho::Env> {
  void on_start() override { retry(); }

  void retry() {
    if (!set_timer(sys::clock_now() + kRetryNs).ok()) log("cannot set the retry timer");
  }

  // Listens, then connects out; each is retried until the stack is up and configured.
  void on_timer() override {
    if (!listening_) {
      auto tcp = open("tcp-listen:0.0.0.0:7");
      auto udp = open("udp:0.0.0.0:7");
      if (tcp.ok() && udp.ok() && listen(tcp.release_value(), &listening_role_).ok() &&
          listen(udp.release_value(), &datagrams_role_).ok()) {
        listening_ = true;
        log("listening on port 7");
      }
    }
    if (listening_ && !connected_) {
      char uri[40];
      lib::format_to(uri, sizeof(uri), "tcp:10.0.2.2:{}", env().config.port);
      auto ch = open(uri);
      if (ch.ok()) {
        stellina::ignore(ch.value().send("hello from stellina\n"),
                         "the test sees whether the greeting came");
        connected_ = listen(ch.release_value(), &connected_role_).ok();
        log("connected to {}", static_cast<const char*>(uri));
      } else if (++tries_ % 10 == 0) {
        log("connect to {}: error {}", static_cast<const char*>(uri), status_code(ch));
      }
    }
    if (!listening_ || !connected_) retry();
  }

  void on_accept(Channel&, Channel conn, Bytes info) override {
    abi::SocketConnectInfo i{};
    if (info.size == sizeof(i)) __builtin_memcpy(&i, info.data, sizeof(i));
    const uint8_t* a = i.remote.address;
    for (Connection& c : connections_) {
      if (c.used) continue;
      if (!listen(static_cast<Channel&&>(conn), static_cast<Peer*>(&c)).ok()) break;
      c.used = true;
      c.size = 0;
      log("accepted {}.{}.{}.{}:{}", a[0], a[1], a[2], a[3], i.remote.port);
      return;
    }
    log("refused a connection: no room");
  }

  void on_data(Channel& ch, Bytes data) override {
    const Role role = role_of(ch);
    if (role == Role::Datagrams) {  // back to where it came from
      if (data.size >= sizeof(abi::UdpDatagram)) {
        stellina::ignore(ch.send(data), "a datagram may be lost, as on any network");
      }
      ++datagrams_echoed_;
      if (datagrams_echoed_ <= 3)
        log("datagram of {} bytes echoed", data.size - sizeof(abi::UdpDatagram));
      return;
    }
    if (role == Role::Connected) {
      char line[64] = {};
      __builtin_memcpy(line, data.data, data.size < 63 ? data.size : 63);
      for (char& c : line)
        if (c == '\n') c = '\0';
      if (data.size) log("reply: {}", static_cast<const char*>(line));
      return;
    }
    Connection* c = connection_of(ch);
    if (!c) return;
    if (data.size == 0) {  // the peer's end of stream: all is echoed, close
      ++closed_;
      log("connection closed by the peer ({} so far)", closed_);
      c->used = false;
      unwatch(ch);
      return;
    }
    auto sent = ch.send(data);
    if (sent.ok()) return;
    if (sent.error() != abi::kErrWouldBlock) return log("echo lost: error {}", status_code(sent));
    __builtin_memcpy(c->pending, data.data, data.size);
    c->size = static_cast<uint32_t>(data.size);
    pause(ch);
    notify_writable(ch);
  }

  void on_writable(Channel& ch) override {
    Connection* c = connection_of(ch);
    if (!c || !c->size) return;
    auto sent = ch.send(Bytes{c->pending, c->size});
    if (!sent.ok() && sent.error() == abi::kErrWouldBlock) return notify_writable(ch);
    c->size = 0;
    resume(ch);
  }

  // Error{status} on a stream (abi/stellina/socket.h): the connection failed, and the stack
  // closes its end next (on_peer_closed lets it go).
  void on_error(Channel& ch, Status status) override {
    if (role_of(ch) == Role::Accepted) log("a connection failed: {}", status_name(status));
    if (role_of(ch) == Role::Connected) log("the connection out failed: {}", status_name(status));
  }

  void on_peer_closed(Channel& ch) override {
    if (role_of(ch) == Role::Connected) connected_ = false;
    if (Connection* c = connection_of(ch)) c->used = false;
  }

  Role role_of(const Channel& ch) const {
    const Peer* peer = context_of<Peer>(ch);
    return peer ? peer->role : Role::Startup;
  }
  Connection* connection_of(const Channel& ch) const {
    Peer* peer = context_of<Peer>(ch);
    return peer && peer->role == Role::Accepted ? static_cast<Connection*>(peer) : nullptr;
  }

  Peer listening_role_{Role::Listening};
  Peer datagrams_role_{Role::Datagrams};
  Peer connected_role_{Role::Connected};
  bool listening_ = false;
  bool connected_ = false;
  uint32_t datagrams_echoed_ = 0;
  uint32_t tries_ = 0;
  uint32_t closed_ = 0;
  Connection connections_[kConnections];
};

}  // namespace

STELLINA_COMPONENT(TcpEcho)
