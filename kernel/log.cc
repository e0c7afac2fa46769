#include "kernel/log.h"

#include <lib/record_queue.h>

#include "kernel/arch.h"
#include "kernel/spinlock.h"

namespace kernel {
namespace {

// The longest console line a record makes: time, level, text, CR LF.
constexpr size_t kMaxLine = lib::LogRecord::kMaxText + 48;
// About a second of output at 115200 baud: room for a boot's worth of lines that interrupt
// handlers and locked sections log before anyone with interrupts on writes them out.
constexpr size_t kQueueBytes = 16384;
// A UART that never says it is ready (broken, or absent without reading all ones) gets its
// burst anyway after this many polls, as the old put() did: output must not stop the kernel.
constexpr int kReadyPolls = 100000;

Spinlock log_lock;
lib::LogRing<256> ring GUARDED_BY(log_lock);
lib::RecordQueue<kQueueBytes> queue GUARDED_BY(log_lock);
uint64_t drops_reported GUARDED_BY(log_lock) = 0;
uint64_t rate_limited GUARDED_BY(log_lock) = 0;
// Records below this level are kept but not printed on the console (`loglevel`).
LogLevel console_level GUARDED_BY(log_lock) = LogLevel::Debug;
bool queueing = false;  // set once, when the scheduler starts

// Collects formatted text into a line, each '\n' as CR LF (the bytes the UART sends).
class LineSink final : public lib::Sink {
 public:
  LineSink(char* buffer, size_t capacity) : buffer_(buffer), capacity_(capacity) {}
  void write(const char* s, size_t n) override {
    for (size_t i = 0; i < n; ++i) {
      if (s[i] == '\n') put('\r');
      put(s[i]);
    }
  }
  size_t size() const { return used_; }

 private:
  void put(char c) {
    if (used_ < capacity_) buffer_[used_++] = c;
  }
  char* buffer_;
  size_t capacity_;
  size_t used_ = 0;
};

// Queues a line, after the note of records dropped since the last note, if any (and if both
// fit). Returns whether the line was queued.
bool queue_line(const char* line, size_t n) REQUIRES(log_lock) {
  const uint64_t unreported = queue.dropped() - drops_reported;
  if (unreported != 0) {
    char note[96];
    LineSink sink(note, sizeof(note));
    const uint64_t now = arch::now_ns();
    lib::format(sink, "[{:>5}.{:06}] warn: log: {} records dropped (console output full)\n",
                now / 1'000'000'000, (now / 1000) % 1'000'000, unreported);
    if (queue.room() >= sink.size() + n && queue.push(note, sink.size()))
      drops_reported += unreported;
  }
  return queue.push(line, n);
}

// Waits (with interrupts as the caller has them) until the UART can take a burst; false if
// it never said so (then the burst goes anyway).
bool wait_until_tx_idle() {
  for (int poll = 0; poll < kReadyPolls; ++poll) {
    if (arch::console_tx_idle()) return true;
    arch::cpu_relax();
  }
  return false;
}

void write_burst() REQUIRES(log_lock) {
  char burst[arch::kConsoleBurst];
  const size_t n = queue.pop(burst, sizeof(burst));
  arch::console_tx_burst(burst, n);
}

// Bursts until the queue is empty. Waiting for the UART happens with the lock released (and
// so with interrupts as the caller has them): only a burst is written with them off.
void drain_queue() {
  for (;;) {
    const bool ready = wait_until_tx_idle();
    SpinlockGuard guard(log_lock);
    if (queue.empty()) return;
    if (ready && !arch::console_tx_idle()) continue;  // another writer came first: wait again
    write_burst();
  }
}

// The kernel is stopping: the code it stopped may hold log_lock. What is queued goes out
// first (nothing else runs now), then text, both polling the UART.
void write_stopping(const char* text, size_t n) NO_THREAD_SAFETY_ANALYSIS {
  char burst[arch::kConsoleBurst];
  while (size_t got = queue.pop(burst, sizeof(burst))) arch::console_write_raw(burst, got);
  arch::console_write_raw(text, n);
}

// Queues a line for the console and, when the caller may wait (interrupts on) or nothing
// else runs yet, writes out the queue. A caller that may wait never loses its line: while
// the queue has no room it writes it out first. One that may not drops it (counted).
void emit(const char* line, size_t n) {
  if (panic_in_progress()) {
    write_stopping(line, n);
    return;
  }
  const bool may_wait = !queueing || arch::irqs_enabled();
  for (;;) {
    {
      SpinlockGuard guard(log_lock);
      if (queue.room() >= n || !may_wait) {
        (void)queue_line(line, n);
        break;
      }
    }
    drain_queue();
  }
  if (may_wait) drain_queue();
}

}  // namespace

void console_output(const char* s, size_t n) {
  char line[kMaxLine * 2];
  while (n > 0) {  // a long text goes as several records
    LineSink sink(line, sizeof(line));
    size_t taken = 0;
    while (taken < n && sink.size() + 2 <= sizeof(line)) sink.write(s + taken++, 1);
    emit(line, sink.size());
    s += taken;
    n -= taken;
  }
}

void console_output_raw(const char* s, size_t n) {
  constexpr size_t kRecord = kMaxLine * 2;
  for (size_t done = 0; done < n; done += kRecord)
    emit(s + done, n - done < kRecord ? n - done : kRecord);
}

void ConsoleSink::write(const char* s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (used_ == kBuffer) flush();
    buffer_[used_++] = s[i];
  }
}

void ConsoleSink::flush() {
  if (used_ == 0) return;
  console_output(buffer_, used_);
  used_ = 0;
}

void log_write(LogLevel level, const char* text, size_t length) {
  const uint64_t now = arch::now_ns();
  char line[kMaxLine];
  LineSink sink(line, sizeof(line));
  lib::format(sink, "[{:>5}.{:06}] {}: {}\n", now / 1'000'000'000, (now / 1000) % 1'000'000,
              lib::log_level_name(level), text);
  if (panic_in_progress()) {  // the stopped code may hold log_lock: print, keep nothing
    write_stopping(line, sink.size());
    return;
  }
  bool echo;
  {
    SpinlockGuard guard(log_lock);
    ring.append(level, now, text, length);
    echo = level >= console_level;
  }
  if (echo) emit(line, sink.size());
}

void log_start_queueing() { queueing = true; }

void log_drain() { drain_queue(); }

void log_flush() {
  SpinlockGuard guard(log_lock);
  while (!queue.empty()) {
    (void)wait_until_tx_idle();
    write_burst();
  }
}

LogStats log_stats() {
  SpinlockGuard guard(log_lock);
  return {queue.dropped(), rate_limited};
}

void log_count_rate_limited() {
  SpinlockGuard guard(log_lock);
  ++rate_limited;
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
