#pragma once
// The network fuzz targets' stack: Stack (Ethernet, ARP, IPv4, ICMP, UDP, DHCP, DNS) with the
// TCP engine attached and listening, over a Link that keeps the last frame sent (so a target
// can read the random ids the stack chose) and checks that every frame is well-formed
// enough to send.
#include <cstring>
#include <new>
#include <vector>

#include "servers/tcpip/stack/stack.h"
#include "servers/tcpip/stack/tcp.h"
#include "servers/tcpip/stack/tcp_ipv4.h"
#include "tests/fuzz/heap_memory.h"
#include "tests/fuzz/script.h"

namespace fuzz {

inline const tcpip::Mac kOurMac{{0x52, 0x54, 0, 0x12, 0x34, 0x56}};
inline const tcpip::Mac kPeerMac{{0x52, 0x55, 0x0a, 0, 2, 2}};
inline const tcpip::Ipv4 kOurIp = tcpip::Ipv4::of(10, 0, 2, 15);
inline const tcpip::Ipv4 kPeerIp = tcpip::Ipv4::of(10, 0, 2, 2);
inline const tcpip::Ipv4 kDnsIp = tcpip::Ipv4::of(10, 0, 2, 3);

class Wire final : public tcpip::Link {
 public:
  void send_frame(const uint8_t* frame, size_t size) override {
    check(size >= 14 && size <= 1514);
    last.assign(frame, frame + size);
    ++frames;
  }
  std::vector<uint8_t> last;
  size_t frames = 0;
};

class NetHarness {
 public:
  static constexpr size_t kSlots = 4;
  static tcpip::TcpConfig config() {
    tcpip::TcpConfig c;
    c.max_connections = kSlots;
    return c;
  }

  NetHarness() : stack_(wire_, kOurMac, 7), glue_(stack_.ipv4()), tcp_(glue_, memory_, config()) {
    glue_.bind(tcp_);
    check(stack_.ipv4().attach(tcpip::kProtocolTcp, glue_).ok());
    auto listener = tcp_.listen(tcpip::Ipv4{}, 80, 4);
    check(listener.ok());
    listener_ = listener.value();
  }

  // A static address on 10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3.
  void configure() {
    stack_.configure({kOurIp, tcpip::Ipv4::of(255, 255, 255, 0), kPeerIp, kDnsIp});
  }

  // Runs the stack's and the engine's timers up to now.
  void advance(uint64_t ms) {
    now_ += ms;
    glue_.advance(now_);
    stack_.poll(now_);
    tcp_.tick(now_);
    accept_and_close();
  }

  void receive(const uint8_t* frame, size_t size) {
    glue_.advance(now_);
    stack_.receive_frame(frame, size, now_);
    accept_and_close();
  }

  tcpip::Stack& stack() { return stack_; }
  Wire& wire() { return wire_; }
  uint64_t now() const { return now_; }

 private:
  // A server that takes every connection, reads what came and closes it.
  void accept_and_close() {
    auto accepted = tcp_.accept(listener_);
    if (!accepted.ok()) return;
    uint8_t bytes[256];
    (void)tcp_.read(accepted.value(), bytes, sizeof(bytes), now_);
    (void)tcp_.close(accepted.value(), now_);
  }

  Wire wire_;
  tcpip::Stack stack_;
  tcpip::TcpOverIpv4 glue_;
  HeapMemory memory_;
  tcpip::Tcp tcp_;
  tcpip::TcpSocket listener_;
  uint64_t now_ = 1000;
};

// The harness for one input, built fresh in storage that stays mapped: allocating it (the
// stack's tables and buffers) for every input would map and unmap it each time, which costs
// more than most inputs' work.
class FreshNet {
 public:
  FreshNet() : net_(new (storage()) NetHarness) {}
  ~FreshNet() { net_->~NetHarness(); }
  FreshNet(const FreshNet&) = delete;
  FreshNet& operator=(const FreshNet&) = delete;
  NetHarness* operator->() { return net_; }
  NetHarness& operator*() { return *net_; }

 private:
  static void* storage() {
    alignas(NetHarness) static unsigned char bytes[sizeof(NetHarness)];
    return bytes;
  }
  NetHarness* net_;
};

}  // namespace fuzz
