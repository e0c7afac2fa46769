#pragma once
// The live data the site shows, as the system reports it: four texts, each the last answer
// of its source (the startup server's `components`, `memory` and `log N`, and the network
// stack's `netstat`), checked line by line when it arrives and kept as it came. A fifth
// source, the startup server's `processes`, is checked the same way but not kept: each of
// its answers becomes a sample of the history (history.h).
//
// Responses render from a Snapshot of those texts, which they hold (pin) until they are
// sent: a generated body is produced piece by piece as the connection drains, and every
// piece must come from the same data. A new answer goes into the current snapshot if no
// response holds it, else into a copy (copy on write); when every snapshot is held, the
// answer waits for the next refresh.

#include <stddef.h>
#include <stdint.h>

namespace httpd {

enum class Source : uint8_t { Components, Memory, Log, Network, Processes, kCount };
constexpr size_t kSources = static_cast<size_t>(Source::kCount);
// The sources kept as text in snapshots: those before Processes.
constexpr size_t kTextSources = static_cast<size_t>(Source::Processes);
constexpr size_t kSourceCapacity = 4096;  // one message's data

const char* source_name(Source s);

struct Span {
  const char* data = nullptr;
  size_t size = 0;
  bool equals(const char* word) const;
};

// One line of a `components` answer:
// NAME STATE ISOLATION RESTARTS MEMORY_BYTES MEMORY_LIMIT_BYTES THREADS LAST_EXIT
// where LAST_EXIT is the rest of the line (it may hold spaces).
struct ComponentLine {
  Span name, state, isolation, last_exit;
  uint64_t restarts = 0, memory_bytes = 0, memory_limit_bytes = 0, threads = 0;
};

// One line of a `processes` answer, the fields the history takes:
// NAME STATE ISOLATION PID SILO RESTARTS MEMORY_BYTES MEMORY_LIMIT_BYTES THREADS THREAD_LIMIT
// PROCESSES CPU_NS LAST_EXIT
struct ProcessLine {
  Span name, state;
  uint64_t memory_bytes = 0, cpu_ns = 0;
};

// A `NAME VALUE` line (memory, netstat).
struct CounterLine {
  Span name;
  uint64_t value = 0;
};

// Whether text is a well-formed answer of the source: every non-empty line parses (log
// lines are any text). On false, *bad_line is the 1-based line that does not.
bool check_answer(Source source, const char* text, size_t size, size_t* bad_line);

// The index-th non-empty line of text (0-based); false past the last.
bool nth_line(const char* text, size_t size, size_t index, Span* line);
bool parse_component(Span line, ComponentLine* out);
bool parse_process(Span line, ProcessLine* out);
bool parse_counter(Span line, CounterLine* out);

struct Snapshot {
  char text[kTextSources][kSourceCapacity];
  uint16_t size[kTextSources];
  bool present[kTextSources];  // an answer has come
  uint32_t refs;

  // A source that is not kept (Processes) is empty and never present.
  Span get(Source s) const {
    const auto i = static_cast<size_t>(s);
    return i < kTextSources ? Span{text[i], size[i]} : Span{};
  }
  bool has(Source s) const {
    const auto i = static_cast<size_t>(s);
    return i < kTextSources && present[i];
  }
  // The index-th component, counter (memory or network) or log line.
  bool component(size_t index, ComponentLine* out) const;
  bool counter(Source s, size_t index, CounterLine* out) const;
  bool log_line(size_t index, Span* out) const;
  // The value of a NAME VALUE line of source s; false if it has none.
  bool value(Source s, const char* name, uint64_t* out) const;
};

class SnapshotPool {
 public:
  static constexpr uint32_t kSnapshots = 8;

  SnapshotPool();
  // Replaces one source's text (already checked; a source below kTextSources) in the current
  // snapshot. Returns false if every snapshot is held, and the text is dropped.
  bool update(Source s, const char* text, size_t size);
  // The current snapshot, held until unpin().
  uint32_t pin();
  void unpin(uint32_t index);
  const Snapshot& get(uint32_t index) const { return snapshots_[index]; }
  const Snapshot& current() const { return snapshots_[current_]; }
  // Snapshots some response holds.
  uint32_t held() const;

 private:
  Snapshot snapshots_[kSnapshots];
  uint32_t current_ = 0;
};

}  // namespace httpd
