#pragma once
// The retransmission timeout from round-trip samples (RFC 6298): SRTT and RTTVAR kept scaled
// by 8 and 4 in milliseconds, RTO = SRTT + max(G, 4 * RTTVAR) with a 1 ms clock granularity,
// bounded, and doubled on each timeout (exponential backoff) until a new sample arrives.

#include <stdint.h>

namespace tcpip {

class TcpRtt {
 public:
  void init(uint32_t initial_ms, uint32_t min_ms, uint32_t max_ms) {
    min_ms_ = min_ms;
    max_ms_ = max_ms;
    srtt8_ = rttvar4_ = 0;
    base_ms_ = clamp(initial_ms);
    rto_ms_ = base_ms_;
  }
  // A round-trip measurement, from a segment that was not retransmitted (Karn's rule).
  void sample(uint32_t rtt_ms) {
    if (srtt8_ == 0) {
      srtt8_ = rtt_ms * 8 + 1;  // +1: a 0 ms first sample still counts as measured
      rttvar4_ = rtt_ms * 2;
    } else {
      const int64_t delta = int64_t{rtt_ms} - srtt8_ / 8;
      const int64_t magnitude = delta < 0 ? -delta : delta;
      srtt8_ = static_cast<uint32_t>(int64_t{srtt8_} + delta);
      rttvar4_ = static_cast<uint32_t>(int64_t{rttvar4_} + magnitude - rttvar4_ / 4);
    }
    base_ms_ = clamp(srtt8_ / 8 + (rttvar4_ > 1 ? rttvar4_ : 1));
    rto_ms_ = base_ms_;
  }
  // A retransmission timer expired: back off.
  void backoff() { rto_ms_ = clamp(rto_ms_ > max_ms_ / 2 ? max_ms_ : rto_ms_ * 2); }
  // New data was acknowledged: drop any backoff.
  void reset_backoff() { rto_ms_ = base_ms_; }

  uint32_t rto_ms() const { return rto_ms_; }
  uint32_t srtt_ms() const { return srtt8_ / 8; }
  uint32_t rttvar_ms() const { return rttvar4_ / 4; }
  bool measured() const { return srtt8_ != 0; }

 private:
  uint32_t clamp(uint32_t ms) const {
    if (ms < min_ms_) return min_ms_;
    return ms > max_ms_ ? max_ms_ : ms;
  }
  uint32_t srtt8_ = 0;
  uint32_t rttvar4_ = 0;
  uint32_t rto_ms_ = 1000;
  uint32_t base_ms_ = 1000;
  uint32_t min_ms_ = 200;
  uint32_t max_ms_ = 60000;
};

}  // namespace tcpip
