#include "apps/httpd/status_data.h"

#include <lib/checked_number.h>

namespace httpd {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Splits off the next whitespace-separated field of *rest.
bool next_field(Span* rest, Span* field) {
  size_t i = 0;
  while (i < rest->size && is_space(rest->data[i])) ++i;
  if (i == rest->size) return false;
  const size_t start = i;
  while (i < rest->size && !is_space(rest->data[i])) ++i;
  *field = {rest->data + start, i - start};
  *rest = {rest->data + i, rest->size - i};
  return true;
}

bool parse_number(Span s, uint64_t* out) {
  auto v = lib::parse_decimal(lib::StringView(s.data, s.size));
  if (!v.ok()) return false;
  *out = v.value();
  return true;
}

Span trim(Span s) {
  while (s.size > 0 && is_space(s.data[0])) s = {s.data + 1, s.size - 1};
  while (s.size > 0 && (is_space(s.data[s.size - 1]) || s.data[s.size - 1] == '\r')) --s.size;
  return s;
}

}  // namespace

const char* source_name(Source s) {
  switch (s) {
    case Source::Components: return "components";
    case Source::Memory: return "memory";
    case Source::Log: return "log";
    case Source::Network: return "netstat";
    case Source::Processes: return "processes";
    case Source::kCount: break;
  }
  return "?";
}

bool Span::equals(const char* word) const {
  size_t i = 0;
  for (; i < size; ++i) {
    if (word[i] != data[i]) return false;  // also stops at the word's NUL
  }
  return word[i] == '\0';
}

bool nth_line(const char* text, size_t size, size_t index, Span* line) {
  size_t start = 0;
  while (start < size) {
    size_t end = start;
    while (end < size && text[end] != '\n') ++end;
    const Span l = trim({text + start, end - start});
    if (l.size > 0) {
      if (index == 0) {
        *line = l;
        return true;
      }
      --index;
    }
    start = end + 1;
  }
  return false;
}

bool parse_component(Span line, ComponentLine* out) {
  Span rest = line, restarts, memory, limit, threads;
  if (!next_field(&rest, &out->name) || !next_field(&rest, &out->state) ||
      !next_field(&rest, &out->isolation) || !next_field(&rest, &restarts) ||
      !next_field(&rest, &memory) || !next_field(&rest, &limit) || !next_field(&rest, &threads)) {
    return false;
  }
  out->last_exit = trim(rest);
  return parse_number(restarts, &out->restarts) && parse_number(memory, &out->memory_bytes) &&
         parse_number(limit, &out->memory_limit_bytes) && parse_number(threads, &out->threads) &&
         out->last_exit.size > 0;
}

bool parse_process(Span line, ProcessLine* out) {
  Span rest = line, isolation, pid, silo, restarts, memory, limit, threads, thread_limit, processes,
       cpu;
  uint64_t number = 0;
  if (!next_field(&rest, &out->name) || !next_field(&rest, &out->state) ||
      !next_field(&rest, &isolation) || !next_field(&rest, &pid) || !next_field(&rest, &silo) ||
      !next_field(&rest, &restarts) || !next_field(&rest, &memory) || !next_field(&rest, &limit) ||
      !next_field(&rest, &threads) || !next_field(&rest, &thread_limit) ||
      !next_field(&rest, &processes) || !next_field(&rest, &cpu) || trim(rest).size == 0) {
    return false;
  }
  return parse_number(pid, &number) && parse_number(restarts, &number) &&
         parse_number(memory, &out->memory_bytes) && parse_number(limit, &number) &&
         parse_number(threads, &number) && parse_number(thread_limit, &number) &&
         parse_number(processes, &number) && parse_number(cpu, &out->cpu_ns);
}

bool parse_counter(Span line, CounterLine* out) {
  Span rest = line, value, extra;
  return next_field(&rest, &out->name) && next_field(&rest, &value) && !next_field(&rest, &extra) &&
         parse_number(value, &out->value);
}

bool check_answer(Source source, const char* text, size_t size, size_t* bad_line) {
  // Line by line, counting empty ones too, so the number points at the right place.
  size_t start = 0, number = 0;
  while (start < size) {
    size_t end = start;
    while (end < size && text[end] != '\n') ++end;
    ++number;
    const Span line = trim({text + start, end - start});
    bool ok = true;
    for (size_t i = 0; i < line.size; ++i) {
      if (line.data[i] == '\0') ok = false;
    }
    if (ok && line.size > 0) {
      ComponentLine c;
      CounterLine v;
      ProcessLine p;
      if (source == Source::Components) ok = parse_component(line, &c);
      if (source == Source::Processes) ok = parse_process(line, &p);
      if (source == Source::Memory || source == Source::Network) ok = parse_counter(line, &v);
    }
    if (!ok) {
      *bad_line = number;
      return false;
    }
    start = end + 1;
  }
  return true;
}

bool Snapshot::component(size_t index, ComponentLine* out) const {
  Span line;
  const Span t = get(Source::Components);
  return nth_line(t.data, t.size, index, &line) && parse_component(line, out);
}

bool Snapshot::counter(Source s, size_t index, CounterLine* out) const {
  Span line;
  const Span t = get(s);
  return nth_line(t.data, t.size, index, &line) && parse_counter(line, out);
}

bool Snapshot::log_line(size_t index, Span* out) const {
  const Span t = get(Source::Log);
  return nth_line(t.data, t.size, index, out);
}

bool Snapshot::value(Source s, const char* name, uint64_t* out) const {
  CounterLine c;
  for (size_t i = 0; counter(s, i, &c); ++i) {
    if (c.name.equals(name)) {
      *out = c.value;
      return true;
    }
  }
  return false;
}

SnapshotPool::SnapshotPool() {
  for (Snapshot& s : snapshots_) {
    for (size_t i = 0; i < kTextSources; ++i) {
      s.size[i] = 0;
      s.present[i] = false;
    }
    s.refs = 0;
  }
}

bool SnapshotPool::update(Source s, const char* text, size_t size) {
  if (size > kSourceCapacity || static_cast<size_t>(s) >= kTextSources) return false;
  if (snapshots_[current_].refs > 0) {
    uint32_t free = kSnapshots;
    for (uint32_t i = 0; i < kSnapshots && free == kSnapshots; ++i) {
      if (snapshots_[i].refs == 0) free = i;
    }
    if (free == kSnapshots) return false;
    Snapshot& from = snapshots_[current_];
    Snapshot& to = snapshots_[free];
    for (size_t i = 0; i < kTextSources; ++i) {
      __builtin_memcpy(to.text[i], from.text[i], from.size[i]);
      to.size[i] = from.size[i];
      to.present[i] = from.present[i];
    }
    current_ = free;
  }
  Snapshot& snapshot = snapshots_[current_];
  const auto i = static_cast<size_t>(s);
  __builtin_memcpy(snapshot.text[i], text, size);
  snapshot.size[i] = static_cast<uint16_t>(size);
  snapshot.present[i] = true;
  return true;
}

uint32_t SnapshotPool::pin() {
  ++snapshots_[current_].refs;
  return current_;
}

void SnapshotPool::unpin(uint32_t index) {
  if (index < kSnapshots && snapshots_[index].refs > 0) --snapshots_[index].refs;
}

uint32_t SnapshotPool::held() const {
  uint32_t n = 0;
  for (const Snapshot& s : snapshots_) n += s.refs > 0 ? 1 : 0;
  return n;
}

}  // namespace httpd
