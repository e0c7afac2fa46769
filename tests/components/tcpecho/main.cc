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

struct Connection {
  Channel* channel = nullptr;
  uint32_t size = 0;  // of a message waiting for room
  uint8_t pending[abi::kMaxMessageData];
};

class TcpEcho final : public ComponentWith<components::tcpecho::Env> {
  void on_start() override { set_timer(sys::clock_now() + kRetryNs); }

  // Listens, then connects out; each is retried until the stack is up and configured.
  void on_timer() override {
    if (!listening_) {
      Channel tcp, udp;
      if (open("tcp-listen:0.0.0.0:7", &tcp) == abi::kOk &&
          open("udp:0.0.0.0:7", &udp) == abi::kOk) {
        listening_ = listen(static_cast<Channel&&>(tcp));
        datagrams_ = listen(static_cast<Channel&&>(udp));
        log("listening on port 7");
      }
    }
    if (listening_ && !connected_) {
      char uri[40];
      lib::format_to(uri, sizeof(uri), "tcp:10.0.2.2:{}", env().config.port);
      Channel ch;
      const int64_t r = open(uri, &ch);
      if (r == abi::kOk) {
        connected_ = listen(static_cast<Channel&&>(ch));
        connected_->send(Bytes{"hello from stellina\n", 20});
        log("connected to {}", static_cast<const char*>(uri));
      } else if (++tries_ % 10 == 0) {
        log("connect to {}: error {}", static_cast<const char*>(uri), r);
      }
    }
    if (!listening_ || !connected_) set_timer(sys::clock_now() + kRetryNs);
  }

  void on_accept(Channel&, Channel conn, Bytes info) override {
    abi::SocketConnectInfo i{};
    if (info.size == sizeof(i)) __builtin_memcpy(&i, info.data, sizeof(i));
    const uint8_t* a = i.remote.address;
    for (Connection& c : connections_) {
      if (c.channel) continue;
      c.channel = listen(static_cast<Channel&&>(conn));
      if (!c.channel) break;
      log("accepted {}.{}.{}.{}:{}", a[0], a[1], a[2], a[3], i.remote.port);
      return;
    }
    log("refused a connection: no room");
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == datagrams_) {  // back to where it came from: the same header and payload
      if (data.size >= sizeof(abi::UdpDatagram)) ch.send(data);
      ++datagrams_echoed_;
      if (datagrams_echoed_ <= 3)
        log("datagram of {} bytes echoed", data.size - sizeof(abi::UdpDatagram));
      return;
    }
    if (&ch == connected_) {
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
      c->channel = nullptr;
      unwatch(ch);
      return;
    }
    const int64_t r = ch.send(data);
    if (r != abi::kErrWouldBlock) {
      if (r != abi::kOk) log("echo lost: error {}", r);
      return;
    }
    __builtin_memcpy(c->pending, data.data, data.size);
    c->size = static_cast<uint32_t>(data.size);
    pause(ch);
    notify_writable(ch);
  }

  void on_writable(Channel& ch) override {
    Connection* c = connection_of(ch);
    if (!c || !c->size) return;
    const int64_t r = ch.send(Bytes{c->pending, c->size});
    if (r == abi::kErrWouldBlock) return notify_writable(ch);
    c->size = 0;
    resume(ch);
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch == connected_) connected_ = nullptr;
    if (Connection* c = connection_of(ch)) c->channel = nullptr;
  }

  Connection* connection_of(const Channel& ch) {
    for (Connection& c : connections_)
      if (c.channel == &ch) return &c;
    return nullptr;
  }

  Channel* listening_ = nullptr;
  Channel* connected_ = nullptr;
  Channel* datagrams_ = nullptr;
  uint32_t datagrams_echoed_ = 0;
  uint32_t tries_ = 0;
  uint32_t closed_ = 0;
  Connection connections_[kConnections];
};

}  // namespace

STELLINA_COMPONENT(TcpEcho)
