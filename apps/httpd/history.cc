#include "apps/httpd/history.h"

namespace httpd {

namespace {

constexpr uint32_t kSectionShift = 24;
constexpr uint32_t kItemMask = (uint32_t{1} << kSectionShift) - 1;
constexpr uint32_t kSections = 5;  // see History::render

uint32_t clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v); }

// What a counter grew by since last: all of it if it went back (its source restarted and
// counts from 0 again).
uint64_t growth(uint64_t now, uint64_t last) { return now >= last ? now - last : now; }

// At most max bytes of s, not splitting a UTF-8 sequence.
size_t clipped(Span s, size_t max) {
  if (s.size <= max) return s.size;
  size_t n = max;
  while (n > 0 && (static_cast<uint8_t>(s.data[n]) & 0xc0) == 0x80) --n;
  return n;
}

}  // namespace

size_t History::series_of(Span name) {
  const size_t size = clipped(name, kHistoryNameSize - 1);
  for (size_t i = 0; i < series_; ++i) {
    if (__builtin_strlen(names_[i]) == size && __builtin_memcmp(names_[i], name.data, size) == 0)
      return i;
  }
  if (series_ == kHistorySeries || size == 0) return kHistorySeries;
  __builtin_memcpy(names_[series_], name.data, size);
  names_[series_][size] = '\0';
  return series_++;
}

bool History::record(const Readings& r, const char* processes, size_t size) {
  if (started_ && r.t_ms < last_t_ms_ + kHistoryMinIntervalMs) return false;
  Sample* s = started_ ? &ring_[next_ % kHistoryCapacity] : nullptr;
  if (s) {
    s->t_ms = r.t_ms;
    s->dt_ms = clamp32(r.t_ms - last_t_ms_);
    const bool net = r.has_network && had_network_;
    s->bytes_in = net ? clamp32(growth(r.bytes_in, last_bytes_in_)) : 0;
    s->bytes_out = net ? clamp32(growth(r.bytes_out, last_bytes_out_)) : 0;
    s->packets_in = net ? clamp32(growth(r.packets_in, last_packets_in_)) : 0;
    s->packets_out = net ? clamp32(growth(r.packets_out, last_packets_out_)) : 0;
    s->requests = clamp32(growth(r.requests, last_requests_));
    s->memory_used_bytes = r.has_memory && r.memory_total_bytes >= r.memory_free_bytes
                               ? r.memory_total_bytes - r.memory_free_bytes
                               : 0;
    for (size_t i = 0; i < kHistorySeries; ++i) s->cpu_us[i] = s->memory_kib[i] = 0;
  }
  // Per component: CPU time since the last sample (nothing for one first seen now), memory
  // in use now.
  Span line;
  ProcessLine p;
  for (size_t index = 0; nth_line(processes, size, index, &line); ++index) {
    if (!parse_process(line, &p)) continue;
    const size_t i = series_of(p.name);
    if (i == kHistorySeries) continue;
    if (s) {
      s->cpu_us[i] = seen_[i] ? clamp32(growth(p.cpu_ns, last_cpu_ns_[i]) / 1000) : 0;
      s->memory_kib[i] = clamp32(p.memory_bytes >> 10);
    }
    seen_[i] = true;
    last_cpu_ns_[i] = p.cpu_ns;
  }
  started_ = true;
  last_t_ms_ = r.t_ms;
  if (r.has_network) {
    had_network_ = true;
    last_bytes_in_ = r.bytes_in;
    last_bytes_out_ = r.bytes_out;
    last_packets_in_ = r.packets_in;
    last_packets_out_ = r.packets_out;
  }
  last_requests_ = r.requests;
  if (r.has_memory) {
    has_memory_total_ = true;
    memory_total_bytes_ = r.memory_total_bytes;
  }
  if (!s) return false;
  ++next_;
  return true;
}

uint32_t History::first_after(uint64_t t_ms) const {
  // Times grow with the sequence: the first sample after t_ms by bisection.
  uint32_t lo = window_begin(), hi = next_;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (sample(mid).t_ms > t_ms) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

size_t History::generate(uint32_t begin, uint32_t end, uint32_t* cursor, char* out, size_t capacity,
                         bool* done) const {
  size_t n = 0;
  *done = false;
  for (;;) {
    const uint32_t section = *cursor >> kSectionShift;
    const uint32_t item = *cursor & kItemMask;
    if (section >= kSections) {
      *done = true;
      return n;
    }
    Writer w(out + n, capacity - n);
    if (!render(begin, end, section, item, w)) {
      *cursor = (section + 1) << kSectionShift;
      continue;
    }
    if (w.overflowed()) return n;  // the next message takes it
    n += w.size();
    *cursor += 1;
  }
}

// {"interval_ms":…,"window_ms":…,"capacity":…,"memory_total_bytes":…,"components":[…],
//  "fields":[…],"samples":[[…],…]}
bool History::render(uint32_t begin, uint32_t end, uint32_t section, uint32_t item,
                     Writer& w) const {
  switch (section) {
    case 0:
      if (item > 0) return false;
      w.text("{\"interval_ms\":");
      w.number(kHistoryIntervalMs);
      w.text(",\"window_ms\":");
      w.number(kHistoryIntervalMs * kHistoryWindow);
      w.text(",\"capacity\":");
      w.number(kHistoryWindow);
      w.text(",\"memory_total_bytes\":");
      if (has_memory_total_) {
        w.number(memory_total_bytes_);
      } else {
        w.text("null");
      }
      w.text(",\"components\":[");
      return true;
    case 1:
      if (item >= series_) return false;
      if (item > 0) w.character(',');
      w.json_string(names_[item], __builtin_strlen(names_[item]));
      return true;
    case 2:
      if (item > 0) return false;
      w.text(
          "],\"fields\":[\"t_ms\",\"dt_ms\",\"bytes_in\",\"bytes_out\",\"packets_in\","
          "\"packets_out\",\"requests\",\"memory_used_bytes\",\"cpu_us\",\"memory_bytes\"],"
          "\"samples\":[");
      return true;
    case 3: {
      if (item >= end - begin) return false;
      if (item > 0) w.character(',');
      const uint32_t seq = begin + item;
      if (!kept(seq)) {
        w.text("null");
        return true;
      }
      const Sample& s = sample(seq);
      w.character('[');
      const uint64_t values[] = {s.t_ms,       s.dt_ms,       s.bytes_in, s.bytes_out,
                                 s.packets_in, s.packets_out, s.requests, s.memory_used_bytes};
      for (uint64_t v : values) {
        w.number(v);
        w.character(',');
      }
      w.character('[');
      for (size_t i = 0; i < series_; ++i) {
        if (i > 0) w.character(',');
        w.number(s.cpu_us[i]);
      }
      w.text("],[");
      for (size_t i = 0; i < series_; ++i) {
        if (i > 0) w.character(',');
        w.number(uint64_t{s.memory_kib[i]} << 10);
      }
      w.text("]]");
      return true;
    }
    case 4:
      if (item > 0) return false;
      w.text("]}\n");
      return true;
    default: return false;
  }
}

}  // namespace httpd
