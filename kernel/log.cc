#include "kernel/log.h"

#include "kernel/arch.h"
#include "kernel/spinlock.h"

namespace kernel {
namespace {

Spinlock log_lock;
lib::LogRing<256> ring GUARDED_BY(log_lock);
// Records below this level are kept but not printed on the console (`loglevel`).
LogLevel console_level = LogLevel::Debug;

}  // namespace

void ConsoleSink::write(const char* s, size_t n) { arch::console_write(s, n); }

void log_write(LogLevel level, const char* text, size_t length) {
  const uint64_t now = arch::now_ns();
  auto echo = [&] {
    print("[{:>5}.{:06}] {}: {}\n", now / 1'000'000'000, (now / 1000) % 1'000'000,
          lib::log_level_name(level), text);
  };
  if (panic_in_progress()) {  // the stopped code may hold log_lock: print, keep nothing
    echo();
    return;
  }
  SpinlockGuard guard(log_lock);
  ring.append(level, now, text, length);
  if (level >= console_level) echo();
}

void log_set_console_level(LogLevel level) {
  SpinlockGuard guard(log_lock);
  console_level = level;
}

void log_for_each(uint64_t from, void (*f)(const lib::LogRecord&, void*), void* ctx) {
  // Copy each record out under the lock, call f without it (f may log).
  for (uint64_t seq = from;; ++seq) {
    lib::LogRecord copy;
    {
      SpinlockGuard guard(log_lock);
      if (seq < ring.first_seq()) seq = ring.first_seq();
      const lib::LogRecord* r = ring.get(seq);
      if (!r) return;
      copy = *r;
    }
    f(copy, ctx);
  }
}

size_t log_read(uint64_t from, lib::LogRecord* out, size_t max, uint64_t* next) {
  SpinlockGuard guard(log_lock);
  uint64_t seq = from < ring.first_seq() ? ring.first_seq() : from;
  size_t n = 0;
  for (; n < max; ++n, ++seq) {
    const lib::LogRecord* r = ring.get(seq);
    if (!r) break;
    out[n] = *r;
  }
  *next = ring.next_seq();
  return n;
}

}  // namespace kernel
