#pragma once
// What the network commands share besides DNS and HTTP: the network stack's text answers
// (abi/stellina/socket.h, `netstat` service), addresses as text, times in fixed point
// (no floating point here), ping's statistics, and a small random generator. Pure: builds
// on the host.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace cmd::net {

// A dotted quad, exactly four numbers 0..255, into a (in the order written).
bool parse_ipv4(lib::StringView text, uint8_t (&a)[4]);
// "A.B.C.D" into out (at least 16 bytes); returns the length.
size_t format_ipv4(const uint8_t (&a)[4], char* out, size_t capacity);

// In a text of `name value` lines, the value of the first line whose name is name (empty
// if none).
lib::StringView find_value(lib::StringView text, lib::StringView name);

// Splits line at runs of spaces into at most max fields; returns how many (the rest of the
// line, if more, is left out).
size_t split_fields(lib::StringView line, lib::StringView* fields, size_t max);

// The next line of text from *at ('\n' ends it, and is skipped); false at the end.
bool next_line(lib::StringView text, size_t* at, lib::StringView* line);

// A length of time in seconds, as "2", "0.2" or ".25" (at most 3 decimals kept, the rest
// must be digits too), into milliseconds; false for anything else or past max_ms.
bool parse_seconds(lib::StringView text, uint64_t max_ms, uint64_t* ms);

// ns as milliseconds with three decimals ("0.512", "1234.000"); returns the length.
size_t format_ms(uint64_t ns, char* out, size_t capacity);

// The integer square root (the largest r with r*r <= v).
uint64_t isqrt(uint64_t v);

// Round trips, as ping reports them.
class PingStats {
 public:
  void sent() { ++transmitted_; }
  void received(uint64_t rtt_ns);
  uint64_t transmitted() const { return transmitted_; }
  uint64_t replies() const { return received_; }
  // 0..100, rounded down (as iputils prints it).
  uint64_t loss_percent() const;
  uint64_t min_ns() const { return received_ ? min_ : 0; }
  uint64_t max_ns() const { return max_; }
  uint64_t avg_ns() const { return received_ ? sum_ / received_ : 0; }
  // The mean deviation as iputils computes it: sqrt(mean of squares - square of mean).
  uint64_t mdev_ns() const;

 private:
  uint64_t transmitted_ = 0, received_ = 0;
  uint64_t min_ = UINT64_MAX, max_ = 0;
  uint64_t sum_ = 0;     // ns
  uint64_t sum_sq_ = 0;  // (us)^2, saturating: enough for any sane round trip
};

// SplitMix64: ids and ports that are hard to guess, from a seed (the clock).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next();

 private:
  uint64_t state_;
};

}  // namespace cmd::net
