// SYN cookies: once a listener's backlog is full, a SYN is answered with a SYN-ACK whose
// initial sequence number carries what the connection needs (the peer's MSS, rounded down to
// one of four values, and its window scale) under a keyed hash of the four-tuple, the peer's
// initial sequence number and a 64-second clock, and nothing is held. The ACK that returns it
// (ack - 1 is the cookie) makes the connection, ESTABLISHED at once, if the hash verifies for
// this clock or the one before and fewer than backlog connections wait for accept().
//
// The cookie's 32 bits: the hash's low 24 bits, then the window scale + 1 (0: none) in 4
// bits, the MSS's index in 2 and the clock's low 2 bits.
#include "servers/tcpip/stack/tcp.h"

namespace tcpip {

namespace {

constexpr uint16_t kCookieMss[] = {536, 1300, 1440, 1460};
constexpr uint64_t kCookieClockMs = 64000;

uint32_t cookie_clock(uint64_t now_ms) { return static_cast<uint32_t>(now_ms / kCookieClockMs); }

}  // namespace

uint32_t Tcp::cookie_hash(Ipv4 local, uint16_t local_port, Ipv4 remote, uint16_t remote_port,
                          uint32_t peer_isn, uint32_t clock, uint32_t data) const {
  const uint64_t tuple = tcp_tuple_hash(config_.secret, local, local_port, remote, remote_port);
  uint8_t input[20];
  for (int i = 0; i < 8; ++i) input[i] = static_cast<uint8_t>(tuple >> (8 * i));
  for (int i = 0; i < 4; ++i) {
    input[8 + i] = static_cast<uint8_t>(peer_isn >> (8 * i));
    input[12 + i] = static_cast<uint8_t>(clock >> (8 * i));
    input[16 + i] = static_cast<uint8_t>(data >> (8 * i));
  }
  return static_cast<uint32_t>(siphash24(config_.secret, input, sizeof(input))) & 0xffffff;
}

void Tcp::send_cookie(Ipv4 source, Ipv4 destination, const TcpSegment& seg) {
  const uint16_t peer_mss = seg.has_mss && seg.mss >= 64 ? seg.mss : kTcpDefaultMss;
  const uint16_t mss = peer_mss < our_mss() ? peer_mss : our_mss();
  uint32_t mss_index = 0;
  for (uint32_t i = 0; i < 4; ++i) {
    if (kCookieMss[i] <= mss) mss_index = i;
  }
  const uint32_t peer_shift =
      seg.window_shift < kTcpMaxWindowShift ? seg.window_shift : kTcpMaxWindowShift;
  const uint32_t shift = seg.has_window_shift ? peer_shift + 1 : 0;
  const uint32_t clock = cookie_clock(now_);
  const uint32_t data = shift << 4 | mss_index << 2 | (clock & 3);
  const uint32_t hash =
      cookie_hash(destination, seg.destination_port, source, seg.source_port, seg.seq, clock, data);
  TcpHeader h;
  h.source_port = seg.destination_port;
  h.destination_port = seg.source_port;
  h.seq = hash << 8 | data;
  h.ack = seg.seq + 1;
  h.flags = kTcpSyn | kTcpAck;
  h.window = static_cast<uint16_t>(kTcpBufferSize > 0xffff ? 0xffff : kTcpBufferSize);
  h.mss = our_mss();
  if (seg.has_window_shift) h.window_shift = static_cast<int8_t>(our_shift());
  ++counters_.syn_cookies_sent;
  emit(destination, source, tcp_write_header(tx_, h));
}

bool Tcp::accept_cookie(int index, Ipv4 source, Ipv4 destination, const TcpSegment& seg) {
  if (!config_.syn_cookies || seg.has(kTcpFin)) return false;
  const uint32_t cookie = seg.ack - 1;
  const uint32_t data = cookie & 0xff;
  const uint32_t peer_isn = seg.seq - 1;
  const uint32_t now = cookie_clock(now_);
  // The clock the cookie was made at: this one, or the one before.
  const uint32_t clock = (now & 3) == (data & 3) ? now : now - 1;
  if ((clock & 3) != (data & 3) || (data >> 4) > kTcpMaxWindowShift + 1) return false;
  if (cookie >> 8 != cookie_hash(destination, seg.destination_port, source, seg.source_port,
                                 peer_isn, clock, data)) {
    return false;
  }
  Listener& l = listeners_[index];
  if (l.ready >= l.backlog) {
    drop(TcpDrop::BacklogFull);  // the peer sends again; its cookie holds for a while
    return true;
  }
  TcpConnection* c = allocate();
  if (c == nullptr) {
    drop(TcpDrop::TableFull);
    return true;
  }
  init_connection(*c, destination, seg.destination_port, source, seg.source_port);
  c->listener = static_cast<int8_t>(index);
  ++l.waiting;
  c->iss = cookie;
  c->snd_una = c->snd_nxt = c->snd_max = c->snd_base = cookie + 1;
  c->recover = cookie;
  c->irs = peer_isn;
  c->rcv_nxt = c->rcv_adv = seg.seq;
  c->snd_mss = kCookieMss[(data >> 2) & 3];
  if ((data >> 4) != 0) {
    c->snd_shift = static_cast<uint8_t>((data >> 4) - 1);
    c->rcv_shift = our_shift();
  }
  c->snd_wnd = uint32_t{seg.window} << c->snd_shift;
  c->max_snd_wnd = c->snd_wnd;
  c->snd_wl1 = seg.seq;
  c->snd_wl2 = seg.ack;
  // The SYN-ACK announced an unscaled window from the peer's rcv_nxt.
  c->rcv_adv = seg.seq + (kTcpBufferSize > 0xffff ? 0xffff : kTcpBufferSize);
  ++counters_.syn_cookies_accepted;
  ++counters_.passive_opens;
  enter_established(*c);
  input(*c, seg);  // its data, if any
  return true;
}

}  // namespace tcpip
