// tcpip: the network stack as a component. Below, it is a client of the Ethernet service (a
// network driver): frames come in batches and go out in batches. Above, it serves the socket
// schemes of abi/stellina/socket.h, one channel per socket, and its counters as `netstat`.
// The stack itself (stack/) is host-tested code that never blocks (TCP allocates its connections
// and queues from this component's heap, within kTcpMemory); this file only moves bytes between
// it and channels, with back-pressure both ways.

#include <stellina/component.h>
#include <stellina/heap.h>
#include <stellina/socket.h>

#include <lib/ethernet_batch.h>

#include "servers/tcpip/netstat.h"
#include "servers/tcpip/ping.h"
#include "servers/tcpip/socket_uri.h"
#include "servers/tcpip/stack/stack.h"
#include "servers/tcpip/stack/tcp.h"
#include "servers/tcpip/stack/tcp_ipv4.h"
#include "tcpip_env.h"

namespace {

using namespace stellina;
using tcpip::Ipv4;
using tcpip::SocketKind;
using tcpip::TcpSocket;

// Sockets of every kind: 4,096 connections and room for listeners, UDP ports and ping. A socket
// is about 350 bytes; a connection's control block and queues come from the heap, within
// kTcpMemory, so an idle connection costs about 600 bytes in all.
constexpr size_t kSockets = 4096 + 256;
// The engine may hold more connections than there are sockets: those closed by their client
// finish their close (FIN_WAIT, LAST_ACK) without one.
constexpr size_t kConnections = 2 * kSockets;
// Sockets on connections within this host (to 127/8 or our own address), both ends counted:
// 256 connections. Each end holds a channel handle here, in a handle table of 1,024 shared
// with every other socket, so loopback alone may take at most half of it.
constexpr size_t kLoopbackSockets = 512;
// Rounds of loopback delivery after one event (each delivers what the last one sent); the
// rest waits for the timer, due at once, so that no chain of answers holds the loop.
constexpr size_t kLoopbackRounds = 64;
// What TCP may take of the silo's memory (component.toml's memory_pages) for connections and
// queues; 1 MiB of it is kept for the queues of connections already held.
constexpr size_t kTcpMemory = size_t{5} << 20;
constexpr size_t kSocketRows = 64;  // in netstat's `sockets` answer (about 60 lines fit)
constexpr size_t kTxBatches = 16;   // batches waiting for room in the driver's queue
constexpr size_t kNetstatClients = 4;
constexpr uint64_t kPingTries = 3;
constexpr uint64_t kDropReportMs = 2000;
constexpr int64_t kPersistTimeoutMinMs = 1000;  // the spec's persist_timeout_ms: 1 s to an hour
constexpr int64_t kPersistTimeoutMaxMs = 3'600'000;
// Socket Opens that come before the stack has a network device are held (up to kHeldOpens)
// and served once it has one, or refused with kErrNotFound after kHoldMs: a client that
// listens first thing (httpd) is answered as soon as the device is there instead of retrying.
constexpr size_t kHeldOpens = 8;
constexpr uint64_t kHoldMs = 500;

uint64_t now_ms() { return sys::clock_now() / 1'000'000; }

Status status_of(tcpip::TcpFailure failure) {
  switch (failure) {
    case tcpip::TcpFailure::Refused: return abi::kErrConnectionRefused;
    case tcpip::TcpFailure::TimedOut: return abi::kErrTimedOut;
    case tcpip::TcpFailure::None:
    case tcpip::TcpFailure::Reset:
    case tcpip::TcpFailure::Aborted: return abi::kErrConnectionReset;
  }
  return abi::kErrConnectionReset;
}

abi::SocketAddress socket_address(Ipv4 ip, uint16_t port) {
  abi::SocketAddress a{};
  for (int i = 0; i < 4; ++i) a.address[i] = static_cast<uint8_t>(ip.value >> (24 - 8 * i));
  a.port = port;
  return a;
}

// A socket: a TCP connection or listener, or a bound UDP port, and the client's channel.
struct Socket {
  bool used = false;
  SocketKind kind = SocketKind::Tcp;
  Channel* channel = nullptr;  // watched by the loop, with the socket as its context; null
                               // once either end closed it
  TcpSocket tcp;
  uint16_t udp_port = 0;
  // tcp-listen, udp: the address and port bound (for the `sockets` answer).
  Ipv4 local_ip;
  uint16_t local_port = 0;

  // ping: the address asked, the pace of requests, and those awaiting a reply.
  Ipv4 ping_target;
  tcpip::PingPace ping_pace;
  tcpip::PingOutstanding ping_outstanding;

  // tcp: while connecting, the Open to answer (and the port, while the name resolves).
  uint64_t open_call = 0;
  bool resolving = false;
  uint16_t dns_query = 0;
  uint16_t remote_port = 0;
  bool nodelay = false;   // Nagle off (for a listener: for its connections)
  bool loopback = false;  // tcp: a connection within this host (counted in loopback_sockets)

  // Stack to client: whether the end of the stream was passed on. What TCP received stays
  // queued there until the client's channel takes it (Tcp::peek, then Tcp::consume).
  bool eof_sent = false;
  bool retry_in = false;  // the client's quota refused a message: try again on the timer

  // Client to stack: the rest of a message the send queue did not take (from the heap while
  // it waits; the channel is paused meanwhile), and whether the client closed the channel
  // behind it.
  uint16_t out_at = 0, out_size = 0;
  bool client_closed = false;
  uint8_t* out = nullptr;

  // tcp-listen: a connection's channel end the listen channel had no room for.
  abi::Handle handover = abi::kInvalidHandle;
  abi::SocketConnectInfo handover_info{};
};

class TcpIp final : public ComponentWith<components::tcpip::Env>,
                    private tcpip::Link,
                    private tcpip::UdpReceiver,
                    private tcpip::DnsListener,
                    private tcpip::EchoListener {
  // ---- The Ethernet service below.

  void on_service_connected(const char*) override { ask_info(); }

  // Asks the driver for its MAC address and counters; the answer comes to on_info.
  void ask_info() {
    uint8_t message[sizeof(abi::EthernetBatch)];
    auto size = lib::write_ethernet_info(message, sizeof(message), nullptr);
    if (size.ok() && env().ethernet.valid()) {
      ignore(env().ethernet.send(Bytes{message, size.value()}), "asked again at the next netstat");
    }
  }

  void on_ethernet(Bytes data) {
    auto opened = lib::EthernetBatchReader::open(data.data, data.size);
    if (!opened.ok()) {
      ++counters_.batches_in_malformed;
      return;
    }
    lib::EthernetBatchReader batch = opened.release_value();
    if (batch.has_info()) return on_info(batch.info());
    if (!net_) return;
    const uint64_t now = now_ms();
    net_->glue.advance(now);
    lib::EthernetFrame frame{};
    while (batch.next(frame)) net_->stack.receive_frame(frame.data, frame.length, now);
  }

  void on_info(const abi::EthernetInfo& info) {
    counters_.driver_rx_dropped = info.rx_dropped;
    counters_.driver_tx_dropped = info.tx_dropped;
    counters_.driver_malformed = info.malformed;
    link_up_ = info.link_up;
    if (net_) return;  // the driver restarted, or counters: same device, same stack
    tcpip::Mac mac;
    __builtin_memcpy(mac.bytes, info.mac, sizeof(mac.bytes));
    tcpip::TcpConfig config;
    config.mtu = info.mtu ? info.mtu : 1500;
    mac_ = mac;
    mtu_ = config.mtu;
    // Keys for sequence numbers and ports: the clock at start is what this machine has
    // without an entropy service.
    const uint64_t t = sys::clock_now();
    config.secret =
        tcpip::TcpSecret{t * 0x9e3779b97f4a7c15ull ^ info.mac[5], t ^ 0xc2b2ae3d27d4eb4full};
    config.memory_limit = kTcpMemory;
    config.max_connections = kConnections;
    config.persist_timeout_ms = persist_timeout_ms(config.persist_timeout_ms);
    net_ = new (net_storage_) Network(*this, mac, static_cast<uint32_t>(t), tcp_memory_, config);
    net_->stack.icmp().set_echo_listener(this);
    const uint8_t* m = info.mac;
    log("mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, mtu {}, link {}", m[0], m[1], m[2], m[3],
        m[4], m[5], config.mtu, info.link_up ? "up" : "down");
    configure();
    release_held(now_ms());
  }

  // The spec's persist timeout, if it is in range; else the engine's default, and a log line.
  uint32_t persist_timeout_ms(uint32_t fallback) {
    const int64_t ms = env().config.persist_timeout_ms;
    if (ms >= kPersistTimeoutMinMs && ms <= kPersistTimeoutMaxMs) {
      if (ms != fallback) log("persist timeout {} ms (config)", ms);
      return static_cast<uint32_t>(ms);
    }
    log("error: config persist_timeout_ms {} is not within {} to {}: {} ms", ms,
        kPersistTimeoutMinMs, kPersistTimeoutMaxMs, fallback);
    return fallback;
  }

  // The configuration of the spec: DHCP, or a static address.
  void configure() {
    const auto& c = env().config;
    if (lib::StringView(c.address) == "dhcp") {
      if (!net_->stack.start_dhcp(now_ms()).ok()) log("error: DHCP did not start");
      return;
    }
    tcpip::Config config;
    if (!tcpip::parse_static_config(c.address, c.gateway, c.dns, config)) {
      log("error: config address \"{}\" (gateway \"{}\", dns \"{}\") is neither \"dhcp\" nor "
          "A.B.C.D/PREFIX with dotted quads or nothing",
          c.address, c.gateway, c.dns);
      return;
    }
    net_->stack.configure(config);
  }

  // tcpip::Link: frames out, packed into batches.
  void send_frame(const uint8_t* frame, size_t size) override {
    if (!tx_.fits(size)) flush_frames();
    if (!tx_.add(frame, size).ok()) ++counters_.frames_dropped_out;
  }

  // Moves the batch being filled to the queue of batches, and sends what the driver's queue
  // takes; the rest waits for on_writable.
  void flush_frames() {
    if (!tx_.empty()) {
      if (tx_count_ == kTxBatches) {
        counters_.frames_dropped_out += tx_.count();
      } else {
        TxBatch& b = tx_queue_[(tx_first_ + tx_count_++) % kTxBatches];
        __builtin_memcpy(b.data, tx_.data(), tx_.size());
        b.size = static_cast<uint16_t>(tx_.size());
        b.frames = tx_.count();
      }
      tx_.clear();
    }
    while (tx_count_) {
      TxBatch& b = tx_queue_[tx_first_];
      auto sent = env().ethernet.valid() ? env().ethernet.send(Bytes{b.data, b.size})
                                         : Result<void>(abi::kErrPeerClosed);
      if (!sent.ok() && sent.error() == abi::kErrWouldBlock) {
        notify_writable(env().ethernet);
        return;
      }
      if (!sent.ok()) counters_.frames_dropped_out += b.frames;  // no driver: the wire is cut
      tx_first_ = (tx_first_ + 1) % kTxBatches;
      --tx_count_;
    }
  }

  // ---- Opens: the socket schemes.

  void on_open(Channel& ch, uint64_t call_id, const char* uri, size_t size) override {
    opens_ = &ch;
    if (lib::StringView(uri, size) == "netstat:") return open_netstat(call_id);
    auto parsed = tcpip::parse_socket_uri(uri, size);
    if (!parsed.ok()) {
      return refuse_open(call_id, parsed.error() == lib::Error::NotFound
                                      ? abi::kErrNotFound
                                      : abi::kErrInvalidArgument);
    }
    if (!net_ && hold_open(parsed.value(), call_id)) return;
    serve_open(parsed.value(), call_id);
  }

  void serve_open(const tcpip::SocketUri& uri, uint64_t call_id) {
    const Status r = open_socket(uri, call_id);
    if (r != abi::kOk) {
      ++counters_.sockets_refused;
      refuse_open(call_id, r);
    }
  }

  // ---- Opens before the device (kHeldOpens, kHoldMs).

  struct HeldOpen {
    uint64_t call_id;
    uint64_t until_ms;
    tcpip::SocketUri uri;
  };

  // Keeps an Open for when the device comes; false when kHeldOpens are held already.
  bool hold_open(const tcpip::SocketUri& uri, uint64_t call_id) {
    if (held_count_ == kHeldOpens) return false;
    held_[held_count_++] = HeldOpen{call_id, now_ms() + kHoldMs, uri};
    wake_for_held();
    return true;
  }

  // Until the stack has a device the timer is only for the oldest held Open's expiry.
  void wake_for_held() {
    if (held_count_ && !set_timer(held_[0].until_ms * 1'000'000).ok())
      log("error: cannot set the timer");
  }

  // With the device: serves every held Open, in the order they came. Without it: refuses
  // those held for kHoldMs, and sets the timer for the next.
  void release_held(uint64_t now) {
    if (net_ && held_count_) log("{} socket Opens held until the device came", held_count_);
    size_t kept = 0;
    for (size_t k = 0; k < held_count_; ++k) {
      if (net_) {
        serve_open(held_[k].uri, held_[k].call_id);
      } else if (held_[k].until_ms <= now) {
        ++counters_.sockets_refused;
        refuse_open(held_[k].call_id, abi::kErrNotFound);
      } else {
        held_[kept++] = held_[k];
      }
    }
    held_count_ = kept;
    if (!net_) wake_for_held();
  }

  // The scheme `netstat:`: a channel that is a client of the netstat service, for a
  // program whose namespace forwards Opens by scheme (a service is not one).
  void open_netstat(uint64_t call_id) {
    abi::Handle pair[2];
    if (netstat_clients_ == kNetstatClients || sys::channel_create(pair) != abi::kOk)
      return refuse_open(call_id, abi::kErrNoResources);
    if (!listen(Channel(pair[0])).ok()) {
      sys::handle_close(pair[1]);
      return refuse_open(call_id, abi::kErrNoResources);
    }
    ++netstat_clients_;
    ignore(reply_open(*opens_, call_id, Channel(pair[1])), "a caller that left wants no answer");
  }

  void refuse_open(uint64_t call_id, Status status) {
    if (opens_) ignore(abort(*opens_, call_id, status), "a caller that left wants no answer");
  }

  // Opens a socket; the Open is answered here or, for tcp:, once connected. Returns an error
  // to refuse it with.
  Status open_socket(const tcpip::SocketUri& uri, uint64_t call_id) {
    if (!net_) return abi::kErrNotFound;  // no network device (yet)
    Socket* s = allocate(uri.kind);
    if (!s) return abi::kErrNoResources;
    const auto refuse = [&](Status status) {
      release(*s);
      return status;
    };
    const uint64_t now = now_ms();
    switch (uri.kind) {
      case SocketKind::TcpListen: {
        auto l = net_->tcp.listen(uri.address, uri.port, uri.backlog);
        if (!l.ok()) return refuse(error_status(l.error()));
        s->tcp = l.value();
        s->nodelay = uri.nodelay;
        s->local_ip = uri.address;
        s->local_port = uri.port;
        return answer_open(*s, call_id);
      }
      case SocketKind::Udp: {
        if (!uri.address.any() && !net_->stack.ipv4().is_local(uri.address))
          return refuse(abi::kErrNotFound);
        auto port = net_->stack.udp().bind(uri.port, *this);
        if (!port.ok()) return refuse(error_status(port.error()));
        s->udp_port = port.value();
        s->local_ip = uri.address;
        s->local_port = port.value();
        return answer_open(*s, call_id);
      }
      case SocketKind::Ping: s->ping_target = uri.address; return answer_open(*s, call_id);
      case SocketKind::Tcp:
        s->open_call = call_id;
        s->remote_port = uri.port;
        s->nodelay = uri.nodelay;
        if (!uri.named) return connect(*s, uri.address, now);
        tcpip::DnsAnswer cached;
        if (net_->stack.dns().cached(uri.name, now, cached))
          return connect(*s, cached.address, now);
        auto query = net_->stack.dns().resolve(uri.name, *this, now);
        if (!query.ok()) return refuse(abi::kErrNotFound);
        s->resolving = true;
        s->dns_query = query.value();
        return abi::kOk;
    }
    return abi::kErrInvalidArgument;
  }

  Status connect(Socket& s, Ipv4 remote, uint64_t now) {
    const tcpip::Ipv4Layer& ip = net_->stack.ipv4();
    const Ipv4 local = ip.source_for(remote);
    Status status = abi::kErrNotFound;  // no address yet: no route
    // A connection within this host holds two sockets here: room for both, or none.
    const bool loopback = ip.is_local(remote);
    if (loopback && counters_.loopback_sockets + 2 > kLoopbackSockets) {
      ++counters_.loopback_refused;
      status = abi::kErrNoResources;
    } else if (!local.any()) {
      net_->glue.advance(now);
      auto c = net_->tcp.connect(local, remote, s.remote_port, now);
      if (c.ok()) {
        own(s, c.value());
        if (loopback) count_loopback(s);
        if (s.nodelay) (void)net_->tcp.set_nodelay(s.tcp, true);
        return abi::kOk;  // answered when the handshake ends (tcp_changed)
      }
      status = error_status(c.error());
    }
    release(s);
    return status;
  }

  void count_loopback(Socket& s) {
    s.loopback = true;
    ++counters_.loopback_sockets;
  }

  void on_resolved(uint16_t query, tcpip::DnsStatus status,
                   const tcpip::DnsAnswer& answer) override {
    for (Socket& s : sockets()) {
      if (!s.used || !s.resolving || s.dns_query != query) continue;
      s.resolving = false;
      const uint64_t call = s.open_call;
      Status r = abi::kErrNotFound;
      if (status == tcpip::DnsStatus::Ok) {
        r = connect(s, answer.address, now_ms());
      } else {
        release(s);
      }
      if (r != abi::kOk) refuse_open(call, r);
      return;
    }
  }

  static Status error_status(lib::Error e) {
    switch (e) {
      case lib::Error::AlreadyExists: return abi::kErrAddressInUse;
      case lib::Error::NoResources: return abi::kErrNoResources;
      default: return abi::kErrInvalidArgument;
    }
  }

  // Makes the socket's channel pair, keeps one end and answers the Open with the other.
  Status answer_open(Socket& s, uint64_t call_id) {
    Channel theirs;
    if (!make_channel(s, theirs)) {
      close_socket(s);
      return abi::kErrNoResources;
    }
    if (!reply_open(*opens_, call_id, static_cast<Channel&&>(theirs)).ok()) close_socket(s);
    return abi::kOk;
  }

  bool make_channel(Socket& s, Channel& theirs) {
    abi::Handle pair[2];
    if (sys::channel_create(pair) != abi::kOk) return false;
    theirs = Channel(pair[1]);
    auto ours = listen(Channel(pair[0]), &s);
    if (!ours.ok()) return false;
    s.channel = ours.value();
    return true;
  }

  // ---- Channels above.

  // The channels: the driver's (env().ethernet), the sockets' (their Socket is their
  // context), and those of netstat's clients.
  bool is_netstat_client(Channel& ch) {
    return !context_of<Socket>(ch) && &ch != &env().ethernet && &ch != &parent();
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == &env().ethernet) return on_ethernet(data);
    if (Socket* s = context_of<Socket>(ch)) {
      if (s->kind == SocketKind::Udp) return send_datagram(*s, data);
      if (s->kind == SocketKind::Ping) return send_ping(*s, data);
      if (s->kind == SocketKind::Tcp) return stream_out(*s, data);
      return;  // nothing is sent on a listen channel
    }
    if (is_netstat_client(ch)) {
      char text[abi::kMaxMessageData];
      const auto query = tcpip::parse_netstat_query(static_cast<const char*>(data.data), data.size);
      if (query != tcpip::NetstatQuery::Counters) {
        const size_t n = answer_query(query, text, sizeof(text));
        ignore(ch.send(Bytes{text, n}, call_id()), "a client that does not read asks again");
        return;
      }
      uint32_t states[tcpip::kTcpStateCount] = {};
      tcpip::TcpCounters tcp;
      tcpip::Counters stack;
      if (net_) {
        net_->tcp.count_states(states);
        tcp = net_->tcp.counters();
        stack = net_->stack.counters();
      }
      const size_t n = tcpip::format_netstat(stack, tcp, states, counters_, text, sizeof(text));
      ignore(ch.send(Bytes{text, n}, call_id()), "a client that does not read asks again");
      ask_info();  // the driver's counts, for the next answer
    }
  }

  // The answer to a netstat query other than the counters, into text.
  size_t answer_query(tcpip::NetstatQuery query, char* text, size_t capacity) {
    const tcpip::Config config = net_ ? net_->stack.config() : tcpip::Config{};
    switch (query) {
      case tcpip::NetstatQuery::Routes: return tcpip::format_routes(config, text, capacity);
      case tcpip::NetstatQuery::Interfaces: {
        tcpip::InterfaceInfo info;
        info.mac = mac_;
        info.mtu = mtu_;
        info.link_up = link_up_;
        info.dhcp = lib::StringView(env().config.address) == "dhcp";
        info.config = config;
        if (net_) {
          const tcpip::Counters& c = net_->stack.counters();
          info.rx_packets = c.frames_in;
          info.rx_bytes = c.bytes_in;
          info.tx_packets = c.frames_out;
          info.tx_bytes = c.bytes_out;
          info.rx_errors = c.dropped_total();
        }
        info.rx_dropped = counters_.driver_rx_dropped;
        info.tx_dropped = counters_.driver_tx_dropped + counters_.frames_dropped_out;
        return tcpip::format_interfaces(info, text, capacity);
      }
      case tcpip::NetstatQuery::Sockets: {
        // The answer is one message: the first kSocketRows sockets are all it can hold.
        tcpip::SocketRow rows[kSocketRows];
        size_t n = 0;
        for (const Socket& s : sockets()) {
          if (n == kSocketRows) break;
          if (!s.used || !net_) continue;
          tcpip::SocketRow& r = rows[n];
          if (s.kind == SocketKind::Udp || s.kind == SocketKind::TcpListen) {
            r.protocol = s.kind == SocketKind::Udp ? "udp" : "tcp";
            r.state = s.kind == SocketKind::Udp ? "-" : "LISTEN";
            r.local = s.local_ip;
            r.local_port = s.local_port;
            ++n;
          } else if (s.kind == SocketKind::Tcp && !s.resolving) {
            auto info = net_->tcp.info(s.tcp);
            if (!info.ok()) continue;
            const tcpip::TcpInfo& i = info.value();
            r.state = tcpip::tcp_state_name(i.state);
            r.local = i.local_ip;
            r.local_port = i.local_port;
            r.remote = i.remote_ip;
            r.remote_port = i.remote_port;
            r.recv_queued = i.recv_queued;
            r.send_queued = i.send_queued;
            ++n;
          }
        }
        return tcpip::format_sockets(rows, n, text, capacity);
      }
      case tcpip::NetstatQuery::Counters: break;
    }
    return 0;
  }

  void on_connect(Channel ch) override {              // a client of netstat
    if (netstat_clients_ == kNetstatClients) return;  // ch closes here
    if (listen(static_cast<Channel&&>(ch)).ok()) ++netstat_clients_;
  }

  void on_peer_closed(Channel& ch) override {
    if (is_netstat_client(ch)) --netstat_clients_;
    Socket* s = context_of<Socket>(ch);
    if (!s) return;
    s->channel = nullptr;  // the loop closes it
    if (s->out_at < s->out_size) {
      s->client_closed = true;  // closed once the rest is written
      return;
    }
    close_socket(*s);
  }

  void on_writable(Channel& ch) override {
    if (&ch == &env().ethernet) return flush_frames();
    Socket* s = context_of<Socket>(ch);
    if (!s) return;
    if (s->kind == SocketKind::TcpListen) return hand_over(*s);
    if (s->kind == SocketKind::Tcp) stream_in(*s);
  }

  // Client to stack: a Data message on a stream channel.
  void stream_out(Socket& s, Bytes data) {
    const uint64_t now = now_ms();
    net_->glue.advance(now);
    if (data.size == 0) {
      (void)net_->tcp.shutdown(s.tcp, now);
      return;
    }
    auto taken = net_->tcp.write(s.tcp, static_cast<const uint8_t*>(data.data), data.size, now);
    // An error other than a full queue: the connection failed, which stream_in reports.
    const size_t n = taken.ok() ? taken.value() : 0;
    if (n == data.size || (!taken.ok() && taken.error() != lib::Error::WouldBlock)) return;
    if (!s.out) {
      auto buffer = heap_allocate(abi::kMaxMessageData);
      if (!buffer.ok()) {
        // No memory to keep the rest: the stream cannot go on whole, so it ends here, and
        // the client is told (never a gap in what the peer receives).
        ++counters_.streams_reset_no_memory;
        (void)net_->tcp.abort(s.tcp, now);
        return fail_stream(s, abi::kErrNoMemory);
      }
      s.out = static_cast<uint8_t*>(buffer.value());
    }
    __builtin_memcpy(s.out, static_cast<const uint8_t*>(data.data) + n, data.size - n);
    s.out_at = 0;
    s.out_size = static_cast<uint16_t>(data.size - n);
    pause(*s.channel);
  }

  // Writes what waits of a paused channel's message; resumes it once all is taken.
  void drain_out(Socket& s) {
    if (s.out_at == s.out_size) return;
    auto taken = net_->tcp.write(s.tcp, s.out + s.out_at, s.out_size - s.out_at, now_ms());
    if (taken.ok()) {
      s.out_at = static_cast<uint16_t>(s.out_at + taken.value());
    } else if (taken.error() != lib::Error::WouldBlock) {
      s.out_at = s.out_size;  // failed: dropped
    }
    if (s.out_at < s.out_size) return;
    s.out_at = s.out_size = 0;
    heap_free(s.out);
    s.out = nullptr;
    if (s.client_closed) return close_socket(s);
    if (s.channel) resume(*s.channel);
  }

  // Stack to client: what the connection received, while the client's queue has room. Bytes
  // leave TCP only once the channel took them: a full queue (or a send that fails for the
  // client's quota) leaves them there, closing the window, and notify_writable waits for room.
  void stream_in(Socket& s) {
    while (s.channel && !s.eof_sent) {
      auto got = net_->tcp.peek(s.tcp, scratch_, sizeof(scratch_));
      if (!got.ok()) {
        if (got.error() == lib::Error::WouldBlock) return;
        return fail_stream(s);
      }
      auto sent = s.channel->send(Bytes{scratch_, got.value()});
      if (!sent.ok() && sent.error() == abi::kErrWouldBlock) {
        ++counters_.stream_in_waits;
        return notify_writable(*s.channel);
      }
      if (!sent.ok() &&
          (sent.error() == abi::kErrQuotaExceeded || sent.error() == abi::kErrNoMemory)) {
        ++counters_.stream_in_waits;
        s.retry_in = true;  // at the next poll (on_timer): room does not come with a signal
        return;
      }
      if (!sent.ok()) return;  // the client is gone: on_peer_closed closes the socket
      if (got.value() == 0) {
        s.eof_sent = true;
      } else {
        net_->tcp.consume(s.tcp, got.value(), now_ms());
      }
    }
  }

  // The connection failed: the client gets Error{status}, and its channel closes.
  void fail_stream(Socket& s, Status reason = abi::kOk) {
    auto info = net_->tcp.info(s.tcp);
    const int64_t status =
        reason != abi::kOk ? reason
                           : status_of(info.ok() ? info.value().failure : tcpip::TcpFailure::Reset);
    ignore(s.channel->send(abi::MessageKind::Error, Bytes{&status, sizeof(status)}, 0, nullptr, 0),
           "a client that is gone needs no reason; its channel closes either way");
    close_socket(s);
  }

  // ---- The stack's side of sockets.

  // After every event: what changed in TCP and what this host sent itself, in turns until
  // both are quiet; then the timers, and the frames out.
  void service() {
    if (!net_) return;
    for (size_t round = 0;; ++round) {
      TcpSocket changed;
      while (net_->tcp.next_changed(changed)) {
        if (Socket* s = socket_of(changed)) tcp_changed(*s);
      }
      if (!net_->stack.ipv4().loopback_pending() || round == kLoopbackRounds) break;
      const uint64_t now = now_ms();
      net_->glue.advance(now);
      net_->stack.ipv4().deliver_loopback(now);
    }
    check_configuration();
    flush_frames();
    // The stack's timers every kPollMs, TCP's when they are due: an event that comes first
    // does not push them back.
    const uint64_t tcp_deadline = net_->tcp.next_deadline();
    uint64_t deadline = tcp_deadline < next_poll_ms_ ? tcp_deadline : next_poll_ms_;
    if (net_->stack.ipv4().loopback_pending()) deadline = now_ms();  // the rounds left some
    if (deadline == 0) deadline = 1;  // due now (a deadline of 0 would disarm the timer)
    if (deadline != timer_ms_) {
      timer_ms_ = deadline;
      if (!set_timer(deadline * 1'000'000).ok()) log("error: cannot set the timer");
    }
  }

  void tcp_changed(Socket& s) {
    const uint32_t ready = net_->tcp.poll(s.tcp);
    if (s.kind == SocketKind::TcpListen) return hand_over(s);
    if (s.open_call) {
      if (ready & tcpip::kTcpConnected) {
        const uint64_t call = s.open_call;
        s.open_call = 0;
        const Status r = answer_open(s, call);
        if (r != abi::kOk) refuse_open(call, r);
      } else if (ready & (tcpip::kTcpFailed | tcpip::kTcpClosed)) {
        auto info = net_->tcp.info(s.tcp);
        const auto failure = info.ok() ? info.value().failure : tcpip::TcpFailure::TimedOut;
        refuse_open(s.open_call, status_of(failure));
        close_socket(s);
      }
      return;
    }
    if (ready & tcpip::kTcpWritable) drain_out(s);
    if (s.used && (ready & tcpip::kTcpReadable)) stream_in(s);
  }

  // Accepted connections to the listen channel, while it has room.
  void hand_over(Socket& listener) {
    while (listener.channel) {
      if (listener.handover != abi::kInvalidHandle) {
        auto sent =
            listener.channel->send(abi::MessageKind::Connect,
                                   Bytes{&listener.handover_info, sizeof(listener.handover_info)},
                                   0, &listener.handover, 1);
        if (!sent.ok() && sent.error() == abi::kErrWouldBlock)
          return notify_writable(*listener.channel);
        if (!sent.ok()) sys::handle_close(listener.handover);
        listener.handover = abi::kInvalidHandle;
      }
      auto accepted = net_->tcp.accept(listener.tcp);
      if (!accepted.ok()) return;
      auto info = net_->tcp.info(accepted.value());
      // The accepting end of a connection within this host (its connecting end made room).
      const bool loopback = info.ok() && net_->stack.ipv4().is_local(info.value().remote_ip);
      Socket* s = allocate(SocketKind::Tcp);
      Channel theirs;
      if (!s || !info.ok() || (loopback && counters_.loopback_sockets == kLoopbackSockets) ||
          !make_channel(*s, theirs)) {
        (void)net_->tcp.abort(accepted.value(), now_ms());
        if (s) release(*s);
        ++counters_.sockets_refused;
        continue;
      }
      own(*s, accepted.value());
      if (loopback) count_loopback(*s);
      if (listener.nodelay) (void)net_->tcp.set_nodelay(s->tcp, true);
      const tcpip::TcpInfo& i = info.value();
      listener.handover_info = {socket_address(i.local_ip, i.local_port),
                                socket_address(i.remote_ip, i.remote_port)};
      listener.handover = theirs.release();
      stream_in(*s);  // anything that came with the handshake
    }
  }

  // tcpip::UdpReceiver: a datagram for a bound port, to its client.
  void on_datagram(uint16_t local_port, Ipv4 source, uint16_t source_port, Ipv4,
                   const uint8_t* data, size_t size, uint64_t) override {
    for (Socket& s : sockets()) {
      if (!s.used || s.kind != SocketKind::Udp || s.udp_port != local_port || !s.channel) continue;
      if (size > abi::kMaxUdpPayload) break;
      const abi::UdpDatagram header{socket_address(source, source_port)};
      __builtin_memcpy(scratch_, &header, sizeof(header));
      __builtin_memcpy(scratch_ + sizeof(header), data, size);
      if (s.channel->send(Bytes{scratch_, sizeof(header) + size}).ok()) return;
      break;
    }
    ++counters_.datagrams_dropped_in;
  }

  void send_datagram(Socket& s, Bytes data) {
    abi::UdpDatagram header;
    if (data.size < sizeof(header)) {
      ++counters_.datagrams_dropped_out;
      return;
    }
    __builtin_memcpy(&header, data.data, sizeof(header));
    const uint8_t* a = header.remote.address;
    const Ipv4 to = Ipv4::of(a[0], a[1], a[2], a[3]);
    auto sent = net_->stack.udp().send(s.udp_port, to, header.remote.port,
                                       static_cast<const uint8_t*>(data.data) + sizeof(header),
                                       data.size - sizeof(header), now_ms());
    if (!sent.ok()) ++counters_.datagrams_dropped_out;
  }

  // A ping channel's request: an echo request, paced (tcpip::PingLimiter); a request that
  // is not sent is answered at once.
  void send_ping(Socket& s, Bytes data) {
    abi::PingRequest request{};
    Status status = abi::kErrInvalidArgument;
    if (data.size == sizeof(request)) {
      __builtin_memcpy(&request, data.data, sizeof(request));
      status = request.size > abi::kPingMaxPayload ? abi::kErrInvalidArgument : abi::kOk;
    }
    const uint64_t now = now_ms();
    if (status == abi::kOk && !ping_limiter_.allow(s.ping_pace, now)) status = abi::kErrWouldBlock;
    if (status == abi::kOk) {
      uint8_t payload[abi::kPingMaxPayload];
      for (size_t i = 0; i < request.size; ++i) payload[i] = static_cast<uint8_t>(i);
      const uint64_t sent_ns = sys::clock_now();
      net_->glue.advance(now);
      auto sent = net_->stack.icmp().send_echo_request(s.ping_target, ping_id(s), request.sequence,
                                                       payload, request.size, now);
      if (sent.ok()) {
        s.ping_outstanding.add(request.sequence, sent_ns);
        return;
      }
      status = abi::kErrNotFound;
    }
    abi::PingReply reply{};
    reply.sequence = request.sequence;
    reply.status = static_cast<int32_t>(status);
    reply.from = socket_address(s.ping_target, 0);
    ignore(s.channel->send(Bytes{&reply, sizeof(reply)}), "a full queue: the client times out");
  }

  // The ICMP id of a ping channel's requests: its socket's index, above the stack's own.
  uint16_t ping_id(const Socket& s) const {
    return static_cast<uint16_t>(kPingIdBase + static_cast<size_t>(&s - first_socket()));
  }

  // ---- Sockets.

  // Sockets are made in their storage as the most ever open at once grows, so that only the
  // pages a load has needed are touched (and charged).
  Socket* first_socket() { return reinterpret_cast<Socket*>(socket_storage_); }
  const Socket* first_socket() const { return reinterpret_cast<const Socket*>(socket_storage_); }
  struct Sockets {
    Socket* first;
    size_t count;
    Socket* begin() const { return first; }
    Socket* end() const { return first + count; }
  };
  Sockets sockets() { return {first_socket(), socket_count_}; }

  Socket* allocate(SocketKind kind) {
    Socket* found = nullptr;
    for (Socket& s : sockets()) {
      if (!s.used) {
        found = &s;
        break;
      }
    }
    if (!found && socket_count_ < kSockets) found = new (first_socket() + socket_count_++) Socket;
    if (!found) return nullptr;
    found->used = true;
    found->kind = kind;
    ++counters_.sockets_open;
    return found;
  }

  // The socket that holds a TCP connection (by the engine's index) or listener.
  Socket* socket_of(TcpSocket tcp) {
    if ((tcp.value & 0x80000000u) == 0) {
      const size_t index = (tcp.value & 0xffff) - 1;
      if (index >= kConnections || tcp_owner_[index] == 0) return nullptr;
      Socket& s = first_socket()[tcp_owner_[index] - 1];
      return s.used && s.tcp == tcp ? &s : nullptr;
    }
    for (Socket& s : sockets()) {
      if (s.used && s.kind == SocketKind::TcpListen && s.tcp == tcp) return &s;
    }
    return nullptr;
  }
  void own(Socket& s, TcpSocket tcp) {
    s.tcp = tcp;
    const size_t index = (tcp.value & 0xffff) - 1;
    if (index < kConnections) tcp_owner_[index] = static_cast<uint16_t>(&s - first_socket() + 1);
  }

  void release(Socket& s) {
    if (s.kind == SocketKind::Tcp && s.tcp.value) {
      const size_t index = (s.tcp.value & 0xffff) - 1;
      if (index < kConnections && tcp_owner_[index] == &s - first_socket() + 1)
        tcp_owner_[index] = 0;
    }
    if (s.loopback) --counters_.loopback_sockets;
    s.loopback = false;
    heap_free(s.out);
    s.out = nullptr;
    s.used = false;
    s.channel = nullptr;
    s.tcp = {};
    s.udp_port = 0;
    s.local_ip = {};
    s.local_port = 0;
    s.ping_target = {};
    s.ping_pace = {};
    s.ping_outstanding.clear();
    s.open_call = 0;
    s.resolving = false;
    s.nodelay = false;
    s.eof_sent = s.client_closed = s.retry_in = false;
    s.out_at = s.out_size = 0;
    if (s.handover != abi::kInvalidHandle) sys::handle_close(s.handover);
    s.handover = abi::kInvalidHandle;
    --counters_.sockets_open;
  }

  // Closes the socket: the connection closes gracefully (the engine finishes on its own), the
  // listener stops, the port is unbound; our end of the channel closes.
  void close_socket(Socket& s) {
    if (s.resolving) net_->stack.dns().cancel(s.dns_query);
    if (s.kind == SocketKind::Udp && s.udp_port) net_->stack.udp().unbind(s.udp_port);
    if ((s.kind == SocketKind::Tcp || s.kind == SocketKind::TcpListen) && s.tcp.value)
      (void)net_->tcp.close(s.tcp, now_ms());
    if (s.channel) unwatch(*s.channel);
    release(s);
  }

  // ---- Configuration, ping, timers.

  // Logs each new configuration, and pings the gateway once the first one is there.
  void check_configuration() {
    const tcpip::Config& c = net_->stack.config();
    if (c == logged_) return;
    logged_ = c;
    if (c.address.any()) return log("no address");
    log("address {} netmask {} gateway {} dns {}{}", ip_text(c.address).text,
        ip_text(c.netmask).text, ip_text(c.gateway).text, ip_text(c.dns).text,
        lib::StringView(env().config.address) == "dhcp" ? " (DHCP)" : "");
    if (!c.gateway.any() && ping_sent_ == 0) ping();
  }

  void ping() {
    ping_at_ = now_ms();
    ++ping_sent_;
    const uint8_t payload[8] = {'s', 't', 'e', 'l', 'l', 'i', 'n', 'a'};
    (void)net_->stack.icmp().send_echo_request(net_->stack.config().gateway, kPingId,
                                               static_cast<uint16_t>(ping_sent_), payload,
                                               sizeof(payload), ping_at_);
  }

  void on_echo_reply(Ipv4 from, uint16_t id, uint16_t sequence, const uint8_t*, size_t size,
                     uint64_t now) override {
    if (id >= kPingIdBase && id < kPingIdBase + kSockets)
      return ping_reply(from, id, sequence, size);
    if (id != kPingId || ping_done_ || sequence != ping_sent_) return;
    ping_done_ = true;
    log("ping {}: reply in {} ms", ip_text(from).text, now - ping_at_);
  }

  // An echo reply for a ping channel: passed on if it answers a request the channel made.
  void ping_reply(Ipv4 from, uint16_t id, uint16_t sequence, size_t size) {
    if (static_cast<size_t>(id - kPingIdBase) >= socket_count_) return;
    Socket& s = first_socket()[id - kPingIdBase];
    uint64_t sent_ns = 0;
    if (!s.used || s.kind != SocketKind::Ping || !s.channel || from != s.ping_target ||
        !s.ping_outstanding.take(sequence, &sent_ns))
      return;
    abi::PingReply reply{};
    reply.sequence = sequence;
    reply.size = static_cast<uint16_t>(size > 0xffff ? 0xffff : size);
    reply.status = abi::kOk;
    reply.rtt_ns = sys::clock_now() - sent_ns;
    reply.from = socket_address(from, 0);
    ignore(s.channel->send(Bytes{&reply, sizeof(reply)}), "a full queue: the client times out");
  }

  void on_timer() override {
    if (!net_) return release_held(now_ms());
    const uint64_t now = now_ms();
    timer_ms_ = 0;
    net_->glue.advance(now);
    if (now >= next_poll_ms_) {
      net_->stack.poll(now);
      next_poll_ms_ = now + tcpip::Stack::kPollMs;
      retry_streams();
    }
    net_->tcp.tick(now);
    if (ping_sent_ && !ping_done_ && now - ping_at_ >= 1000) {
      if (ping_sent_ < kPingTries) {
        ping();
      } else {
        ping_done_ = true;
        log("ping {}: no reply", ip_text(net_->stack.config().gateway).text);
      }
    }
    report_drops(now);
  }

  // Passes on what waits for clients whose quota refused a message before.
  void retry_streams() {
    for (Socket& s : sockets()) {
      if (!s.used || !s.retry_in) continue;
      s.retry_in = false;
      stream_in(s);
    }
  }

  // Logs the drops, at most every kDropReportMs and only when there are new ones: malformed
  // or unexpected packets are worth knowing of, but must not flood the log.
  void report_drops(uint64_t now) {
    const uint64_t total =
        net_->stack.counters().dropped_total() + net_->tcp.counters().dropped_total();
    if (total == drops_reported_ || now - drops_reported_at_ < kDropReportMs) return;
    char text[160];
    tcpip::format_drops(net_->stack.counters(), net_->tcp.counters(), text, sizeof(text));
    log("dropped {} packets, {} in all: {}", total - drops_reported_, total,
        static_cast<const char*>(text));
    drops_reported_ = total;
    drops_reported_at_ = now;
  }

  struct IpText {
    char text[16];
  };
  static IpText ip_text(Ipv4 ip) {
    IpText t{};
    lib::format_to(t.text, sizeof(t.text), "{}.{}.{}.{}", ip.value >> 24, ip.value >> 16 & 0xff,
                   ip.value >> 8 & 0xff, ip.value & 0xff);
    return t;
  }

  void after_events() override { service(); }

  // The stack, built once the driver has told its MAC address.
  struct Network {
    Network(tcpip::Link& link, tcpip::Mac mac, uint32_t seed, tcpip::TcpMemory& memory,
            const tcpip::TcpConfig& config)
        : stack(link, mac, seed), glue(stack.ipv4()), tcp(glue, memory, config) {
      glue.bind(tcp);
      (void)stack.ipv4().attach(tcpip::kProtocolTcp, glue);
    }
    tcpip::Stack stack;
    tcpip::TcpOverIpv4 glue;
    tcpip::Tcp tcp;
  };
  static constexpr uint16_t kPingId = 0x5354;
  static constexpr uint16_t kPingIdBase = 0x7000;  // ping channels: this plus the socket's index

  // TCP's memory: the component's heap.
  class HeapMemory final : public tcpip::TcpMemory {
    void* allocate(size_t size) override {
      auto block = heap_allocate(size);
      return block.ok() ? block.value() : nullptr;
    }
    void release(void* block, size_t) override { heap_free(block); }
  };

  struct TxBatch {
    uint16_t size = 0;
    uint32_t frames = 0;
    uint8_t data[abi::kMaxMessageData];
  };

  Network* net_ = nullptr;
  tcpip::Mac mac_;
  uint32_t mtu_ = 0;
  bool link_up_ = false;
  tcpip::PingLimiter ping_limiter_;
  alignas(Network) uint8_t net_storage_[sizeof(Network)];
  Channel* opens_ = nullptr;   // the startup channel, where Opens come from
  HeldOpen held_[kHeldOpens];  // oldest first
  size_t held_count_ = 0;
  size_t netstat_clients_ = 0;
  // kSockets sockets' room, socket_count_ of them made (allocate). No initializer: the
  // storage is demand-zero until a socket is made there.
  alignas(Socket) uint8_t socket_storage_[kSockets * sizeof(Socket)];
  size_t socket_count_ = 0;
  tcpip::ComponentCounters counters_;
  tcpip::Config logged_;
  uint64_t next_poll_ms_ = 0;  // when the stack's timers run next
  uint64_t timer_ms_ = 0;      // the deadline the timer is set for
  uint64_t ping_at_ = 0, ping_sent_ = 0;
  uint64_t drops_reported_ = 0, drops_reported_at_ = 0;
  bool ping_done_ = false;

  uint8_t tx_buffer_[abi::kMaxMessageData];
  lib::EthernetBatchWriter tx_{tx_buffer_};
  TxBatch tx_queue_[kTxBatches];
  size_t tx_first_ = 0, tx_count_ = 0;
  HeapMemory tcp_memory_;
  // By the engine's connection index: socket index + 1. Zero as static storage (no
  // initializer, so that start touches none of it).
  uint16_t tcp_owner_[kConnections];
  uint8_t scratch_[abi::kMaxMessageData];  // a message on its way to a client
};

}  // namespace

STELLINA_COMPONENT(TcpIp)
