#pragma once
// A small pseudo-random generator (xorshift32) for values that should be hard to guess
// but need no cryptographic strength: DHCP transaction ids, DNS query ids.

#include <stdint.h>

namespace tcpip {

class Random {
 public:
  explicit Random(uint32_t seed) : state_(seed ? seed : 0x9e3779b9) {}
  uint32_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }
  void mix(uint32_t entropy) {
    state_ ^= entropy;
    if (state_ == 0) state_ = 0x9e3779b9;
    next();
  }

 private:
  uint32_t state_;
};

}  // namespace tcpip
