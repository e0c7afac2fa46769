// The engine's tables, the owner's API and the timers. Segment arrival is in tcp_input.cc,
// sending in tcp_output.cc.
#include "servers/tcpip/stack/tcp.h"

#include "servers/tcpip/stack/tcp_socket_id.h"

namespace tcpip {

const char* tcp_state_name(TcpState state) {
  switch (state) {
    case TcpState::Closed: return "CLOSED";
    case TcpState::Listen: return "LISTEN";
    case TcpState::SynSent: return "SYN_SENT";
    case TcpState::SynReceived: return "SYN_RECEIVED";
    case TcpState::Established: return "ESTABLISHED";
    case TcpState::FinWait1: return "FIN_WAIT_1";
    case TcpState::FinWait2: return "FIN_WAIT_2";
    case TcpState::CloseWait: return "CLOSE_WAIT";
    case TcpState::Closing: return "CLOSING";
    case TcpState::LastAck: return "LAST_ACK";
    case TcpState::TimeWait: return "TIME_WAIT";
    case TcpState::Count: break;
  }
  return "?";
}

const char* tcp_failure_name(TcpFailure failure) {
  switch (failure) {
    case TcpFailure::None: return "none";
    case TcpFailure::Refused: return "refused";
    case TcpFailure::Reset: return "reset";
    case TcpFailure::TimedOut: return "timed-out";
    case TcpFailure::Aborted: return "aborted";
  }
  return "?";
}

namespace {

constexpr uint16_t kEphemeralFirst = 49152;
constexpr uint32_t kEphemeralCount = 16384;

}  // namespace

Tcp::Tcp(TcpOutput& output, TcpMemory& memory, const TcpConfig& config)
    : output_(output),
      config_(config),
      budget_(memory, config.memory_limit),
      time_wait_limit_(config.time_wait_entries < kTcpTimeWaitEntries ? config.time_wait_entries
                                                                      : kTcpTimeWaitEntries) {
  if (config_.delayed_ack_ms > 200) config_.delayed_ack_ms = 200;
  if (config_.rto_min_ms == 0) config_.rto_min_ms = 1;
  if (config_.rto_max_ms < config_.rto_min_ms) config_.rto_max_ms = config_.rto_min_ms;
}

Tcp::~Tcp() {
  for (size_t i = 0; i < table_size_; ++i) {
    if (table_[i].connection != nullptr && table_[i].connection->in_use) {
      free_slot(*table_[i].connection);
    }
  }
  reap();
  budget_.release(table_, table_size_ * sizeof(Slot));
  budget_.release(buckets_, bucket_count_ * sizeof(uint16_t));
}

uint16_t Tcp::our_mss() const {
  uint32_t mss = config_.mtu > 40 ? config_.mtu - 40u : 0;
  if (mss < kTcpDefaultMss) mss = kTcpDefaultMss;
  return static_cast<uint16_t>(mss > kTcpMaxMss ? kTcpMaxMss : mss);
}

uint8_t Tcp::our_shift() const {
  uint8_t shift = 0;
  while ((kTcpBufferSize >> shift) > 0xffff) ++shift;
  return shift;
}

// ---- Connections.

int Tcp::find_listener(Ipv4 local, uint16_t port) const {
  int wildcard = -1;
  for (size_t i = 0; i < kTcpMaxListeners; ++i) {
    const Listener& l = listeners_[i];
    if (!l.in_use || l.port != port) continue;
    if (l.local == local) return static_cast<int>(i);
    if (l.local.any()) wildcard = static_cast<int>(i);
  }
  return wildcard;
}

void Tcp::init_connection(TcpConnection& c, Ipv4 local, uint16_t local_port, Ipv4 remote,
                          uint16_t remote_port, const uint32_t* iss_floor) {
  c.in_use = true;
  c.listener = -1;
  c.local_ip = local;
  c.remote_ip = remote;
  c.local_port = local_port;
  c.remote_port = remote_port;
  c.iss = tcp_initial_sequence(config_.secret, now_, local, local_port, remote, remote_port);
  if (iss_floor != nullptr && seq_lt(c.iss, *iss_floor)) c.iss = *iss_floor;
  c.snd_una = c.snd_nxt = c.snd_max = c.iss;
  c.snd_base = c.iss + 1;
  c.ssthresh = 0x3fffffff;
  c.recover = c.iss;
  c.rtt.init(config_.rto_initial_ms, config_.rto_min_ms, config_.rto_max_ms);
  hash_insert(c);
}

void Tcp::mark(TcpConnection& c) {
  c.changed = true;
  if (c.listener >= 0) listeners_[c.listener].changed = true;
}

// The connection is over. Its slot stays for an owner who has not closed it yet, so that poll()
// can say how it ended (and what it received can be read); otherwise it is free. Nothing will
// be sent any more: the send queue's memory goes at once.
void Tcp::finish(TcpConnection& c) {
  c.state = TcpState::Closed;
  c.rtx_at = c.persist_at = c.delack_at = c.linger_at = c.stalled_since = 0;
  c.send.consume(c.send.size());
  trim_send(c);
  if (c.released || c.listener >= 0) {
    free_slot(c);
  } else {
    mark(c);
  }
}

void Tcp::fail(TcpConnection& c, TcpFailure failure, bool send_reset_too) {
  if (send_reset_too) send_reset(c);
  c.failure = failure;
  ++counters_.failures;
  finish(c);
}

// ---- The owner's API.

lib::Result<TcpSocket> Tcp::connect(Ipv4 local, Ipv4 remote, uint16_t remote_port, uint64_t now_ms,
                                    uint16_t local_port) {
  now_ = now_ms;
  const Reaper reaper(*this);
  if (local.any() || remote.any() || remote.broadcast() || remote_port == 0) {
    return lib::Error::InvalidArgument;
  }
  if (local_port == 0) {
    const uint32_t base =
        static_cast<uint32_t>(tcp_tuple_hash(config_.secret, local, 0, remote, remote_port));
    for (uint32_t i = 0; i < kEphemeralCount && local_port == 0; ++i) {
      const auto port =
          static_cast<uint16_t>(kEphemeralFirst + (base + port_counter_ + i) % kEphemeralCount);
      if (find(local, port, remote, remote_port) == nullptr && find_listener(local, port) < 0 &&
          find_time_wait(local, port, remote, remote_port) == nullptr) {
        local_port = port;
        port_counter_ += i + 1;
      }
    }
    if (local_port == 0) return lib::Error::NoResources;
  } else if (find(local, local_port, remote, remote_port) != nullptr ||
             find_time_wait(local, local_port, remote, remote_port) != nullptr) {
    return lib::Error::AlreadyExists;
  }
  TcpConnection* c = allocate();
  if (c == nullptr) return lib::Error::NoResources;
  init_connection(*c, local, local_port, remote, remote_port);
  c->state = TcpState::SynSent;
  ++counters_.active_opens;
  output(*c);
  return socket_of(*c);
}

lib::Result<TcpSocket> Tcp::listen(Ipv4 local, uint16_t port, uint16_t backlog) {
  if (port == 0 || backlog == 0) return lib::Error::InvalidArgument;
  for (const Listener& l : listeners_) {
    if (l.in_use && l.port == port && (l.local == local || l.local.any() || local.any())) {
      return lib::Error::AlreadyExists;
    }
  }
  for (size_t i = 0; i < kTcpMaxListeners; ++i) {
    Listener& l = listeners_[i];
    if (l.in_use) continue;
    const uint16_t generation = l.generation;
    l = Listener{};
    l.in_use = true;
    l.generation = generation;
    l.backlog = backlog;
    l.port = port;
    l.local = local;
    return TcpSocket{tcp_socket_value(l.generation, i) | kTcpListenerBit};
  }
  return lib::Error::NoResources;
}

lib::Result<TcpSocket> Tcp::accept(TcpSocket socket) {
  Listener* l = listener(socket);
  if (l == nullptr) return lib::Error::BadHandle;
  TcpConnection* oldest = at(l->accept_head);
  if (oldest == nullptr) return lib::Error::WouldBlock;
  unqueue(*oldest);
  --l->waiting;
  oldest->listener = -1;
  oldest->changed = true;
  return socket_of(*oldest);
}

lib::Result<size_t> Tcp::write(TcpSocket socket, const uint8_t* data, size_t size,
                               uint64_t now_ms) {
  now_ = now_ms;
  const Reaper reaper(*this);
  TcpConnection* c = connection(socket);
  if (c == nullptr) return lib::Error::BadHandle;
  if (c->state == TcpState::Closed) return lib::Error::PeerClosed;
  if (c->fin_queued) return lib::Error::NotSupported;
  if (size == 0) return size_t{0};
  const size_t taken = c->send.append(data, size, budget_);
  if (taken == 0) {
    // A full queue, or no memory for one: writable again when ACKs free some (mark), or, for
    // an empty queue that found no memory, at the next tick.
    if (c->send.size() == 0) c->write_starved = true;
    return lib::Error::WouldBlock;
  }
  output(*c);
  return taken;
}

lib::Result<size_t> Tcp::read(TcpSocket socket, uint8_t* out, size_t size, uint64_t now_ms) {
  auto n = peek(socket, out, size);
  if (n.ok() && n.value() > 0) consume(socket, n.value(), now_ms);
  return n;
}

lib::Result<size_t> Tcp::peek(TcpSocket socket, uint8_t* out, size_t size) const {
  const TcpConnection* c = connection(socket);
  if (c == nullptr) return lib::Error::BadHandle;
  const size_t available = c->recv.size();
  if (available == 0) {
    if (c->failure == TcpFailure::TimedOut) return lib::Error::TimedOut;
    if (c->failure != TcpFailure::None) return lib::Error::PeerClosed;
    if (c->fin_received || c->state == TcpState::Closed) return size_t{0};
    return lib::Error::WouldBlock;
  }
  const size_t n = size < available ? size : available;
  c->recv.peek(0, out, n);
  return n;
}

void Tcp::consume(TcpSocket socket, size_t size, uint64_t now_ms) {
  now_ = now_ms;
  const Reaper reaper(*this);
  TcpConnection* c = connection(socket);
  if (c == nullptr) return;
  c->recv.consume(size);
  trim_receive(*c);
  // Announce the opened window when it grew by two segments or half the buffer (RFC 1122
  // section 4.2.3.3), or when it had been closed.
  if (c->state != TcpState::Closed && c->state != TcpState::SynSent) {
    const uint32_t announced = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    const uint32_t window = uint32_t{receive_window(*c, false)} << c->rcv_shift;
    const uint32_t two_segments = 2 * uint32_t{our_mss()};
    const uint32_t threshold =
        two_segments < kTcpBufferSize / 2 ? two_segments : uint32_t{kTcpBufferSize / 2};
    if (window >= announced + threshold || (announced == 0 && window > 0)) {
      c->ack_now = true;
      output(*c);
    }
  }
}

lib::Result<void> Tcp::shutdown(TcpSocket socket, uint64_t now_ms) {
  now_ = now_ms;
  const Reaper reaper(*this);
  TcpConnection* c = connection(socket);
  if (c == nullptr) return lib::Error::BadHandle;
  if (c->fin_queued) return {};
  switch (c->state) {
    case TcpState::SynSent:
    case TcpState::SynReceived: c->fin_queued = true; return {};
    case TcpState::Established: c->state = TcpState::FinWait1; break;
    case TcpState::CloseWait: c->state = TcpState::LastAck; break;
    default: return lib::Error::PeerClosed;
  }
  c->fin_queued = true;
  output(*c);
  return {};
}

lib::Result<void> Tcp::close(TcpSocket socket, uint64_t now_ms) {
  now_ = now_ms;
  const Reaper reaper(*this);
  if (Listener* l = listener(socket)) {
    const auto index = static_cast<int8_t>(l - listeners_);
    for (size_t i = 0; i < table_size_ && l->waiting > 0; ++i) {
      TcpConnection* c = table_[i].connection;
      if (c != nullptr && c->in_use && c->listener == index) fail(*c, TcpFailure::Aborted, true);
    }
    l->in_use = false;
    l->generation = static_cast<uint16_t>((l->generation + 1) & kTcpGenerationMask);
    return {};
  }
  TcpConnection* c = connection(socket);
  if (c == nullptr) return lib::Error::BadHandle;
  if (c->state == TcpState::Closed || c->state == TcpState::SynSent) {
    free_slot(*c);
    return {};
  }
  // Data the owner will never read: tell the peer it was lost (RFC 2525 section 2.17).
  if (c->recv.size() > 0) return abort(socket, now_ms);
  c->released = true;
  if (!c->fin_queued) {
    c->fin_queued = true;
    if (c->state == TcpState::Established) c->state = TcpState::FinWait1;
    if (c->state == TcpState::CloseWait) c->state = TcpState::LastAck;
    output(*c);
  } else if (c->state == TcpState::FinWait2 && c->linger_at == 0) {
    c->linger_at = now_ + config_.orphan_fin_wait2_ms;
  }
  return {};
}

lib::Result<void> Tcp::abort(TcpSocket socket, uint64_t now_ms) {
  now_ = now_ms;
  const Reaper reaper(*this);
  TcpConnection* c = connection(socket);
  if (c == nullptr) return close(socket, now_ms);  // a listener, or a bad handle
  if (c->state != TcpState::Closed && c->state != TcpState::SynSent) send_reset(*c);
  free_slot(*c);
  return {};
}

lib::Result<void> Tcp::set_nodelay(TcpSocket socket, bool nodelay) {
  const Reaper reaper(*this);
  TcpConnection* c = connection(socket);
  if (c == nullptr) return lib::Error::BadHandle;
  c->nodelay = nodelay;
  if (nodelay && c->state != TcpState::Closed) output(*c);
  return {};
}

uint32_t Tcp::poll(TcpSocket socket) const {
  if ((socket.value & kTcpListenerBit) != 0) {
    const Listener* l = const_cast<Tcp*>(this)->listener(socket);
    return l != nullptr && l->ready > 0 ? kTcpAcceptable : 0;
  }
  const TcpConnection* c = connection(socket);
  if (c == nullptr) return 0;
  uint32_t bits = 0;
  const bool over = c->state == TcpState::Closed;
  if (c->recv.size() > 0 || c->fin_received || over) bits |= kTcpReadable;
  const bool open = c->state == TcpState::Established || c->state == TcpState::CloseWait;
  if ((open && !c->fin_queued && c->send.free() > 0) || over) bits |= kTcpWritable;
  if (c->connected) bits |= kTcpConnected;
  if (c->fin_received) bits |= kTcpPeerClosed;
  if (over) bits |= kTcpClosed;
  if (c->failure != TcpFailure::None) bits |= kTcpFailed;
  return bits;
}

bool Tcp::next_changed(TcpSocket& out) {
  for (size_t i = 0; i < kTcpMaxListeners; ++i) {
    if (listeners_[i].in_use && listeners_[i].changed) {
      listeners_[i].changed = false;
      out = TcpSocket{tcp_socket_value(listeners_[i].generation, i) | kTcpListenerBit};
      return true;
    }
  }
  for (size_t n = 0; n < table_size_; ++n) {
    const size_t i = (changed_cursor_ + n) % table_size_;
    TcpConnection* c = table_[i].connection;
    if (c != nullptr && c->in_use && c->changed && c->listener < 0 && !c->released) {
      c->changed = false;
      changed_cursor_ = i + 1;
      out = socket_of(*c);
      return true;
    }
  }
  return false;
}

lib::Result<TcpInfo> Tcp::info(TcpSocket socket) const {
  const TcpConnection* c = connection(socket);
  if (c == nullptr) return lib::Error::BadHandle;
  TcpInfo i;
  i.state = c->state;
  i.failure = c->failure;
  i.local_ip = c->local_ip;
  i.local_port = c->local_port;
  i.remote_ip = c->remote_ip;
  i.remote_port = c->remote_port;
  i.snd_mss = c->snd_mss;
  i.snd_shift = c->snd_shift;
  i.rcv_shift = c->rcv_shift;
  i.snd_wnd = c->snd_wnd;
  i.rcv_wnd = static_cast<uint32_t>(c->recv.free());
  i.cwnd = c->cwnd;
  i.ssthresh = c->ssthresh;
  i.srtt_ms = c->rtt.srtt_ms();
  i.rto_ms = c->rtt.rto_ms();
  i.send_queued = c->send.size();
  i.recv_queued = c->recv.size();
  return i;
}

void Tcp::count_states(uint32_t (&out)[kTcpStateCount]) const {
  for (uint32_t& n : out) n = 0;
  for (size_t i = 0; i < table_size_; ++i) {
    if (const TcpConnection* c = slot(i)) ++out[static_cast<size_t>(c->state)];
  }
  for (const Listener& l : listeners_) {
    if (l.in_use) ++out[static_cast<size_t>(TcpState::Listen)];
  }
  out[static_cast<size_t>(TcpState::TimeWait)] += static_cast<uint32_t>(time_wait_in_use());
}

// ---- Time.

uint64_t Tcp::next_deadline() const {
  uint64_t next = time_wait_deadline_;
  for (size_t i = 0; i < table_size_; ++i) {
    const TcpConnection* c = slot(i);
    if (c == nullptr) continue;
    const uint64_t stall_end =
        c->stalled_since != 0 ? c->stalled_since + config_.persist_timeout_ms : 0;
    for (uint64_t at : {c->rtx_at, c->persist_at, c->delack_at, c->linger_at, stall_end}) {
      if (at != 0 && at < next) next = at;
    }
  }
  return next;
}

void Tcp::tick(uint64_t now_ms) {
  now_ = now_ms;
  const Reaper reaper(*this);
  for (size_t i = 0; i < table_size_; ++i) {
    TcpConnection* c = table_[i].connection;
    if (c != nullptr && c->in_use) run_timers(*c);
  }
  expire_time_wait();
}

void Tcp::run_timers(TcpConnection& c) {
  if (c.stalled_since != 0 && now_ - c.stalled_since >= config_.persist_timeout_ms) {
    ++counters_.persist_timeouts;
    return fail(c, TcpFailure::TimedOut, true);  // the peer's window never opened
  }
  if (c.linger_at != 0 && c.linger_at <= now_) {
    c.linger_at = 0;
    finish(c);  // the orphan's peer never sent its FIN
    return;
  }
  if (c.rtx_at != 0 && c.rtx_at <= now_) {
    c.rtx_at = 0;
    on_retransmit_timeout(c);
    if (!c.in_use || c.state == TcpState::Closed) return;
  }
  if (c.persist_at != 0 && c.persist_at <= now_) {
    c.persist_at = 0;
    send_probe(c);
    if (!c.in_use || c.state == TcpState::Closed) return;
  }
  if (c.delack_at != 0 && c.delack_at <= now_) {
    c.delack_at = 0;
    c.ack_now = true;
    output(c);
  }
  // A writer that found no memory for its queue may try again.
  if (c.write_starved) {
    c.write_starved = false;
    mark(c);
  }
}

}  // namespace tcpip
