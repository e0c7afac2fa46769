#pragma once
// A token bucket: up to `burst` events at once, then `rate` per second on average. Time is
// the caller's (nanoseconds from any monotonic clock), so it runs the same on the host.

#include <cstdint>

namespace lib {

class TokenBucket {
 public:
  TokenBucket(uint32_t burst, uint32_t rate_per_second)
      : burst_(burst), rate_(rate_per_second), tokens_(burst) {}

  // Whether one more event may happen at now_ns (and takes its token if so).
  bool take(uint64_t now_ns) {
    refill(now_ns);
    if (tokens_ == 0) return false;
    --tokens_;
    return true;
  }

 private:
  static constexpr uint64_t kSecond = 1'000'000'000;

  // Adds the whole tokens earned since the last refill; the fraction left over carries on.
  void refill(uint64_t now_ns) {
    if (!started_) {
      started_ = true;
      last_ns_ = now_ns;
      return;
    }
    if (now_ns <= last_ns_ || rate_ == 0) return;
    const uint64_t ns_per_token = kSecond / rate_;
    const uint64_t earned = (now_ns - last_ns_) / ns_per_token;
    if (earned == 0) return;
    last_ns_ += earned * ns_per_token;
    const uint64_t tokens = tokens_ + earned;
    tokens_ = tokens > burst_ ? burst_ : static_cast<uint32_t>(tokens);
    if (tokens_ == burst_) last_ns_ = now_ns;  // a full bucket earns nothing more
  }

  uint32_t burst_;
  uint32_t rate_;
  uint32_t tokens_;
  uint64_t last_ns_ = 0;
  bool started_ = false;
};

}  // namespace lib
