// What to send and when: the handshake, data within the send and congestion windows with
// Nagle's algorithm and sender-side silly-window avoidance, FIN, ACKs, RSTs, retransmission
// on timeout and zero-window probes.
#include "servers/tcpip/stack/tcp.h"

namespace tcpip {

namespace {

bool sends_data(TcpState s) {
  return s == TcpState::Established || s == TcpState::CloseWait || s == TcpState::FinWait1 ||
         s == TcpState::Closing || s == TcpState::LastAck;
}

}  // namespace

void Tcp::emit(Ipv4 source, Ipv4 destination, size_t size) {
  tcp_finish(tx_, size, source, destination);
  ++counters_.segments_out;
  if (!output_.send(source, destination, tx_, size).ok()) ++counters_.output_errors;
}

// The window to announce. It is what the receive queue may still take (its memory is found as
// data comes) or, once the engine's memory runs low (half the reserve that new connections
// leave free is taken), what the memory it holds has room for
// (at least a small buffer's worth); except that it does not grow by less than a segment or
// half the buffer (receiver-side silly-window avoidance, RFC 1122 section 4.2.3.3), and the
// edge already announced never moves back.
uint16_t Tcp::receive_window(TcpConnection& c, bool syn) const {
  auto room = static_cast<uint32_t>(c.recv.free());
  if (!budget_.has_room(0, config_.memory_reserve / 2)) {
    size_t held = c.recv.allocated_room();
    if (held < TcpBuffer::kMinCapacity) held = TcpBuffer::kMinCapacity;
    if (held < room) room = static_cast<uint32_t>(held);
  }
  if (syn) return static_cast<uint16_t>(room > 0xffff ? 0xffff : room);
  const uint32_t announced = seq_gt(c.rcv_adv, c.rcv_nxt) ? c.rcv_adv - c.rcv_nxt : 0;
  const uint32_t small = our_mss() < kTcpBufferSize / 2 ? our_mss() : kTcpBufferSize / 2;
  if (room <= announced || room - announced < small) room = announced;
  room >>= c.rcv_shift;
  return static_cast<uint16_t>(room > 0xffff ? 0xffff : room);
}

// Sends one segment from seq, with payload_size bytes from the send queue at that sequence
// number. Every segment but the first SYN carries an ACK, which clears any pending ACK.
void Tcp::send_segment(TcpConnection& c, uint32_t seq, uint8_t flags, size_t payload_size) {
  TcpHeader h;
  h.source_port = c.local_port;
  h.destination_port = c.remote_port;
  h.seq = seq;
  h.flags = flags;
  const bool syn = (flags & kTcpSyn) != 0;
  if (c.state != TcpState::SynSent) {
    h.flags |= kTcpAck;
    h.ack = c.rcv_nxt;
  }
  h.window = receive_window(c, syn);
  if (syn) {
    h.mss = our_mss();
    // Offer scaling on our SYN; on a SYN-ACK only if the peer offered it.
    if (c.state == TcpState::SynSent || c.snd_shift != 0 || c.rcv_shift != 0) {
      h.window_shift = static_cast<int8_t>(our_shift());
    }
  }
  const size_t header_size = tcp_write_header(tx_, h);
  if (payload_size > 0) c.send.peek(seq - c.snd_base, tx_ + header_size, payload_size);
  emit(c.local_ip, c.remote_ip, header_size + payload_size);
  if ((h.flags & kTcpAck) != 0) {
    c.ack_now = false;
    c.unacked_bytes = 0;
    c.delack_at = 0;
    const uint32_t edge = c.rcv_nxt + (uint32_t{h.window} << (syn ? 0 : c.rcv_shift));
    if (seq_gt(edge, c.rcv_adv)) c.rcv_adv = edge;
  }
}

void Tcp::output(TcpConnection& c) {
  if (!c.in_use) return;
  if (c.state == TcpState::SynSent || c.state == TcpState::SynReceived) {
    if (c.snd_nxt == c.iss) {
      if (c.snd_max != c.iss) ++counters_.retransmits;
      send_segment(c, c.iss, kTcpSyn, 0);
      c.snd_nxt = c.iss + 1;
      c.snd_max = c.snd_nxt;
      if (c.rtx_at == 0) c.rtx_at = now_ + c.rtt.rto_ms();
      if (!c.rtt_timing && c.retries == 0) {
        c.rtt_timing = true;
        c.rtt_seq = c.iss;
        c.rtt_start = now_;
      }
    } else if (c.ack_now && c.state == TcpState::SynReceived) {
      send_segment(c, c.snd_nxt, 0, 0);
    }
    return;
  }
  bool sent = false;
  if (sends_data(c.state)) {
    for (;;) {
      const uint32_t end = c.snd_base + static_cast<uint32_t>(c.send.size());
      const uint32_t available = seq_lt(c.snd_nxt, end) ? end - c.snd_nxt : 0;
      const uint32_t in_flight = c.snd_nxt - c.snd_una;
      const uint32_t window = c.snd_wnd < c.cwnd ? c.snd_wnd : c.cwnd;
      const uint32_t usable = window > in_flight ? window - in_flight : 0;
      uint32_t size = available < usable ? available : usable;
      if (size > c.snd_mss) size = c.snd_mss;
      const bool fin = c.fin_queued && c.snd_nxt + size == end;
      if (size == 0 && !fin) break;
      const bool resend = seq_lt(c.snd_nxt, c.snd_max);
      if (size > 0 && size < c.snd_mss && !fin && !resend) {
        // Nagle (RFC 896, RFC 1122 section 4.2.3.4): a small segment goes only when nothing is
        // in flight (or Nagle is off) and it carries everything queued; or when it is at least
        // half the largest window the peer offered.
        const bool all = size == available && (c.nodelay || in_flight == 0);
        const bool half = c.max_snd_wnd > 0 && size >= c.max_snd_wnd / 2;
        if (!all && !half) break;
      }
      if (resend) {
        ++counters_.retransmits;
      } else if (!c.rtt_timing && size > 0) {
        c.rtt_timing = true;
        c.rtt_seq = c.snd_nxt;
        c.rtt_start = now_;
      }
      uint8_t flags = fin ? kTcpFin : 0;
      if (size > 0 && size == available) flags |= kTcpPsh;
      send_segment(c, c.snd_nxt, flags, size);
      c.snd_nxt += size + (fin ? 1 : 0);
      c.snd_max = seq_max(c.snd_max, c.snd_nxt);
      if (c.rtx_at == 0) c.rtx_at = now_ + c.rtt.rto_ms();
      c.persist_at = 0;
      sent = true;
      if (fin) break;
    }
    // Data waits while nothing is in flight, so no ACK will come to move it: the window is
    // closed or too small to fill a segment. The persist timer probes a closed window until it
    // opens (RFC 9293 section 3.8.6.1) and overrides silly-window avoidance for a small one
    // (RFC 1122 section 4.2.3.4).
    const uint32_t end = c.snd_base + static_cast<uint32_t>(c.send.size());
    if (!sent && seq_lt(c.snd_nxt, end) && c.snd_max == c.snd_una && c.rtx_at == 0 &&
        c.persist_at == 0) {
      c.persist_at = now_ + c.rtt.rto_ms();
    }
  }
  // A bare ACK carries the next new sequence number, not snd_nxt: after a timeout snd_nxt has
  // gone back, and a segment below the peer's rcv_nxt would be unacceptable there, its ACK
  // ignored.
  if (!sent && c.ack_now) send_segment(c, c.snd_max, 0, 0);
  watch_stall(c);
}

// Starts or stops the clock of a stalled sender: data waits while the peer's window stays below
// one segment. run_timers fails the connection when it has run for persist_timeout_ms, however
// the peer answers the probes meanwhile.
void Tcp::watch_stall(TcpConnection& c) {
  const bool stalled = c.send.size() > 0 && c.snd_wnd < c.snd_mss && sends_data(c.state);
  if (!stalled) {
    c.stalled_since = 0;
  } else if (c.stalled_since == 0) {
    c.stalled_since = now_ > 0 ? now_ : 1;
  }
}

// Sends the first unacknowledged segment again (fast retransmit, partial ACKs).
void Tcp::retransmit_first(TcpConnection& c) {
  const uint32_t end = c.snd_base + static_cast<uint32_t>(c.send.size());
  uint32_t size = seq_lt(c.snd_una, end) ? end - c.snd_una : 0;
  if (size > c.snd_mss) size = c.snd_mss;
  const bool fin = c.fin_queued && c.snd_una + size == end && seq_gt(c.snd_max, end);
  if (size == 0 && !fin) return;
  ++counters_.retransmits;
  send_segment(c, c.snd_una, static_cast<uint8_t>(fin ? kTcpFin : 0), size);
  c.rtx_at = now_ + c.rtt.rto_ms();
}

void Tcp::on_retransmit_timeout(TcpConnection& c) {
  ++counters_.timeouts;
  const bool handshake = c.state == TcpState::SynSent || c.state == TcpState::SynReceived;
  const uint8_t limit = handshake ? config_.max_syn_retries : config_.max_retries;
  if (c.snd_una == c.snd_max) return;  // nothing outstanding
  if (c.retries >= limit) {
    return fail(c, TcpFailure::TimedOut, !handshake);
  }
  ++c.retries;
  c.rtt.backoff();
  c.rtt_timing = false;  // Karn's rule
  if (!handshake) {
    // RFC 5681 section 3.1: the loss window, and slow start up to half the flight.
    const uint32_t in_flight = c.snd_max - c.snd_una;
    c.ssthresh = in_flight / 2 > 2u * c.snd_mss ? in_flight / 2 : 2u * c.snd_mss;
    c.cwnd = c.snd_mss;
    c.in_recovery = false;
    c.dupacks = 0;
    c.recover = c.snd_max;
  }
  c.snd_nxt = c.snd_una;  // go back: resend from the first unacknowledged byte
  output(c);
  // Whatever the windows allowed, the timer runs while anything is unacknowledged.
  if (c.rtx_at == 0) c.rtx_at = now_ + c.rtt.rto_ms();
}

// The persist timer: a zero-window probe, a segment just below the window that the peer
// answers with an ACK carrying its current window. It takes no sequence space, so it never
// needs retransmitting. When the window is open but small, send what fits instead.
void Tcp::send_probe(TcpConnection& c) {
  if (!sends_data(c.state) || c.snd_max != c.snd_una) return;
  const uint32_t end = c.snd_base + static_cast<uint32_t>(c.send.size());
  const uint32_t available = seq_lt(c.snd_nxt, end) ? end - c.snd_nxt : 0;
  if (available == 0) return;
  if (c.snd_wnd > 0) {
    uint32_t size = available < c.snd_wnd ? available : c.snd_wnd;
    if (size > c.snd_mss) size = c.snd_mss;
    const bool fin = c.fin_queued && c.snd_nxt + size == end;
    send_segment(c, c.snd_nxt, static_cast<uint8_t>(kTcpPsh | (fin ? kTcpFin : 0)), size);
    c.snd_nxt += size + (fin ? 1 : 0);
    c.snd_max = c.snd_nxt;
    c.rtx_at = now_ + c.rtt.rto_ms();
    return;
  }
  ++counters_.probes;
  send_segment(c, c.snd_una - 1, 0, 0);
  if (c.persist_backoff < 16) ++c.persist_backoff;
  uint64_t delay = uint64_t{c.rtt.rto_ms()} << c.persist_backoff;
  if (delay > config_.rto_max_ms) delay = config_.rto_max_ms;
  c.persist_at = now_ + delay;
}

void Tcp::send_reset(TcpConnection& c) {
  if (c.state == TcpState::Closed || c.state == TcpState::SynSent) return;
  ++counters_.resets_out;
  TcpHeader h;
  h.source_port = c.local_port;
  h.destination_port = c.remote_port;
  h.seq = c.snd_max;
  h.ack = c.rcv_nxt;
  h.flags = kTcpRst | kTcpAck;
  emit(c.local_ip, c.remote_ip, tcp_write_header(tx_, h));
}

// The RST for a segment no connection takes (RFC 9293 section 3.10.7.1): it takes its sequence
// number from the segment's ACK, or else acknowledges the segment.
void Tcp::send_reset_for(Ipv4 source, Ipv4 destination, const TcpSegment& seg) {
  if (seg.has(kTcpRst)) return;
  ++counters_.resets_out;
  TcpHeader h;
  h.source_port = seg.destination_port;
  h.destination_port = seg.source_port;
  if (seg.has(kTcpAck)) {
    h.seq = seg.ack;
    h.flags = kTcpRst;
  } else {
    h.ack = seg.seq + seg.length();
    h.flags = kTcpRst | kTcpAck;
  }
  emit(destination, source, tcp_write_header(tx_, h));
}

}  // namespace tcpip
