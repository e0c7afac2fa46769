#pragma once
// The kernel log: leveled, timestamped records kept in a ring (for components to read later)
// and echoed to the console.

#include <lib/format.h>
#include <lib/log_ring.h>

namespace kernel {

using lib::LogLevel;

// The least level a record needs to be printed on the console as it is logged (Debug at boot:
// every one). The log keeps every record whatever the level (`log`, status: log).
void log_set_console_level(LogLevel level);
void log_write(LogLevel level, const char* text, size_t length);

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

// A sink that writes to the console.
class ConsoleSink final : public lib::Sink {
 public:
  void write(const char* s, size_t n) override;
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
