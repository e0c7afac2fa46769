#pragma once
// The last minutes of the system, sampled about every second, for the site's graphs
// (/graphs.html, from /api/history): per component its CPU time and memory (the startup
// server's `processes` answer), the network stack's bytes and frames in and out (`netstat`),
// the memory in use, and this server's requests.
//
// A sample holds what happened since the one before it (deltas of the counters, which the
// page divides by dt_ms) and what is in use at its moment (memory). Samples go into a ring
// of kHistoryCapacity: the newest kHistoryWindow of them are served, the rest is a margin
// that keeps a response's samples in place while it goes out (a response pins a range of
// sequence numbers, not copies). Fixed size, nothing allocated: about 150 KB, all charged
// when the History is made.
//
// JSON (one document, generated piece by piece; see render()):
//   {"interval_ms":1000,"window_ms":600000,"capacity":600,"memory_total_bytes":N|null,
//    "components":["devmgr","tcpip",...],
//    "fields":["t_ms","dt_ms","bytes_in","bytes_out","packets_in","packets_out","requests",
//              "memory_used_bytes","cpu_us","memory_bytes"],
//    "samples":[[t_ms,dt_ms,bytes_in,...,memory_used_bytes,[cpu_us...],[memory_bytes...]],...]}
// t_ms is the monotonic clock (ms since boot) when the sample was taken, dt_ms the time since
// the sample before; the counters are what they grew by in those dt_ms; cpu_us and
// memory_bytes list one value per name of "components", in its order (a sample taken before
// a name was first seen has 0 there). A sample overwritten while its response went out (a
// response that lasted longer than the margin) is null.

#include <stddef.h>
#include <stdint.h>

#include "apps/httpd/status_data.h"
#include "apps/httpd/writer.h"

namespace httpd {

constexpr size_t kHistoryWindow = 600;         // samples served: 10 minutes at 1 s
constexpr size_t kHistoryCapacity = 640;       // samples kept: the window and a 40 s margin
constexpr size_t kHistorySeries = 24;          // components followed
constexpr size_t kHistoryNameSize = 32;        // of a component's name, clipped
constexpr uint64_t kHistoryIntervalMs = 1000;  // the sampling period the owner keeps
// Answers closer than this to the last sample are not taken: the owner may ask more often
// than once a period (a page that found its data old asks again).
constexpr uint64_t kHistoryMinIntervalMs = 900;

// What the owner knows besides the `processes` answer when a sample is taken. A counter
// that is not known (no answer from its source yet) has its `has_` false.
struct Readings {
  uint64_t t_ms = 0;
  bool has_network = false;
  uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;
  uint64_t requests = 0;
  bool has_memory = false;
  uint64_t memory_total_bytes = 0, memory_free_bytes = 0;
};

class History {
 public:
  // User-provided and leaving the ring alone: httpd lives in zeroed memory (its bss, or
  // zeroed pages inside the kernel), and a sample is read only once it was written, so the
  // ring's 145 KiB are touched, and charged, one page at a time as samples come (all of it
  // after about ten minutes) instead of at start, where a fresh VM serving one request would
  // pay for all of it.
  History() {}  // NOLINT(modernize-use-equals-default)

  // Takes a sample from a `processes` answer (already checked by check_answer) and the
  // readings. The first call only sets the baseline; a call within kHistoryMinIntervalMs of
  // the last sample is ignored. Returns true if a sample was recorded.
  bool record(const Readings& r, const char* processes, size_t size);

  // Sequence numbers: the first sample is 0. end() is one past the newest.
  uint32_t end() const { return next_; }
  // The oldest sample the window serves.
  uint32_t window_begin() const { return next_ > kHistoryWindow ? next_ - kHistoryWindow : 0; }
  // The first sample of the window taken after t_ms (end() if none).
  uint32_t first_after(uint64_t t_ms) const;
  // Whether sample seq is still in the ring.
  bool kept(uint32_t seq) const { return seq < next_ && next_ - seq <= kHistoryCapacity; }

  struct Sample {
    uint64_t t_ms;
    uint32_t dt_ms;
    uint32_t bytes_in, bytes_out, packets_in, packets_out, requests;
    uint64_t memory_used_bytes;
    uint32_t cpu_us[kHistorySeries];
    uint32_t memory_kib[kHistorySeries];
  };
  // Sample seq (kept(seq) must hold).
  const Sample& sample(uint32_t seq) const { return ring_[seq % kHistoryCapacity]; }
  size_t series() const { return series_; }
  const char* series_name(size_t i) const { return names_[i]; }

  // Writes the JSON document of samples [begin, end) from piece *cursor on into
  // out[0..capacity) while whole pieces fit (each is below kMinGenerateRoom); sets *done
  // at the end. Returns the bytes written.
  size_t generate(uint32_t begin, uint32_t end, uint32_t* cursor, char* out, size_t capacity,
                  bool* done) const;

 private:
  // A piece of the document: false once the section has no more.
  bool render(uint32_t begin, uint32_t end, uint32_t section, uint32_t item, Writer& w) const;
  // The series of a component's name, made if it is new; kHistorySeries if the table is full.
  size_t series_of(Span name);

  Sample ring_[kHistoryCapacity];
  uint32_t next_ = 0;
  char names_[kHistorySeries][kHistoryNameSize] = {};
  size_t series_ = 0;
  // The counters at the last sample (or the baseline).
  bool started_ = false;
  uint64_t last_t_ms_ = 0;
  bool had_network_ = false;
  uint64_t last_bytes_in_ = 0, last_bytes_out_ = 0, last_packets_in_ = 0, last_packets_out_ = 0;
  uint64_t last_requests_ = 0;
  bool seen_[kHistorySeries] = {};
  uint64_t last_cpu_ns_[kHistorySeries] = {};
  bool has_memory_total_ = false;
  uint64_t memory_total_bytes_ = 0;
};

}  // namespace httpd
