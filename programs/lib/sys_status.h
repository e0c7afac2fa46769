#pragma once
// The system's text views as the system commands (ps, top, free, uptime, dmesg, svc) read
// them: the startup server's status: answers (abi/stellina/status.h) parsed into plain
// structs, and the numbers those commands print (sizes, durations, CPU shares), all without
// the SDK so that tests/unit/cmd checks them on the host. A parser takes one line (or one
// answer) and says false on anything that is not what the view prints: the answers come
// from another process and are read as untrusted text.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace cmd::sys {

using lib::StringView;

// The lines of a text, '\n' between them (a last line without one counts; "" has none).
class Lines {
 public:
  explicit Lines(StringView text) : text_(text) {}
  bool next(StringView* line);

 private:
  StringView text_;
  size_t at_ = 0;
};

// Splits line at runs of spaces into at most max words; returns how many words the line
// has (more than max: the rest are not stored).
size_t split_words(StringView line, StringView* words, size_t max);

// One line of `status: processes`: a component, how it runs and what its silo uses.
//   NAME STATE ISOLATION PID SILO RESTARTS MEMORY_BYTES MEMORY_LIMIT_BYTES THREADS
//   THREAD_LIMIT PROCESSES CPU_NS LAST_EXIT
struct ComponentRow {
  StringView name, state, isolation;
  uint64_t pid = 0;  // 0: not running
  StringView silo;   // the declared silo it belongs to; "-": none
  uint64_t restarts = 0;
  uint64_t memory_bytes = 0, memory_limit_bytes = 0;  // limit 0: none
  uint64_t threads = 0, thread_limit = 0;
  uint64_t processes = 0;  // live processes in its silo: itself and the programs it started
  uint64_t cpu_ns = 0;
  StringView last_exit;  // -, exit:CODE, fault, killed, quota
};
constexpr size_t kComponentFields = 13;
bool parse_component(StringView line, ComponentRow* out);

// `status: memory`: NAME VALUE lines; total and free must be there.
struct MemoryView {
  uint64_t total_bytes = 0, free_bytes = 0;
  uint64_t kernel_heap_bytes = 0, kernel_heap_allocations = 0, kernel_heap_pages_bytes = 0;
};
bool parse_memory(StringView text, MemoryView* out);

// `status: uptime`: "uptime_ms N".
bool parse_uptime(StringView text, uint64_t* ms);

// A row of `status: silos` (the control command's table; its header line is refused):
//   NAME USED_KiB/LIMIT_KiB PEAK_KiB THREADS/LIMIT CPU_PERCENT CPU_MS REFUSALS THROTTLED
struct SiloRow {
  StringView name;
  uint64_t memory_kib = 0, memory_limit_kib = 0, peak_kib = 0;
  uint64_t threads = 0, thread_limit = 0;
  uint64_t cpu_percent = 0, cpu_ms = 0, refusals = 0, throttled = 0;
};
bool parse_silo(StringView line, SiloRow* out);

// A kernel log line as status: log N prints it: "[SECONDS.MICROS] LEVEL: TEXT" (SECONDS
// padded with spaces on the left). source is what a record written by a process begins
// with, "[NAME] " (empty for the kernel's own records); text follows it.
struct LogLine {
  uint64_t seconds = 0;
  uint32_t micros = 0;
  StringView level, source, text;
};
bool parse_log_line(StringView line, LogLine* out);

// An answer of the control channel or status: that reports a failure ("error: ...").
bool is_error(StringView answer);

// Sizes as free prints them. unit_shift: 10 for KiB (the default), 20 for MiB, 0 bytes.
// human: three significant figures at most with a suffix (B, Ki, Mi, Gi, Ti), as free -h.
size_t format_size(uint64_t bytes, unsigned unit_shift, char* out, size_t capacity);
size_t format_human(uint64_t bytes, char* out, size_t capacity);

// A CPU time as ps shows it: [DD-]HH:MM:SS, or MM:SS.hh under an hour when short is set.
size_t format_cpu_time(uint64_t ns, bool short_form, char* out, size_t capacity);
// Uptime as uptime prints it after "up ": "5 min", "3:07", "2 days,  3:07".
size_t format_up(uint64_t ms, char* out, size_t capacity);
// Uptime as uptime -p: "up 2 hours, 3 minutes" ("up 0 minutes" at first).
size_t format_up_pretty(uint64_t ms, char* out, size_t capacity);

// seconds since 1970-01-01 UTC as "YYYY-MM-DD HH:MM:SS" (years stop at 9999).
size_t format_date_time(uint64_t seconds, char* out, size_t capacity);

// The share of one CPU a process used, in tenths of a percent: used_ns of interval_ns,
// rounded to nearest (0 for an empty interval; no overflow for any inputs).
uint64_t cpu_tenths(uint64_t used_ns, uint64_t interval_ns);

// A size with an optional binary suffix: N (bytes), NK, NM, NG (also lowercase, and KiB,
// MiB, GiB). false on anything else, 0, or overflow.
bool parse_size(StringView text, uint64_t* bytes);

// Signals as kill names them, Linux's numbers: the name without "SIG" of number n (empty
// if it has none), and the number of a name ("KILL", "SIGKILL", "kill" or "9"); 0: unknown.
StringView signal_name(uint64_t n);
uint64_t signal_number(StringView name);
constexpr uint64_t kMaxSignal = 31;

}  // namespace cmd::sys
