#pragma once
// Test support for the TCP engine: a recorder that keeps what an engine sends, a builder for
// hand-made segments, and a simulated link between two engines with a fake clock that can
// lose, reorder and duplicate segments with a seeded random generator.

#include <stddef.h>
#include <stdint.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "servers/tcpip/stack/tcp.h"

namespace tcpip::test {

inline const Ipv4 kAddressA = Ipv4::of(10, 0, 0, 1);
inline const Ipv4 kAddressB = Ipv4::of(10, 0, 0, 2);

struct Sent {
  Ipv4 source;
  Ipv4 destination;
  std::vector<uint8_t> bytes;
  uint64_t at = 0;

  TcpSegment parse() const {
    TcpSegment seg;
    const TcpDrop why = tcp_parse(source, destination, bytes.data(), bytes.size(), seg);
    if (why != TcpDrop::None) seg.flags = 0xff;  // a test that looks at it will notice
    return seg;
  }
};

// Keeps every segment an engine sends.
class Recorder final : public TcpOutput {
 public:
  lib::Result<void> send(Ipv4 source, Ipv4 destination, const uint8_t* segment,
                         size_t size) override {
    sent.push_back({source, destination, std::vector<uint8_t>(segment, segment + size), now});
    return {};
  }
  std::vector<Sent> sent;
  uint64_t now = 0;
};

// A segment with a valid checksum from source to destination.
inline std::vector<uint8_t> make_segment(Ipv4 source, Ipv4 destination, const TcpHeader& header,
                                         const std::vector<uint8_t>& payload = {}) {
  std::vector<uint8_t> out(kTcpMaxHeaderSize + payload.size());
  const size_t header_size = tcp_write_header(out.data(), header);
  for (size_t i = 0; i < payload.size(); ++i) out[header_size + i] = payload[i];
  out.resize(header_size + payload.size());
  tcp_finish(out.data(), out.size(), source, destination);
  return out;
}

// Memory from malloc, counted; fail_after makes every allocation after that many fail.
class TestMemory final : public TcpMemory {
 public:
  void* allocate(size_t size) override {
    if (fail_after == 0) return nullptr;
    if (fail_after > 0) --fail_after;
    ++blocks;
    bytes += size;
    return std::malloc(size);
  }
  void release(void* block, size_t size) override {
    --blocks;
    bytes -= size;
    std::free(block);
  }
  long fail_after = -1;
  size_t blocks = 0;
  size_t bytes = 0;
};

// An engine with its own memory, limited to `slots` connections.
struct Engine {
  Engine(TcpOutput& output, size_t slots, TcpConfig config)
      : tcp(output, memory, with_slots(config, slots)) {}
  static TcpConfig with_slots(TcpConfig config, size_t slots) {
    config.max_connections = slots;
    return config;
  }
  TestMemory memory;
  Tcp tcp;
};

inline TcpConfig test_config(uint64_t seed) {
  TcpConfig config;
  config.secret = {seed * 0x9e3779b97f4a7c15ull + 1, seed ^ 0x5555};
  config.msl_ms = 1000;
  config.rto_min_ms = 200;
  config.rto_initial_ms = 1000;
  config.max_retries = 12;
  return config;
}

struct LinkOptions {
  double loss = 0;       // each segment is lost with this probability
  double duplicate = 0;  // ... sent twice
  double reorder = 0;    // ... delayed by extra_delay_ms so later ones overtake it
  uint32_t latency_ms = 5;
  uint32_t extra_delay_ms = 15;
};

// Two engines, A (kAddressA) and B (kAddressB), joined by a link with a fake clock.
class Link {
 public:
  Link(uint64_t seed, LinkOptions options = {}, size_t slots = 4, TcpConfig config_a = {},
       TcpConfig config_b = {}, bool default_configs = true)
      : options_(options),
        random_(seed),
        side_a_(this, 0),
        side_b_(this, 1),
        a_(side_a_, slots, default_configs ? test_config(seed) : config_a),
        b_(side_b_, slots, default_configs ? test_config(seed + 1) : config_b) {}

  Tcp& a() { return a_.tcp; }
  Tcp& b() { return b_.tcp; }
  TestMemory& a_memory() { return a_.memory; }
  uint64_t now() const { return now_; }
  LinkOptions& options() { return options_; }
  // Segments sent, in order, by side 0 (A) or 1 (B).
  std::vector<Sent>& log(int side) { return log_[side]; }
  // Decides the fate of a segment before the random faults: true drops it.
  std::function<bool(int from, const Sent&)> drop_if;
  uint64_t delivered = 0;

  // Advances the clock to the next event (a delivery or a timer), runs it and returns true;
  // false when nothing is pending at all.
  bool step() {
    uint64_t next = a().next_deadline();
    if (b().next_deadline() < next) next = b().next_deadline();
    for (const Packet& p : queue_) {
      if (p.at < next) next = p.at;
    }
    if (next == kTcpNoDeadline) return false;
    if (next > now_) now_ = next;
    for (size_t i = 0; i < queue_.size();) {
      if (queue_[i].at <= now_) {
        Packet p = std::move(queue_[i]);
        queue_.erase(queue_.begin() + static_cast<long>(i));
        ++delivered;
        Tcp& to = p.to == 0 ? a() : b();
        to.receive(p.sent.source, p.sent.destination, p.sent.bytes.data(), p.sent.bytes.size(),
                   now_);
      } else {
        ++i;
      }
    }
    a().tick(now_);
    b().tick(now_);
    return true;
  }
  // Steps until done() holds or the clock passes now() + limit_ms; returns done().
  bool run_until(const std::function<bool()>& done, uint64_t limit_ms) {
    const uint64_t end = now_ + limit_ms;
    while (!done()) {
      if (now_ > end || !step()) return done();
    }
    return true;
  }
  // Lets time pass to now() + ms, running whatever happens meanwhile.
  void run_for(uint64_t ms) {
    const uint64_t end = now_ + ms;
    while (now_ < end) {
      uint64_t next = a().next_deadline();
      if (b().next_deadline() < next) next = b().next_deadline();
      for (const Packet& p : queue_) {
        if (p.at < next) next = p.at;
      }
      if (next > end) {
        now_ = end;
        a().tick(now_);
        b().tick(now_);
        return;
      }
      step();
    }
  }
  size_t in_flight() const { return queue_.size(); }

 private:
  struct Packet {
    int to;
    uint64_t at;
    Sent sent;
  };
  class Side final : public TcpOutput {
   public:
    Side(Link* link, int from) : link_(link), from_(from) {}
    lib::Result<void> send(Ipv4 source, Ipv4 destination, const uint8_t* segment,
                           size_t size) override {
      link_->transmit(
          from_, {source, destination, std::vector<uint8_t>(segment, segment + size), link_->now_});
      return {};
    }

   private:
    Link* link_;
    int from_;
  };

  void transmit(int from, Sent sent) {
    log_[from].push_back(sent);
    if (drop_if && drop_if(from, sent)) return;
    std::uniform_real_distribution<double> chance(0.0, 1.0);
    if (chance(random_) < options_.loss) return;
    const int copies = chance(random_) < options_.duplicate ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      uint64_t at = now_ + options_.latency_ms;
      if (chance(random_) < options_.reorder) at += options_.extra_delay_ms;
      queue_.push_back({1 - from, at, sent});
    }
  }

  LinkOptions options_;
  std::mt19937_64 random_;
  Side side_a_;
  Side side_b_;
  Engine a_;
  Engine b_;
  uint64_t now_ = 0;
  std::vector<Packet> queue_;
  std::vector<Sent> log_[2];
};

}  // namespace tcpip::test
