// TIME_WAIT (RFC 9293 section 3.10.7.4) in a table of small entries: a connection that reaches
// it leaves its slot (and its 128 KiB of queues) for a TcpTimeWait, which answers for the
// four-tuple for 2 x MSL. Segments that match no slot look here before a listener.
//
// An RST exactly at rcv_nxt ends the entry, as it ends any state: RFC 1337 would ignore RSTs in
// TIME_WAIT (an old duplicate segment draws our ACK, the peer's RST for that ACK ends TIME_WAIT
// early), but RFC 5961's exact match already makes a blind RST as hard here as against an open
// connection, and RFC 9293 keeps the reset. An RST elsewhere in the window gets a challenge ACK.
#include "servers/tcpip/stack/tcp.h"

namespace tcpip {

TcpTimeWait* Tcp::find_time_wait(Ipv4 local, uint16_t local_port, Ipv4 remote,
                                 uint16_t remote_port) {
  if (time_wait_used_ == 0) return nullptr;
  for (size_t i = 0; i < time_wait_limit_; ++i) {
    TcpTimeWait& e = time_wait_[i];
    if (e.expires_at == 0 || e.local_port != local_port || e.remote_port != remote_port ||
        e.local_ip != local || e.remote_ip != remote) {
      continue;
    }
    if (e.expires_at <= now_) {
      remove_time_wait(e);  // over, and tick() has not come by yet
      return nullptr;
    }
    return &e;
  }
  return nullptr;
}

// Called as c enters TIME_WAIT, with everything sent and acknowledged.
void Tcp::add_time_wait(const TcpConnection& c) {
  const uint64_t expires = now_ + 2 * uint64_t{config_.msl_ms};
  if (expires <= now_ || time_wait_limit_ == 0) return;  // no TIME_WAIT at all
  TcpTimeWait* entry = nullptr;
  TcpTimeWait* oldest = nullptr;
  for (size_t i = 0; i < time_wait_limit_ && entry == nullptr; ++i) {
    TcpTimeWait& e = time_wait_[i];
    if (e.expires_at != 0 && e.expires_at <= now_) remove_time_wait(e);
    if (e.expires_at == 0) {
      entry = &e;
    } else if (oldest == nullptr || e.expires_at < oldest->expires_at) {
      oldest = &e;
    }
  }
  if (entry == nullptr) {
    // Full: the entry nearest its end goes early. Its four-tuple is then open to an old
    // duplicate; a failure to close would be worse.
    entry = oldest;
    ++counters_.time_wait_evicted;
  } else {
    ++time_wait_used_;
  }
  entry->expires_at = expires;
  entry->local_ip = c.local_ip;
  entry->remote_ip = c.remote_ip;
  entry->local_port = c.local_port;
  entry->remote_port = c.remote_port;
  entry->snd_nxt = c.snd_max;
  entry->rcv_nxt = c.rcv_nxt;
  entry->rcv_shift = c.rcv_shift;
  // What the slot last announced (receive_window() never moves the edge back).
  const uint32_t announced = seq_gt(c.rcv_adv, c.rcv_nxt) ? c.rcv_adv - c.rcv_nxt : 0;
  const uint32_t field = announced >> c.rcv_shift;
  entry->window = static_cast<uint16_t>(field > 0xffff ? 0xffff : field);
  if (expires < time_wait_deadline_) time_wait_deadline_ = expires;
}

void Tcp::remove_time_wait(TcpTimeWait& e) {
  e.expires_at = 0;
  --time_wait_used_;
  // time_wait_deadline_ stays: it is a lower bound, and tick() makes it exact.
}

// tick(): frees the entries that are over and finds when the next one will be.
void Tcp::expire_time_wait() {
  if (now_ < time_wait_deadline_) return;
  uint64_t next = kTcpNoDeadline;
  for (size_t i = 0; i < time_wait_limit_ && time_wait_used_ > 0; ++i) {
    TcpTimeWait& e = time_wait_[i];
    if (e.expires_at == 0) continue;
    if (e.expires_at <= now_) {
      remove_time_wait(e);
    } else if (e.expires_at < next) {
      next = e.expires_at;
    }
  }
  time_wait_deadline_ = time_wait_used_ > 0 ? next : kTcpNoDeadline;
}

void Tcp::send_time_wait_ack(const TcpTimeWait& e) {
  TcpHeader h;
  h.source_port = e.local_port;
  h.destination_port = e.remote_port;
  h.seq = e.snd_nxt;
  h.ack = e.rcv_nxt;
  h.flags = kTcpAck;
  h.window = e.window;
  emit(e.local_ip, e.remote_ip, tcp_write_header(tx_, h));
}

// A segment for a connection in TIME_WAIT, answered as its slot would have: the peer's FIN
// again (its ACK was lost) is acknowledged again and restarts the 2 x MSL, and so is anything
// else in or out of the window but an RST. Returns false when a new SYN replaced the entry: the
// segment goes on to a listener, and the new connection's sequence numbers start at iss_floor
// or later, past anything the old one sent.
bool Tcp::time_wait_input(TcpTimeWait& e, const TcpSegment& seg, uint32_t& iss_floor) {
  // RFC 6191 without timestamps: a SYN above everything the old connection received cannot be
  // one of its duplicates, so it may open the four-tuple again (RFC 9293 section 3.10.7.4).
  if (seg.has(kTcpSyn) && !seg.has(kTcpAck) && !seg.has(kTcpRst) && seq_gt(seg.seq, e.rcv_nxt)) {
    ++counters_.time_wait_reused;
    iss_floor = e.snd_nxt + 0xffff + 2;
    remove_time_wait(e);
    return false;
  }
  const uint32_t window = uint32_t{e.window} << e.rcv_shift;
  const uint32_t length = seg.length();
  const auto in_window = [&](uint32_t seq) {
    return seq_ge(seq, e.rcv_nxt) && seq_lt(seq, e.rcv_nxt + window);
  };
  const bool acceptable =
      length == 0 ? (window == 0 ? seg.seq == e.rcv_nxt : in_window(seg.seq))
                  : window != 0 && (in_window(seg.seq) || in_window(seg.seq + length - 1));
  if (!acceptable) {
    if (seg.has(kTcpRst)) {
      drop(TcpDrop::BadRst);
      return true;
    }
    drop(TcpDrop::OutOfWindow);
    if (seg.has(kTcpFin)) e.expires_at = now_ + 2 * uint64_t{config_.msl_ms};
    send_time_wait_ack(e);
    return true;
  }
  if (seg.has(kTcpRst)) {
    if (seg.seq == e.rcv_nxt) {
      ++counters_.resets_in;
      remove_time_wait(e);
    } else {
      drop(TcpDrop::BadRst);
      ++counters_.challenge_acks;
      send_time_wait_ack(e);
    }
    return true;
  }
  if (seg.has(kTcpSyn)) {
    drop(TcpDrop::BadSyn);
    ++counters_.challenge_acks;
    send_time_wait_ack(e);
    return true;
  }
  if (!seg.has(kTcpAck)) {
    drop(TcpDrop::BadFlags);
    return true;
  }
  if (seq_gt(seg.ack, e.snd_nxt)) {
    drop(TcpDrop::BadAck);
    send_time_wait_ack(e);
    return true;
  }
  if (seg.payload_size > 0 || seg.has(kTcpFin)) {
    if (seg.has(kTcpFin)) e.expires_at = now_ + 2 * uint64_t{config_.msl_ms};
    send_time_wait_ack(e);
  }
  return true;
}

size_t Tcp::time_wait_in_use() const {
  size_t n = 0;
  for (size_t i = 0; i < time_wait_limit_ && time_wait_used_ > 0; ++i) {
    if (time_wait_[i].expires_at > now_) ++n;
  }
  return n;
}

}  // namespace tcpip
