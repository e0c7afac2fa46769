// Segment arrival (RFC 9293 section 3.10.7), with the RST, SYN and ACK checks of RFC 5961,
// congestion control on ACKs (RFC 5681, RFC 6582) and reassembly of out-of-order data.
#include "servers/tcpip/stack/tcp.h"

namespace tcpip {

namespace {

// The bytes sent and not yet acknowledged.
uint32_t flight(const TcpConnection& c) { return c.snd_max - c.snd_una; }

uint32_t half_flight(const TcpConnection& c) {
  const uint32_t half = flight(c) / 2;
  return half > 2u * c.snd_mss ? half : 2u * c.snd_mss;
}

}  // namespace

void Tcp::drop(TcpDrop reason) { ++counters_.drops[static_cast<size_t>(reason)]; }

void Tcp::receive(Ipv4 source, Ipv4 destination, const uint8_t* data, size_t size,
                  uint64_t now_ms) {
  now_ = now_ms;
  const Reaper reaper(*this);
  ++counters_.segments_in;
  TcpSegment seg;
  const TcpDrop bad = tcp_parse(source, destination, data, size, seg);
  if (bad != TcpDrop::None) return drop(bad);

  if (TcpConnection* c = find(destination, seg.destination_port, source, seg.source_port)) {
    if (c->state == TcpState::SynSent) return syn_sent_input(*c, seg);
    return input(*c, seg);
  }
  uint32_t iss_floor = 0;
  bool reused = false;
  if (TcpTimeWait* e = find_time_wait(destination, seg.destination_port, source, seg.source_port)) {
    if (time_wait_input(*e, seg, iss_floor)) return;
    reused = true;
  }
  const int l = find_listener(destination, seg.destination_port);
  if (l >= 0) return listen_input(l, source, destination, seg, reused ? &iss_floor : nullptr);
  drop(TcpDrop::NoConnection);
  send_reset_for(source, destination, seg);
}

// LISTEN: a SYN makes a connection in SYN_RECEIVED that waits on the listener; once the
// backlog is full it gets a SYN cookie instead, and the ACK that returns it makes the
// connection (tcp_cookie.cc).
void Tcp::listen_input(int index, Ipv4 source, Ipv4 destination, const TcpSegment& seg,
                       const uint32_t* iss_floor) {
  if (seg.has(kTcpRst)) return drop(TcpDrop::BadRst);
  if (seg.has(kTcpAck)) {
    if (!seg.has(kTcpSyn) && accept_cookie(index, source, destination, seg)) return;
    drop(TcpDrop::BadAck);
    return send_reset_for(source, destination, seg);
  }
  if (!seg.has(kTcpSyn)) return drop(TcpDrop::BadFlags);
  const Listener& l = listeners_[index];
  if (l.waiting >= l.backlog) {
    if (config_.syn_cookies) return send_cookie(source, destination, seg);
    return drop(TcpDrop::BacklogFull);
  }
  if (open_passive(index, source, destination, seg, iss_floor) == nullptr) return;
  // Data on the SYN is not taken (it is not acknowledged, so the peer sends it again).
}

// A connection for the listener from the peer's SYN, in SYN_RECEIVED with its SYN-ACK sent;
// null (counted) when there is no memory or room for it.
TcpConnection* Tcp::open_passive(int index, Ipv4 source, Ipv4 destination, const TcpSegment& seg,
                                 const uint32_t* iss_floor) {
  TcpConnection* c = allocate();
  if (c == nullptr) {
    drop(TcpDrop::TableFull);
    return nullptr;
  }
  init_connection(*c, destination, seg.destination_port, source, seg.source_port, iss_floor);
  ++listeners_[index].waiting;
  c->listener = static_cast<int8_t>(index);
  c->state = TcpState::SynReceived;
  c->irs = seg.seq;
  c->rcv_nxt = seg.seq + 1;
  c->rcv_adv = c->rcv_nxt;
  const uint16_t peer_mss = seg.has_mss && seg.mss >= 64 ? seg.mss : kTcpDefaultMss;
  c->snd_mss = peer_mss < our_mss() ? peer_mss : our_mss();
  if (seg.has_window_shift) {
    c->snd_shift = seg.window_shift;
    c->rcv_shift = our_shift();
  }
  c->snd_wnd = seg.window;  // a SYN's window is never scaled
  c->max_snd_wnd = c->snd_wnd;
  c->snd_wl1 = seg.seq;
  ++counters_.passive_opens;
  output(*c);
  return c;
}

// SYN_SENT: waiting for the SYN-ACK (or a SYN: simultaneous open).
void Tcp::syn_sent_input(TcpConnection& c, const TcpSegment& seg) {
  const bool has_ack = seg.has(kTcpAck);
  if (has_ack && (seq_le(seg.ack, c.iss) || seq_gt(seg.ack, c.snd_max))) {
    drop(TcpDrop::BadAck);
    if (!seg.has(kTcpRst)) send_reset_for(c.remote_ip, c.local_ip, seg);
    return;
  }
  if (seg.has(kTcpRst)) {
    if (!has_ack) return drop(TcpDrop::BadRst);
    ++counters_.resets_in;
    return fail(c, TcpFailure::Refused, false);
  }
  if (!seg.has(kTcpSyn)) return drop(TcpDrop::BadFlags);

  c.irs = seg.seq;
  c.rcv_nxt = seg.seq + 1;
  c.rcv_adv = c.rcv_nxt;
  const uint16_t peer_mss = seg.has_mss && seg.mss >= 64 ? seg.mss : kTcpDefaultMss;
  c.snd_mss = peer_mss < our_mss() ? peer_mss : our_mss();
  if (seg.has_window_shift) {
    c.snd_shift = seg.window_shift;
    c.rcv_shift = our_shift();
  }
  c.snd_wnd = seg.window;
  c.max_snd_wnd = c.snd_wnd;
  c.snd_wl1 = seg.seq;
  c.snd_wl2 = seg.ack;
  if (has_ack) {
    acknowledge(c, seg.ack);
    enter_established(c);
    c.ack_now = true;
  } else {
    // Simultaneous open: answer with SYN-ACK from SYN_RECEIVED.
    c.state = TcpState::SynReceived;
    c.snd_nxt = c.iss;
  }
  output(c);
}

void Tcp::enter_established(TcpConnection& c) {
  const uint32_t mss = c.snd_mss;
  c.cwnd = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;  // RFC 5681 section 3.1
  c.state = c.fin_queued ? TcpState::FinWait1 : TcpState::Established;
  c.connected = true;
  if (c.listener >= 0) queue_for_accept(c);
  mark(c);
}

// TIME_WAIT moves into the table (tcp_time_wait.cc) and the slot is done: freed, or CLOSED for
// an owner who has not closed the socket yet. The ACK of the peer's FIN goes first.
void Tcp::enter_time_wait(TcpConnection& c) {
  if (c.ack_now) send_segment(c, c.snd_max, 0, 0);
  add_time_wait(c);
  finish(c);
}

// Every state from SYN_RECEIVED on.
void Tcp::input(TcpConnection& c, const TcpSegment& seg) {
  // A SYN again in SYN_RECEIVED: our SYN-ACK was lost; send it again now.
  if (c.state == TcpState::SynReceived && seg.has(kTcpSyn) && !seg.has(kTcpAck) &&
      seg.seq == c.irs) {
    c.snd_nxt = c.iss;
    return output(c);
  }

  // 1. Is the segment in the receive window (what the queue may take, of which memory is
  // found as data comes)? A zero window still takes ACKs, RSTs and a zero-length probe at
  // rcv_nxt.
  const auto window = static_cast<uint32_t>(c.recv.free());
  const uint32_t length = seg.length();
  bool acceptable;
  if (length == 0) {
    acceptable = window == 0 ? seg.seq == c.rcv_nxt
                             : seq_ge(seg.seq, c.rcv_nxt) && seq_lt(seg.seq, c.rcv_nxt + window);
  } else {
    const uint32_t last = seg.seq + length - 1;
    acceptable =
        window != 0 && ((seq_ge(seg.seq, c.rcv_nxt) && seq_lt(seg.seq, c.rcv_nxt + window)) ||
                        (seq_ge(last, c.rcv_nxt) && seq_lt(last, c.rcv_nxt + window)));
  }
  if (!acceptable && !(window == 0 && seg.seq == c.rcv_nxt)) {
    if (seg.has(kTcpRst)) return drop(TcpDrop::BadRst);
    drop(TcpDrop::OutOfWindow);
    c.ack_now = true;
    return output(c);
  }

  // 2. RST: only one exactly at rcv_nxt resets; one elsewhere in the window gets a challenge
  // ACK (RFC 5961 section 3.2).
  if (seg.has(kTcpRst)) {
    if (seg.seq != c.rcv_nxt) {
      drop(TcpDrop::BadRst);
      ++counters_.challenge_acks;
      c.ack_now = true;
      return output(c);
    }
    ++counters_.resets_in;
    if (c.state == TcpState::SynReceived) {
      return fail(c, c.listener >= 0 ? TcpFailure::Aborted : TcpFailure::Refused, false);
    }
    if (c.state == TcpState::LastAck || c.state == TcpState::Closing) {
      return finish(c);
    }
    return fail(c, TcpFailure::Reset, false);
  }

  // 4. A SYN on a synchronized connection: challenge ACK (RFC 5961 section 4.2).
  if (seg.has(kTcpSyn)) {
    drop(TcpDrop::BadSyn);
    ++counters_.challenge_acks;
    c.ack_now = true;
    return output(c);
  }

  // 5. ACK.
  if (!seg.has(kTcpAck)) return drop(TcpDrop::BadFlags);
  if (c.state == TcpState::SynReceived) {
    if (seq_le(seg.ack, c.snd_una) || seq_gt(seg.ack, c.snd_max)) {
      drop(TcpDrop::BadAck);
      return send_reset_for(c.remote_ip, c.local_ip, seg);
    }
    c.snd_wnd = uint32_t{seg.window} << c.snd_shift;
    c.max_snd_wnd = seq_max(c.max_snd_wnd, c.snd_wnd);
    c.snd_wl1 = seg.seq;
    c.snd_wl2 = seg.ack;
    enter_established(c);
  }
  if (!process_ack(c, seg)) return;
  if (!c.in_use || c.state == TcpState::Closed) return;

  // 7. Data, and 8. FIN.
  if (seg.payload_size > 0 || seg.has(kTcpFin)) {
    const bool receiving = c.state == TcpState::Established || c.state == TcpState::FinWait1 ||
                           c.state == TcpState::FinWait2;
    if (receiving && seg.payload_size > 0 && c.released) {
      // Nobody will read it: the peer must learn that (RFC 2525 section 2.17).
      drop(TcpDrop::AfterClose);
      return fail(c, TcpFailure::None, true);
    }
    if (receiving) {
      take_data(c, seg);
    } else if (seg.has(kTcpFin) || seg.payload_size > 0) {
      // The peer's FIN came already: this is a duplicate. Acknowledge again.
      c.ack_now = true;
    }
  }
  output(c);
}

// Returns false when the segment is to be dropped.
bool Tcp::process_ack(TcpConnection& c, const TcpSegment& seg) {
  if (seq_gt(seg.ack, c.snd_max)) {
    drop(TcpDrop::BadAck);
    c.ack_now = true;
    output(c);
    return false;
  }
  // RFC 5961 section 5.2: an ACK older than the largest window the peer ever offered.
  const uint32_t oldest = c.snd_una - (c.max_snd_wnd > 0xffff ? c.max_snd_wnd : 0xffff);
  if (seq_lt(seg.ack, oldest)) {
    drop(TcpDrop::BadAck);
    ++counters_.challenge_acks;
    c.ack_now = true;
    output(c);
    return false;
  }
  const uint32_t window = uint32_t{seg.window} << c.snd_shift;
  if (seq_gt(seg.ack, c.snd_una)) {
    acknowledge(c, seg.ack);
  } else if (seg.ack == c.snd_una && seg.payload_size == 0 && !seg.has(kTcpFin) &&
             window == c.snd_wnd && window != 0 && c.snd_max != c.snd_una) {
    duplicate_ack(c);
  }
  update_window(c, seg);

  const bool fin_acked =
      c.fin_queued && c.snd_una == c.snd_base + c.send.size() + 1 && c.send.size() == 0;
  if (fin_acked) {
    switch (c.state) {
      case TcpState::FinWait1:
        c.state = TcpState::FinWait2;
        if (c.released) c.linger_at = now_ + config_.orphan_fin_wait2_ms;
        mark(c);
        break;
      case TcpState::Closing:
        // A FIN again with the ACK of ours: the peer missed our ACK of its FIN.
        if (seg.payload_size > 0 || seg.has(kTcpFin)) c.ack_now = true;
        enter_time_wait(c);
        break;
      case TcpState::LastAck: finish(c); return false;
      default: break;
    }
  }
  return true;
}

// New data acknowledged (snd_una < ack <= snd_max).
void Tcp::acknowledge(TcpConnection& c, uint32_t ack) {
  if (c.rtt_timing && seq_gt(ack, c.rtt_seq)) {
    c.rtt.sample(static_cast<uint32_t>(now_ - c.rtt_start));
    c.rtt_timing = false;
  }
  uint32_t acked = ack - c.snd_una;
  if (c.snd_una == c.iss) --acked;  // the SYN
  const uint32_t data = acked < c.send.size() ? acked : static_cast<uint32_t>(c.send.size());
  c.send.consume(data);
  trim_send(c);
  c.snd_base += data;
  c.snd_una = ack;
  if (seq_lt(c.snd_nxt, c.snd_una)) c.snd_nxt = c.snd_una;
  c.retries = 0;
  c.rtt.reset_backoff();
  if (data > 0) mark(c);

  const uint32_t mss = c.snd_mss;
  if (c.in_recovery) {
    if (seq_ge(ack, c.recover)) {
      c.in_recovery = false;
      c.cwnd = c.ssthresh;
    } else {
      // A partial ACK: the next hole is lost too; resend it and stay in recovery.
      retransmit_first(c);
      c.cwnd = (c.cwnd > data ? c.cwnd - data : 0) + mss;
    }
  } else if (c.cwnd < c.ssthresh) {
    c.cwnd += data < mss ? data : mss;  // slow start
  } else if (data > 0) {
    const uint32_t step = mss * mss / (c.cwnd > 0 ? c.cwnd : 1);  // congestion avoidance
    c.cwnd += step > 0 ? step : 1;
  }
  c.dupacks = 0;
  c.rtx_at = c.snd_una == c.snd_max ? 0 : now_ + c.rtt.rto_ms();
}

// RFC 5681 section 3.2, with NewReno's recovery point (RFC 6582).
void Tcp::duplicate_ack(TcpConnection& c) {
  if (c.dupacks < 0xff) ++c.dupacks;
  if (c.in_recovery) {
    c.cwnd += c.snd_mss;  // each duplicate means a segment left the network
    return;
  }
  if (c.dupacks != 3 || seq_lt(c.snd_una, c.recover)) return;
  c.ssthresh = half_flight(c);
  c.recover = c.snd_max;
  c.in_recovery = true;
  ++counters_.fast_retransmits;
  c.rtt_timing = false;  // Karn: a resent segment gives no sample
  retransmit_first(c);
  c.cwnd = c.ssthresh + 3u * c.snd_mss;
}

void Tcp::update_window(TcpConnection& c, const TcpSegment& seg) {
  if (!(seq_lt(c.snd_wl1, seg.seq) || (c.snd_wl1 == seg.seq && seq_le(c.snd_wl2, seg.ack)))) {
    return;
  }
  const uint32_t window = uint32_t{seg.window} << c.snd_shift;
  if (window > c.snd_wnd && c.state != TcpState::Closed) mark(c);
  c.snd_wnd = window;
  c.max_snd_wnd = c.max_snd_wnd > window ? c.max_snd_wnd : window;
  c.snd_wl1 = seg.seq;
  c.snd_wl2 = seg.ack;
  if (window > 0) {
    c.persist_at = 0;
    c.persist_backoff = 0;
  }
  watch_stall(c);
}

// Data and FIN in ESTABLISHED, FIN_WAIT_1 and FIN_WAIT_2: trimmed to what is new and fits,
// placed into the receive queue at its offset, and queued once the bytes before it are there.
void Tcp::take_data(TcpConnection& c, const TcpSegment& seg) {
  uint32_t seq = seg.seq;
  const uint8_t* data = seg.payload;
  auto size = static_cast<uint32_t>(seg.payload_size);
  bool fin = seg.has(kTcpFin);
  if (seq_lt(seq, c.rcv_nxt)) {
    const uint32_t old = c.rcv_nxt - seq;
    if (old > size) {
      fin = false;  // the FIN sits at seq + size, before rcv_nxt: a duplicate
      data += size;
      size = 0;
    } else {
      data += old;
      size -= old;
    }
    seq = c.rcv_nxt;
    c.ack_now = true;  // a duplicate: tell the peer what we have
  }
  const auto window = static_cast<uint32_t>(c.recv.free());
  const uint32_t offset = seq - c.rcv_nxt;
  if (offset + size > window) {
    // Past the window: keep what fits and tell the peer at once where the window ends.
    size = offset < window ? window - offset : 0;
    fin = false;
    c.ack_now = true;
  }
  if (size > 0 && !c.recv.reserve(c.recv.size() + offset + size, budget_)) {
    // No memory for it: it is neither kept nor acknowledged, so the peer sends it again, and
    // the window announced from now on is what the queue already holds (receive_window).
    drop(TcpDrop::NoMemory);
    c.ack_now = true;
    return;
  }
  if (size > 0 && size > c.rcv_mss) c.rcv_mss = size;

  if (size > 0) c.recv.write_at(offset, data, size);
  if (offset == 0) {
    c.recv.commit(size);
    c.rcv_nxt += size;
    // Queue what out-of-order data now follows, and drop ranges that are covered.
    bool filled = false;
    for (bool merged = true; merged;) {
      merged = false;
      for (uint8_t i = 0; i < c.range_count; ++i) {
        TcpRange& r = c.ranges[i];
        if (seq_gt(r.begin, c.rcv_nxt)) continue;
        if (seq_gt(r.end, c.rcv_nxt)) {
          c.recv.commit(r.end - c.rcv_nxt);
          c.rcv_nxt = r.end;
        }
        r = c.ranges[--c.range_count];
        merged = filled = true;
        break;
      }
    }
    if (filled) c.ack_now = true;  // a hole filled: ACK at once (RFC 5681 section 4.2)
    if (size > 0) {
      mark(c);
      c.unacked_bytes += size;
      if (c.unacked_bytes >= 2 * c.rcv_mss) c.ack_now = true;
      if (!c.ack_now && c.delack_at == 0) {
        if (config_.delayed_ack_ms == 0) {
          c.ack_now = true;
        } else {
          c.delack_at = now_ + config_.delayed_ack_ms;
        }
      }
    }
    if (fin || (c.ooo_fin && c.ooo_fin_seq == c.rcv_nxt)) take_fin(c);
    return;
  }
  // Out of order: remember the range (merged with any it touches) and send a duplicate ACK.
  c.ack_now = true;
  if (fin) {
    c.ooo_fin = true;
    c.ooo_fin_seq = seq + size;
  }
  if (size == 0) return;
  TcpRange added{seq, seq + size};
  for (uint8_t i = 0; i < c.range_count;) {
    TcpRange& r = c.ranges[i];
    if (seq_lt(added.end, r.begin) || seq_gt(added.begin, r.end)) {
      ++i;
      continue;
    }
    if (seq_lt(r.begin, added.begin)) added.begin = r.begin;
    if (seq_gt(r.end, added.end)) added.end = r.end;
    r = c.ranges[--c.range_count];
  }
  if (c.range_count < kTcpMaxRanges) c.ranges[c.range_count++] = added;
}

void Tcp::take_fin(TcpConnection& c) {
  c.rcv_nxt += 1;
  c.fin_received = true;
  c.ooo_fin = false;
  c.ack_now = true;
  mark(c);
  switch (c.state) {
    case TcpState::Established: c.state = TcpState::CloseWait; break;
    case TcpState::FinWait1:
      // Our FIN is acknowledged too if snd_una is past it; else both FINs cross: CLOSING.
      if (c.fin_queued && c.send.size() == 0 && c.snd_una == c.snd_base + 1) {
        enter_time_wait(c);
      } else {
        c.state = TcpState::Closing;
      }
      break;
    case TcpState::FinWait2: enter_time_wait(c); break;
    default: break;
  }
}

}  // namespace tcpip
