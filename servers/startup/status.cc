// The status: scheme (abi/stellina/status.h): live system information, one text command per
// Data message, answered at once from what the startup server holds (its components' table
// and silos) and what the kernel reports (memory_info, log_read).
#include "servers/startup/supervisor.h"

#include <lib/checked_number.h>

namespace startup {

namespace sys = stellina::sys;

namespace {

// State and last exit as one word each, for lines split on spaces.
const char* state_word(State s) { return s == State::NoDevice ? "no-device" : state_name(s); }

size_t last_exit_word(const Component& c, char* out, size_t capacity) {
  if (!c.has_exit) return lib::format_to(out, capacity, "-");
  switch (c.last_exit.reason) {
    case abi::ExitReason::Exited: return lib::format_to(out, capacity, "exit:{}", c.last_exit.code);
    case abi::ExitReason::Fault: return lib::format_to(out, capacity, "fault");
    case abi::ExitReason::Killed: return lib::format_to(out, capacity, "killed");
    case abi::ExitReason::QuotaExceeded: return lib::format_to(out, capacity, "quota");
  }
  return lib::format_to(out, capacity, "unknown");
}

const char* level_name(abi::LogLevel level) {
  switch (level) {
    case abi::LogLevel::Debug: return "debug";
    case abi::LogLevel::Info: return "info";
    case abi::LogLevel::Warn: return "warn";
    case abi::LogLevel::Error: return "error";
  }
  return "?";
}

// Copies a record's text so it stays one line: ANSI escape sequences (ESC '[' ... final
// byte) are dropped, other control bytes become spaces.
void one_line(const char* text, size_t length, char* out, size_t capacity) {
  size_t n = 0;
  for (size_t i = 0; i < length && text[i] && n + 1 < capacity; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b) {
      if (i + 1 < length && text[i + 1] == '[') {
        i += 2;
        while (i < length && text[i] && (text[i] < 0x40 || text[i] > 0x7e)) ++i;
      }
      continue;
    }
    out[n++] = c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c);
  }
  out[n] = '\0';
}

// Parses a decimal number up to 9999; false if s is not one.
bool small_number(const char* s, uint32_t* value) {
  auto n = lib::parse_decimal(lib::StringView(s), 9999);
  *value = n.ok() ? static_cast<uint32_t>(n.value()) : 0;
  return n.ok();
}

}  // namespace

void Supervisor::open_status(size_t client, uint64_t call_id, size_t rest_size) {
  const abi::Handle reply = components_[client].names;
  if (rest_size != 0) {  // "status:" names one resource, the command channel: nothing follows
    abort_call(reply, call_id, abi::kErrNotFound);
    return;
  }
  size_t slot = 0;
  while (slot < kMaxStatus && statuses_[slot] != abi::kInvalidHandle) ++slot;
  abi::Handle ends[2];
  if (slot == kMaxStatus) {
    say(log_, "{} opened 'status:': {} status channels are open already",
        components_[client].spec.name, kMaxStatus);
    abort_call(reply, call_id, abi::kErrNoResources);
    return;
  }
  const int64_t created = sys::channel_create(ends);
  if (created != abi::kOk) {
    abort_call(reply, call_id, created);
    return;
  }
  const int64_t watched = sys::poll_add(
      poll_, ends[0], abi::kSignalReadable | abi::kSignalPeerClosed, kStatusKey + slot);
  if (watched != abi::kOk) {
    sys::handle_close(ends[0]);
    sys::handle_close(ends[1]);
    abort_call(reply, call_id, watched);
    return;
  }
  statuses_[slot] = ends[0];
  if (send(reply, abi::MessageKind::OpenReply, call_id, nullptr, 0, ends[1]) != abi::kOk) {
    sys::poll_remove(poll_, kStatusKey + slot);  // the client is gone: so is the channel
    sys::handle_close(ends[0]);
    statuses_[slot] = abi::kInvalidHandle;
  }
}

void Supervisor::on_status(size_t slot) {
  for (;;) {
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::MessageBuffer m{};
    char command[abi::kMaxStatusCommand + 1];
    m.data = buffer_;
    m.data_capacity = sizeof(buffer_);
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    const int64_t r = sys::channel_recv(statuses_[slot], &m);
    if (r == abi::kErrWouldBlock) return;
    if (r != abi::kOk) {  // the client closed its end (or sent more than a message can hold)
      sys::poll_remove(poll_, kStatusKey + slot);
      sys::handle_close(statuses_[slot]);
      statuses_[slot] = abi::kInvalidHandle;
      return;
    }
    for (uint32_t k = 0; k < m.handle_count; ++k) sys::handle_close(handles[k]);
    char* answer = reinterpret_cast<char*>(buffer_);  // the command is copied out first
    size_t n;
    if (m.kind != abi::MessageKind::Data) {
      if (!m.call_id) continue;
      n = lib::format_to(answer, sizeof(buffer_), "error: only Data messages are commands\n");
    } else if (m.data_size > abi::kMaxStatusCommand) {
      n = lib::format_to(answer, sizeof(buffer_), "error: command too long\n");
    } else {
      __builtin_memcpy(command, buffer_, m.data_size);
      command[m.data_size] = '\0';
      n = status_command(command, answer, sizeof(buffer_));
    }
    send(statuses_[slot], abi::MessageKind::Data, m.call_id, answer, n);
  }
}

size_t Supervisor::status_command(const char* command, char* out, size_t capacity) {
  // A command is a word, and for log a number after one space.
  const lib::StringView name = command;
  if (name == "components") return status_components(out, capacity);
  if (name == "processes") return status_processes(out, capacity);
  if (name == "memory") return status_memory(out, capacity);
  if (name == "silos") return describe_silos(out, capacity);
  if (name == "uptime")
    return lib::format_to(out, capacity, "uptime_ms {}\n", sys::clock_now() / 1'000'000);
  if (name == "boot_id") return lib::format_to(out, capacity, "boot_id {}\n", boot_id_);
  if (name == "log") return lib::format_to(out, capacity, "error: usage: log N\n");
  constexpr lib::StringView kLog = "log ";
  if (name.starts_with(kLog)) return status_log(command + kLog.size(), out, capacity);
  return lib::format_to(out, capacity, "error: unknown command\n");
}

size_t Supervisor::status_components(char* out, size_t capacity) const {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) {
    const Component& c = components_[i];
    abi::SiloStats stats{};
    if (c.silo != abi::kInvalidHandle) sys::silo_stats(c.silo, &stats);
    char exit[32];
    last_exit_word(c, exit, sizeof(exit));
    char line[160];
    const size_t size = lib::format_to(
        line, sizeof(line), "{} {} {} {} {} {} {} {}\n", c.spec.name, state_word(c.state),
        lib::Manifest::isolation_name(c.spec.isolation), c.restarts, stats.memory_bytes,
        stats.limits.memory_pages * 4096, stats.threads, exit);
    if (n + size >= capacity) break;  // whole lines only (16 components fit in a message)
    __builtin_memcpy(out + n, line, size);
    n += size;
  }
  return n;
}

size_t Supervisor::status_processes(char* out, size_t capacity) const {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) {
    const Component& c = components_[i];
    abi::SiloStats stats{};
    if (c.silo != abi::kInvalidHandle) sys::silo_stats(c.silo, &stats);
    char exit[32];
    last_exit_word(c, exit, sizeof(exit));
    const char* silo =
        c.spec.silo >= 0 ? manifest_.silo(static_cast<size_t>(c.spec.silo)).name : "-";
    char line[224];
    const size_t size =
        lib::format_to(line, sizeof(line), "{} {} {} {} {} {} {} {} {} {} {} {} {}\n", c.spec.name,
                       state_word(c.state), lib::Manifest::isolation_name(c.spec.isolation),
                       c.state == State::Running ? c.process_id : 0, silo, c.restarts,
                       stats.memory_bytes, stats.limits.memory_pages * 4096, stats.threads,
                       stats.limits.threads, stats.processes, stats.cpu_ns, exit);
    if (size >= sizeof(line) || n + size >= capacity) break;  // whole lines only
    __builtin_memcpy(out + n, line, size);
    n += size;
  }
  return n;
}

size_t Supervisor::status_memory(char* out, size_t capacity) const {
  abi::MemoryInfo info{};
  const int64_t r = sys::memory_info(root_silo_, &info);
  if (r != abi::kOk) return lib::format_to(out, capacity, "error: memory_info: status {}\n", r);
  return lib::format_to(out, capacity,
                        "total_bytes {}\nfree_bytes {}\nkernel_heap_bytes {}\n"
                        "kernel_heap_allocations {}\nkernel_heap_pages_bytes {}\n",
                        info.total_bytes, info.free_bytes, info.kernel_heap_bytes,
                        info.kernel_heap_allocations, info.kernel_heap_pages_bytes);
}

size_t Supervisor::status_log(const char* count, char* out, size_t capacity) {
  uint32_t wanted = 0;
  if (!small_number(count, &wanted) || wanted == 0 || wanted > abi::kMaxStatusLogLines) {
    return lib::format_to(out, capacity, "error: log N: N from 1 to {}\n", abi::kMaxStatusLogLines);
  }
  uint64_t next = 0;
  int64_t got = sys::log_read(log_, 0, nullptr, 0, &next);
  if (got >= 0) {
    const uint64_t from = next > wanted ? next - wanted : 0;
    got = sys::log_read(log_, from, log_entries_, wanted, &next);
  }
  if (got < 0) return lib::format_to(out, capacity, "error: log_read: status {}\n", got);
  // The newest that fit: walk back from the last record adding up line lengths.
  constexpr size_t kLine = 48 + abi::kLogTextSize;  // "[SSSSS.UUUUUU] error: ", text, "\n"
  auto format_line = [&](const abi::LogEntry& e, char* line) {
    char text[abi::kLogTextSize];
    one_line(e.text, e.length, text, sizeof(text));
    return lib::format_to(line, kLine, "[{:>5}.{:06}] {}: {}\n", e.time_ns / 1'000'000'000,
                          (e.time_ns / 1000) % 1'000'000, level_name(e.level),
                          static_cast<const char*>(text));
  };
  auto first = static_cast<size_t>(got);
  size_t total = 0;
  while (first > 0) {
    char line[kLine];
    const size_t size = format_line(log_entries_[first - 1], line);
    if (total + size >= capacity) break;
    total += size;
    --first;
  }
  size_t n = 0;
  for (size_t i = first; i < static_cast<size_t>(got); ++i)
    n += format_line(log_entries_[i], out + n);
  return n;
}

}  // namespace startup
