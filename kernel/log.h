#pragma once
// The kernel log: leveled, timestamped records kept in a ring (for components to read later)
// and echoed to the console.
//
// Console output (log records and print) goes through one queue, a record at a time, and is
// written out in bursts of a few bytes by whoever runs with interrupts on: the writer itself
// (after queueing its record), or the idle thread. No writer ever polls the UART with
// interrupts off for more than one burst, records come out whole and in order, and a record
// that finds the queue full (only a writer that cannot wait: interrupts off) is dropped and
// counted ("N records dropped" follows when there is room). Before the scheduler starts, and
// once the kernel is stopping (panic), output is written at once.

#include <lib/format.h>
#include <lib/log_ring.h>

namespace kernel {

using lib::LogLevel;

// The least level a record needs to be printed on the console as it is logged (Debug at boot:
// every one). The log keeps every record whatever the level (`log`, status: log).
void log_set_console_level(LogLevel level);
void log_write(LogLevel level, const char* text, size_t length);
// From the scheduler's start on, console output is queued (see above).
void log_start_queueing();
// Writes out what is queued for the console. Call with interrupts enabled (the idle thread);
// returns when the queue is empty.
void log_drain();
// Writes out what is queued, whatever the interrupt state: before the machine stops or
// exits (power off, reboot, a test kernel's end).
void log_flush();

struct LogStats {
  uint64_t console_dropped;  // records that found the console queue full
  uint64_t rate_limited;     // records of processes over their rate (sys_log_write)
};
LogStats log_stats();
// Counts a record a process wrote over its rate (dropped by sys_log_write).
void log_count_rate_limited();

template <typename... Args>
void log(LogLevel level, const char* fmt, const Args&... args) {
  char buf[lib::LogRecord::kMaxText];
  const size_t n = lib::format_to(buf, sizeof(buf), fmt, args...);
  log_write(level, buf, n);
}
template <typename... Args>
void log_debug(const char* fmt, const Args&... args) {
  log(LogLevel::Debug, fmt, args...);
}
template <typename... Args>
void log_info(const char* fmt, const Args&... args) {
  log(LogLevel::Info, fmt, args...);
}
template <typename... Args>
void log_warn(const char* fmt, const Args&... args) {
  log(LogLevel::Warn, fmt, args...);
}
template <typename... Args>
void log_error(const char* fmt, const Args&... args) {
  log(LogLevel::Error, fmt, args...);
}

// Prints to the console only (no ring, no level): for interactive output.
template <typename... Args>
void print(const char* fmt, const Args&... args);

// Calls f(record) for every record still in the ring with seq >= from.
void log_for_each(uint64_t from, void (*f)(const lib::LogRecord&, void*), void* ctx);

// Copies up to max records into out, oldest first: those with seq >= from, beginning at the
// oldest the ring still holds if from is older. *next gets the sequence number the next
// record will get. Returns how many were copied.
size_t log_read(uint64_t from, lib::LogRecord* out, size_t max, uint64_t* next);

[[noreturn]] void panic_write(const char* text);
// True once the kernel is stopping: logging then bypasses locks the stopped code may hold.
bool panic_in_progress();
template <typename... Args>
[[noreturn]] void panic(const char* fmt, const Args&... args) {
  char buf[lib::LogRecord::kMaxText];
  lib::format_to(buf, sizeof(buf), fmt, args...);
  panic_write(buf);
}

// Queues bytes for the console as one record (each '\n' as CR LF), or, raw, as they are (a
// terminal's output, in its own line discipline).
void console_output(const char* s, size_t n);
void console_output_raw(const char* s, size_t n);

// A sink that writes to the console: what one print formats goes out as one record (up to
// kBuffer bytes at a time).
class ConsoleSink final : public lib::Sink {
 public:
  ConsoleSink() = default;
  ConsoleSink(const ConsoleSink&) = delete;
  ConsoleSink& operator=(const ConsoleSink&) = delete;
  ~ConsoleSink() { flush(); }
  void write(const char* s, size_t n) override;
  void flush();

 private:
  static constexpr size_t kBuffer = 256;
  char buffer_[kBuffer];
  size_t used_ = 0;
};

template <typename... Args>
void print(const char* fmt, const Args&... args) {
  ConsoleSink sink;
  lib::format(sink, fmt, args...);
}

#define KASSERT(cond)                                                                         \
  do {                                                                                        \
    if (!(cond)) ::kernel::panic("assertion failed: {} at {}:{}", #cond, __FILE__, __LINE__); \
  } while (0)

}  // namespace kernel
