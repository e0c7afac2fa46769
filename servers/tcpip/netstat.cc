#include "servers/tcpip/netstat.h"

#include <lib/format.h>

namespace tcpip {

namespace {

class Writer {
 public:
  Writer(char* out, size_t capacity) : out_(out), capacity_(capacity) {}

  // prefix and name, the name in lower case with '_' for '-'
  void line(const char* prefix, const char* name, uint64_t value) {
    char text[96];
    size_t n = lib::format_to(text, sizeof(text), "{}", prefix);
    for (const char* c = name; *c && n + 1 < sizeof(text); ++c) {
      const char lower = (*c >= 'A' && *c <= 'Z') ? static_cast<char>(*c - 'A' + 'a') : *c;
      text[n++] = lower == '-' ? '_' : lower;
    }
    n += lib::format_to(text + n, sizeof(text) - n, " {}\n", value);
    if (full_ || size_ + n > capacity_) {
      full_ = true;  // the lines that fit, in order, and none after
      return;
    }
    __builtin_memcpy(out_ + size_, text, n);
    size_ += n;
  }
  size_t size() const { return size_; }

 private:
  char* out_;
  size_t capacity_;
  size_t size_ = 0;
  bool full_ = false;
};

}  // namespace

size_t format_netstat(const Counters& stack, const TcpCounters& tcp,
                      const uint32_t (&tcp_states)[kTcpStateCount],
                      const ComponentCounters& component, char* out, size_t capacity) {
  Writer w(out, capacity);
  w.line("", "frames.in", stack.frames_in);
  w.line("", "frames.out", stack.frames_out);
  w.line("", "frames.dropped_out", component.frames_dropped_out);
  w.line("", "batches.malformed", component.batches_in_malformed);
  w.line("", "driver.rx_dropped", component.driver_rx_dropped);
  w.line("", "driver.tx_dropped", component.driver_tx_dropped);
  w.line("", "driver.malformed", component.driver_malformed);
  w.line("", "ipv4.in", stack.ipv4_in);
  w.line("", "ipv4.out", stack.ipv4_out);
  w.line("", "arp.answered", stack.arp_requests_answered);
  w.line("", "icmp.echo_answered", stack.echo_requests_answered);
  w.line("", "udp.in", stack.udp_in);
  w.line("", "udp.out", stack.udp_out);
  w.line("", "udp.dropped_in", component.datagrams_dropped_in);
  w.line("", "udp.dropped_out", component.datagrams_dropped_out);
  w.line("", "tcp.segments_in", tcp.segments_in);
  w.line("", "tcp.segments_out", tcp.segments_out);
  w.line("", "tcp.retransmits", tcp.retransmits);
  w.line("", "tcp.fast_retransmits", tcp.fast_retransmits);
  w.line("", "tcp.timeouts", tcp.timeouts);
  w.line("", "tcp.probes", tcp.probes);
  w.line("", "tcp.resets_in", tcp.resets_in);
  w.line("", "tcp.resets_out", tcp.resets_out);
  w.line("", "tcp.challenge_acks", tcp.challenge_acks);
  w.line("", "tcp.active_opens", tcp.active_opens);
  w.line("", "tcp.passive_opens", tcp.passive_opens);
  w.line("", "tcp.failures", tcp.failures);
  w.line("", "tcp.time_wait_evicted", tcp.time_wait_evicted);
  w.line("", "tcp.time_wait_reused", tcp.time_wait_reused);
  w.line("", "sockets.open", component.sockets_open);
  w.line("", "sockets.refused", component.sockets_refused);
  for (size_t s = 0; s < kTcpStateCount; ++s)
    w.line("tcp.state.", tcp_state_name(static_cast<TcpState>(s)), tcp_states[s]);
  w.line("", "drop.total", stack.dropped_total() + tcp.dropped_total());
  for (size_t d = 0; d < kDropReasons; ++d)
    w.line("drop.", drop_name(static_cast<Drop>(d)), stack.drops[d]);
  for (size_t d = 0; d < kTcpDropCount; ++d) {
    const auto reason = static_cast<TcpDrop>(d);
    if (reason == TcpDrop::None) continue;
    w.line("drop.tcp_", tcp_drop_name(reason), tcp.drops[d]);
  }
  return w.size();
}

size_t format_drops(const Counters& stack, const TcpCounters& tcp, char* out, size_t capacity) {
  if (capacity < 4) return 0;
  size_t n = 0;
  bool cut = false;
  const auto add = [&](const char* prefix, const char* name, uint64_t count) {
    if (count == 0 || cut) return;
    char item[80];
    size_t m = lib::format_to(item, sizeof(item), "{}{}{}", n ? ", " : "", prefix, name);
    for (size_t i = 0; i < m; ++i) item[i] = item[i] == '-' ? '_' : item[i];
    m += lib::format_to(item + m, sizeof(item) - m, " {}", count);
    if (n + m + 4 > capacity) {  // room for "..." and the terminator
      cut = true;
      n += lib::format_to(out + n, capacity - n, "{}...", n ? ", " : "");
      return;
    }
    __builtin_memcpy(out + n, item, m);
    n += m;
    out[n] = '\0';
  };
  for (size_t d = 0; d < kDropReasons; ++d)
    add("", drop_name(static_cast<Drop>(d)), stack.drops[d]);
  for (size_t d = 0; d < kTcpDropCount; ++d)
    add("tcp_", tcp_drop_name(static_cast<TcpDrop>(d)), tcp.drops[d]);
  return n;
}

}  // namespace tcpip
