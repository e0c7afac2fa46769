#pragma once
// The pace of the `ping:` scheme (abi/stellina/socket.h): each channel at most one echo
// request per kPingMinIntervalMs, all of them together at most kPingMaxPerSecond in any
// second's window, so no client can flood the network through the stack. Pure: time comes
// in as a parameter.

#include <stddef.h>
#include <stdint.h>

#include <stellina/socket.h>

namespace tcpip {

// One channel's last request.
struct PingPace {
  bool sent = false;
  uint64_t last_ms = 0;
};

class PingLimiter {
 public:
  // Whether a request on the channel of pace may be sent at now_ms; if so it is counted.
  bool allow(PingPace& pace, uint64_t now_ms) {
    if (pace.sent && now_ms - pace.last_ms < stellina::abi::kPingMinIntervalMs) return false;
    if (!started_ || now_ms - window_ms_ >= 1000) {
      started_ = true;
      window_ms_ = now_ms;
      in_window_ = 0;
    }
    if (in_window_ >= stellina::abi::kPingMaxPerSecond) return false;
    ++in_window_;
    pace.sent = true;
    pace.last_ms = now_ms;
    return true;
  }

 private:
  bool started_ = false;
  uint64_t window_ms_ = 0;
  uint32_t in_window_ = 0;
};

// The requests of one channel awaiting their replies: the last kPingMaxOutstanding.
class PingOutstanding {
 public:
  void add(uint16_t sequence, uint64_t sent_ns) {
    Entry& e = entries_[next_++ % stellina::abi::kPingMaxOutstanding];
    e = {true, sequence, sent_ns};
  }
  // Finds and forgets the request with this sequence number; false if there is none.
  bool take(uint16_t sequence, uint64_t* sent_ns) {
    for (Entry& e : entries_) {
      if (!e.used || e.sequence != sequence) continue;
      e.used = false;
      *sent_ns = e.sent_ns;
      return true;
    }
    return false;
  }
  void clear() {
    for (Entry& e : entries_) e.used = false;
    next_ = 0;
  }

 private:
  struct Entry {
    bool used = false;
    uint16_t sequence = 0;
    uint64_t sent_ns = 0;
  };
  Entry entries_[stellina::abi::kPingMaxOutstanding];
  size_t next_ = 0;
};

}  // namespace tcpip
