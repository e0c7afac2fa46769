#include "servers/tcpip/netstat.h"

#include <lib/format.h>
#include <lib/string_view.h>

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
  // A whole line, as given.
  void text(const char* line, size_t n) {
    if (full_ || size_ + n > capacity_) {
      full_ = true;
      return;
    }
    __builtin_memcpy(out_ + size_, line, n);
    size_ += n;
  }
  template <typename... Args>
  void print(const char* fmt, const Args&... args) {
    char line[128];
    const size_t n = lib::format_to(line, sizeof(line), fmt, args...);
    text(line, n < sizeof(line) ? n : sizeof(line) - 1);
  }
  size_t size() const { return size_; }

 private:
  char* out_;
  size_t capacity_;
  size_t size_ = 0;
  bool full_ = false;
};

struct IpText {
  char text[16];
};
IpText ip_text(Ipv4 ip) {
  IpText t{};
  lib::format_to(t.text, sizeof(t.text), "{}.{}.{}.{}", ip.value >> 24, ip.value >> 16 & 0xff,
                 ip.value >> 8 & 0xff, ip.value & 0xff);
  return t;
}

// The length of the netmask's leading ones (a mask with holes counts up to the first).
uint32_t prefix_of(Ipv4 netmask) {
  uint32_t n = 0;
  while (n < 32 && (netmask.value >> (31 - n) & 1)) ++n;
  return n;
}

constexpr const char* kInterface = "eth0";

}  // namespace

NetstatQuery parse_netstat_query(const char* text, size_t size) {
  const lib::StringView word(text, size);
  if (word == "interfaces") return NetstatQuery::Interfaces;
  if (word == "routes") return NetstatQuery::Routes;
  if (word == "sockets") return NetstatQuery::Sockets;
  return NetstatQuery::Counters;
}

size_t format_interfaces(const InterfaceInfo& info, char* out, size_t capacity) {
  Writer w(out, capacity);
  const Config& c = info.config;
  const uint8_t* m = info.mac.bytes;
  w.print("interface {}\n", kInterface);
  w.print("mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n", m[0], m[1], m[2], m[3], m[4], m[5]);
  w.print("mtu {}\n", info.mtu);
  w.print("link {}\n", info.link_up ? "up" : "down");
  w.print("address {}\n", ip_text(c.address).text);
  w.print("netmask {}\n", ip_text(c.netmask).text);
  w.print("prefix {}\n", prefix_of(c.netmask));
  const Ipv4 broadcast{c.address.any() ? 0 : (c.address.value | ~c.netmask.value)};
  w.print("broadcast {}\n", ip_text(broadcast).text);
  w.print("gateway {}\n", ip_text(c.gateway).text);
  w.print("dns {}\n", ip_text(c.dns).text);
  w.print("configured {}\n", c.address.any() ? "none" : info.dhcp ? "dhcp" : "static");
  w.print("rx.packets {}\n", info.rx_packets);
  w.print("rx.bytes {}\n", info.rx_bytes);
  w.print("rx.dropped {}\n", info.rx_dropped);
  w.print("rx.errors {}\n", info.rx_errors);
  w.print("tx.packets {}\n", info.tx_packets);
  w.print("tx.bytes {}\n", info.tx_bytes);
  w.print("tx.dropped {}\n", info.tx_dropped);
  return w.size();
}

size_t format_routes(const Config& config, char* out, size_t capacity) {
  Writer w(out, capacity);
  if (config.address.any()) return 0;
  const Ipv4 network{config.address.value & config.netmask.value};
  w.print("{}/{} 0.0.0.0 {}\n", ip_text(network).text, prefix_of(config.netmask), kInterface);
  if (!config.gateway.any()) w.print("0.0.0.0/0 {} {}\n", ip_text(config.gateway).text, kInterface);
  return w.size();
}

size_t format_sockets(const SocketRow* rows, size_t count, char* out, size_t capacity) {
  Writer w(out, capacity);
  for (size_t i = 0; i < count; ++i) {
    const SocketRow& r = rows[i];
    w.print("{} {}:{} {}:{} {} {} {}\n", r.protocol, ip_text(r.local).text, r.local_port,
            ip_text(r.remote).text, r.remote_port, r.state, r.recv_queued, r.send_queued);
  }
  return w.size();
}

size_t format_netstat(const Counters& stack, const TcpCounters& tcp,
                      const uint32_t (&tcp_states)[kTcpStateCount],
                      const ComponentCounters& component, char* out, size_t capacity) {
  Writer w(out, capacity);
  w.line("", "frames.in", stack.frames_in);
  w.line("", "frames.out", stack.frames_out);
  w.line("", "frames.dropped_out", component.frames_dropped_out);
  w.line("", "bytes.in", stack.bytes_in);
  w.line("", "bytes.out", stack.bytes_out);
  w.line("", "batches.malformed", component.batches_in_malformed);
  w.line("", "driver.rx_dropped", component.driver_rx_dropped);
  w.line("", "driver.tx_dropped", component.driver_tx_dropped);
  w.line("", "driver.malformed", component.driver_malformed);
  w.line("", "ipv4.in", stack.ipv4_in);
  w.line("", "ipv4.out", stack.ipv4_out);
  w.line("", "ipv4.loopback", stack.loopback);
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
  w.line("", "tcp.syn_cookies_sent", tcp.syn_cookies_sent);
  w.line("", "tcp.syn_cookies_accepted", tcp.syn_cookies_accepted);
  w.line("", "tcp.persist_timeouts", tcp.persist_timeouts);
  w.line("", "tcp.stream_in_waits", component.stream_in_waits);
  w.line("", "tcp.streams_reset_no_memory", component.streams_reset_no_memory);
  w.line("", "sockets.open", component.sockets_open);
  w.line("", "sockets.refused", component.sockets_refused);
  w.line("", "sockets.loopback", component.loopback_sockets);
  w.line("", "sockets.loopback_refused", component.loopback_refused);
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
