#pragma once
// The kernel log: the most recent records in a fixed ring. Every record gets a sequence
// number, so a reader that fell behind knows how many it missed.

#include <cstddef>
#include <cstdint>

namespace lib {

enum class LogLevel : uint8_t { Debug, Info, Warn, Error };

const char* log_level_name(LogLevel level);

struct LogRecord {
  static constexpr size_t kMaxText = 128;
  uint64_t seq;
  uint64_t time_ns;
  LogLevel level;
  uint8_t length;
  char text[kMaxText];  // NUL-terminated, truncated to kMaxText - 1 bytes
};

template <size_t N>
class LogRing {
 public:
  // Appends a record, overwriting the oldest when full. Returns its sequence number.
  uint64_t append(LogLevel level, uint64_t time_ns, const char* text, size_t length) {
    LogRecord& r = records_[next_seq_ % N];
    r.seq = next_seq_;
    r.time_ns = time_ns;
    r.level = level;
    if (length > LogRecord::kMaxText - 1) length = LogRecord::kMaxText - 1;
    for (size_t i = 0; i < length; ++i) r.text[i] = text[i];
    r.text[length] = '\0';
    r.length = static_cast<uint8_t>(length);
    return next_seq_++;
  }
  // The sequence number of the oldest record still held.
  uint64_t first_seq() const { return next_seq_ > N ? next_seq_ - N : 0; }
  uint64_t next_seq() const { return next_seq_; }
  // The record with the given sequence number, or nullptr if it is gone or not yet written.
  const LogRecord* get(uint64_t seq) const {
    if (seq < first_seq() || seq >= next_seq_) return nullptr;
    return &records_[seq % N];
  }

 private:
  LogRecord records_[N] = {};
  uint64_t next_seq_ = 0;
};

}  // namespace lib
