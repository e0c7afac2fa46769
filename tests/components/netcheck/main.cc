// NetCheck: a client of the Ethernet service for the network driver tests, on QEMU's user
// network (we are 10.0.2.15, the gateway is 10.0.2.2). Each time the service connects (at
// start, and again after the driver restarted) it sends the driver four malformed batches,
// asks for Info (which must count them), asks the gateway's address with ARP, pings it with
// an ICMP echo request, and logs each answer; unanswered steps are retried every half second.
// Then it sends a burst of kBurst echo requests in one batch, counts the replies and asks for
// Info again (which counts any frame the transmit ring had no room for).
// It answers ARP requests for its own address, so the gateway can reach it.
#include <stellina/component.h>
#include <stellina/ethernet.h>

#include <lib/ethernet_batch.h>

#include "netcheck_env.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using stellina::Bytes;
using stellina::Channel;

namespace {

constexpr uint8_t kOurIp[4] = {10, 0, 2, 15};
constexpr uint8_t kGatewayIp[4] = {10, 0, 2, 2};
constexpr uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr uint16_t kTypeIpv4 = 0x0800, kTypeArp = 0x0806;
constexpr uint16_t kArpRequest = 1, kArpReply = 2;
constexpr uint8_t kProtocolIcmp = 1, kIcmpEchoReply = 0, kIcmpEchoRequest = 8;
constexpr size_t kEthernetHeader = 14, kArpBytes = 28, kIpv4Header = 20, kIcmpHeader = 8;
constexpr uint16_t kEchoId = 0x5354;
constexpr char kEchoPayload[] = "stellina netcheck echo payload.";  // 32 bytes with the NUL

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
bool same(const uint8_t* a, const uint8_t* b, size_t n) { return __builtin_memcmp(a, b, n) == 0; }

// The Internet checksum (RFC 1071): the one's complement of the one's complement sum of the
// 16-bit words. Over data that holds its own checksum it comes out 0.
uint16_t checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += get16(p + i);
  if (n % 2) sum += static_cast<uint32_t>(p[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

class NetCheck final : public stellina::ComponentWith<stellina::components::netcheck::Env> {
  static constexpr uint64_t kRetryNs = 500'000'000;
  static constexpr unsigned kTries = 10;
  static constexpr uint64_t kBurstWaitNs = 1'000'000'000;
  static constexpr uint16_t kBurst = 12, kBurstFirstSeq = 100;
  enum class Step { Idle, Info, Arp, Ping, Burst, Done };

  void on_service_connected(const char*) override {
    ++connections_;
    log(connections_ == 1 ? "service ethernet connected" : "service ethernet connected again");
    send_malformed();
    step_ = Step::Info;
    tries_ = 0;
    attempt();
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch != &env().ethernet) return;
    log("ethernet channel closed");
    step_ = Step::Idle;
  }

  void on_timer() override {
    if (step_ == Step::Idle || step_ == Step::Done) return;
    if (step_ == Step::Burst) {
      log("burst{}: {} echo requests in one batch, {} answered (at most {} frames in a batch "
          "from the driver)",
          connections_ == 1 ? "" : " again", kBurst, __builtin_popcount(burst_answered_),
          largest_batch_);
      step_ = Step::Done;
      send_info();
      return;
    }
    if (tries_ < kTries) return attempt();
    log("no answer after {} tries at step {}", tries_, static_cast<int>(step_));
    step_ = Step::Done;
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch != &env().ethernet) return;
    auto opened = lib::EthernetBatchReader::open(data.data, data.size);
    if (!opened.ok()) {
      log("malformed batch from the driver (error {})", opened.error());
      return;
    }
    lib::EthernetBatchReader batch = opened.release_value();
    if (batch.has_info()) return on_info(batch.info());
    if (batch.count() > largest_batch_) largest_batch_ = batch.count();
    lib::EthernetFrame f{};
    while (batch.next(f)) on_frame(f.data, f.length);
  }

  void on_info(const abi::EthernetInfo& info) {
    const uint8_t* m = info.mac;
    log("info: mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, link {}, mtu {}; frames rx {} tx {}, "
        "dropped rx {} tx {}, malformed {}",
        m[0], m[1], m[2], m[3], m[4], m[5], info.link_up ? "up" : "down", info.mtu, info.rx_frames,
        info.tx_frames, info.rx_dropped, info.tx_dropped, info.malformed);
    static constexpr uint8_t kNone[6] = {};
    if (step_ != Step::Info || same(m, kNone, 6)) return;  // no address yet: asked again
    __builtin_memcpy(mac_, m, 6);
    next(Step::Arp);
  }

  void on_frame(const uint8_t* f, size_t n) {
    const uint16_t type = get16(f + 12);
    if (type == kTypeArp && n >= kEthernetHeader + kArpBytes) on_arp(f + kEthernetHeader);
    if (type == kTypeIpv4 && n >= kEthernetHeader + kIpv4Header)
      on_ipv4(f + kEthernetHeader, n - kEthernetHeader);
  }

  void on_arp(const uint8_t* a) {
    // htype 1 (Ethernet), ptype IPv4, hlen 6, plen 4; then sender and target addresses.
    if (get16(a) != 1 || get16(a + 2) != kTypeIpv4 || a[4] != 6 || a[5] != 4) return;
    const uint16_t op = get16(a + 6);
    const uint8_t* sender_mac = a + 8;
    const uint8_t* sender_ip = a + 14;
    const uint8_t* target_ip = a + 24;
    if (op == kArpRequest && same(target_ip, kOurIp, 4)) {
      send_arp(kArpReply, sender_mac, sender_ip);
      return;
    }
    if (op != kArpReply || step_ != Step::Arp || !same(sender_ip, kGatewayIp, 4) ||
        !same(target_ip, kOurIp, 4))
      return;
    __builtin_memcpy(gateway_mac_, sender_mac, 6);
    const uint8_t* g = gateway_mac_;
    log("ARP reply{}: {}.{}.{}.{} is at {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        connections_ == 1 ? "" : " again after the driver restarted", sender_ip[0], sender_ip[1],
        sender_ip[2], sender_ip[3], g[0], g[1], g[2], g[3], g[4], g[5]);
    next(Step::Ping);
  }

  void on_ipv4(const uint8_t* ip, size_t n) {
    const size_t header = (ip[0] & 0xf) * size_t{4};
    const size_t total = get16(ip + 2);
    if (ip[0] >> 4 != 4 || header < kIpv4Header || total < header + kIcmpHeader || total > n)
      return;
    if (ip[9] != kProtocolIcmp || !same(ip + 12, kGatewayIp, 4) || !same(ip + 16, kOurIp, 4))
      return;
    const uint8_t* icmp = ip + header;
    const size_t icmp_bytes = total - header;
    if (icmp[0] != kIcmpEchoReply || get16(icmp + 4) != kEchoId) return;
    const uint16_t seq = get16(icmp + 6);
    if (step_ == Step::Burst && seq >= kBurstFirstSeq && seq < kBurstFirstSeq + kBurst)
      burst_answered_ |= 1u << (seq - kBurstFirstSeq);
    if (step_ != Step::Ping || seq != tries_) return;
    const bool sums = checksum(ip, header) == 0 && checksum(icmp, icmp_bytes) == 0;
    const bool payload = icmp_bytes == kIcmpHeader + sizeof(kEchoPayload) &&
                         same(icmp + kIcmpHeader, reinterpret_cast<const uint8_t*>(kEchoPayload),
                              sizeof(kEchoPayload));
    log("ping reply{}: 10.0.2.2 answered echo {} ({} bytes, ttl {}), checksums {}, payload {}",
        connections_ == 1 ? "" : " again", tries_, icmp_bytes, ip[8], sums ? "valid" : "WRONG",
        payload ? "intact" : "CHANGED");
    send_burst();
  }

  void next(Step step) {
    step_ = step;
    tries_ = 0;
    attempt();
  }

  // Does the current step (again) and sets the timer for its retry.
  void attempt() {
    ++tries_;
    if (step_ == Step::Info) send_info();
    if (step_ == Step::Arp) send_arp(kArpRequest, kBroadcast, kGatewayIp);
    if (step_ == Step::Ping) send_echo();
    arm(kRetryNs);
  }

  void arm(uint64_t delay_ns) {
    if (!set_timer(sys::clock_now() + delay_ns).ok()) log("FAIL: cannot set the timer");
  }

  // A batch the driver's queue had no room for is lost as a frame on the wire would be: the
  // step's retry, or its count of answers, shows it.
  static void ignore_lost(stellina::Result<void> sent) {
    stellina::ignore(sent, "lost like a frame on the wire; the retry or the count shows it");
  }

  void send_info() {
    uint8_t message[sizeof(abi::EthernetBatch)];
    auto size = lib::write_ethernet_info(message, sizeof(message), nullptr);
    if (size.ok()) ignore_lost(env().ethernet.send(Bytes{message, size.value()}));
  }

  void send_frame(const uint8_t* frame, size_t n) {
    static uint8_t message[64 + abi::kEthernetMaxFrame];
    lib::EthernetBatchWriter batch(message);
    if (batch.add(frame, n).ok())
      ignore_lost(env().ethernet.send(Bytes{batch.data(), batch.size()}));
  }

  uint8_t* ethernet_header(uint8_t* f, const uint8_t* to, uint16_t type) const {
    __builtin_memcpy(f, to, 6);
    __builtin_memcpy(f + 6, mac_, 6);
    put16(f + 12, type);
    return f + kEthernetHeader;
  }

  // An ARP request (to the broadcast address, for target_ip) or reply (to target_mac).
  void send_arp(uint16_t op, const uint8_t* target_mac, const uint8_t* target_ip) {
    uint8_t f[kEthernetHeader + kArpBytes] = {};
    uint8_t* a = ethernet_header(f, target_mac, kTypeArp);
    put16(a, 1);
    put16(a + 2, kTypeIpv4);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    __builtin_memcpy(a + 8, mac_, 6);
    __builtin_memcpy(a + 14, kOurIp, 4);
    if (op == kArpReply) __builtin_memcpy(a + 18, target_mac, 6);  // a request leaves it 0
    __builtin_memcpy(a + 24, target_ip, 4);
    send_frame(f, sizeof(f));
  }

  static constexpr size_t kIcmpBytes = kIcmpHeader + sizeof(kEchoPayload);
  static constexpr size_t kEchoFrame = kEthernetHeader + kIpv4Header + kIcmpBytes;

  // An ICMP echo request to the gateway; its sequence number is the try.
  void send_echo() {
    uint8_t f[kEchoFrame];
    echo_frame(f, static_cast<uint16_t>(tries_));
    send_frame(f, sizeof(f));
  }

  void send_burst() {
    step_ = Step::Burst;
    burst_answered_ = 0;
    static uint8_t message[abi::kMaxMessageData];
    lib::EthernetBatchWriter batch(message);
    for (uint16_t i = 0; i < kBurst; ++i) {
      uint8_t f[kEchoFrame];
      echo_frame(f, kBurstFirstSeq + i);
      if (!batch.add(f, sizeof(f)).ok()) break;
    }
    ignore_lost(env().ethernet.send(Bytes{batch.data(), batch.size()}));
    arm(kBurstWaitNs);
  }

  void echo_frame(uint8_t (&f)[kEchoFrame], uint16_t seq) {
    constexpr size_t kTotal = kIpv4Header + kIcmpBytes;
    __builtin_memset(f, 0, sizeof(f));
    uint8_t* ip = ethernet_header(f, gateway_mac_, kTypeIpv4);
    ip[0] = 0x45;  // version 4, 5 words of header
    put16(ip + 2, kTotal);
    put16(ip + 4, static_cast<uint16_t>(connections_ << 12 | seq));  // identification
    ip[8] = 64;                                                      // time to live
    ip[9] = kProtocolIcmp;
    __builtin_memcpy(ip + 12, kOurIp, 4);
    __builtin_memcpy(ip + 16, kGatewayIp, 4);
    put16(ip + 10, checksum(ip, kIpv4Header));
    uint8_t* icmp = ip + kIpv4Header;
    icmp[0] = kIcmpEchoRequest;
    put16(icmp + 4, kEchoId);
    put16(icmp + 6, seq);
    __builtin_memcpy(icmp + kIcmpHeader, kEchoPayload, sizeof(kEchoPayload));
    put16(icmp + 2, checksum(icmp, kIcmpBytes));
  }

  // What the driver must refuse and count: a batch shorter than its header, a count beyond
  // the frames present, a frame longer than kEthernetMaxFrame and one shorter than
  // kEthernetMinFrame.
  void send_malformed() {
    static uint8_t message[sizeof(abi::EthernetBatch) + 2 + abi::kEthernetMaxFrame + 1];
    const auto batch = [&](uint32_t count, uint16_t length) {
      const abi::EthernetBatch header{abi::EthernetOp::Frames, count};
      __builtin_memcpy(message, &header, sizeof(header));
      __builtin_memcpy(message + sizeof(header), &length, sizeof(length));
      __builtin_memset(message + sizeof(header) + 2, 0xee, length);
      ignore_lost(env().ethernet.send(Bytes{message, sizeof(header) + 2 + length}));
    };
    ignore_lost(env().ethernet.send(Bytes{message, sizeof(abi::EthernetBatch) - 1}));
    batch(2, 60);
    batch(1, abi::kEthernetMaxFrame + 1);
    batch(1, abi::kEthernetMinFrame - 1);
  }

  uint8_t mac_[6] = {};
  uint8_t gateway_mac_[6] = {};
  Step step_ = Step::Idle;
  unsigned tries_ = 0;
  unsigned connections_ = 0;
  uint32_t burst_answered_ = 0;  // bit i: echo kBurstFirstSeq + i was answered
  uint32_t largest_batch_ = 0;
};

STELLINA_COMPONENT(NetCheck)
