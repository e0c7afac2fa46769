// Control commands: text in a Data message, the answer in a Data message with the same
// call id. The commands and their answers are listed in README.md.
#include "servers/startup/supervisor.h"

#include <lib/checked_number.h>

namespace startup {

namespace sys = stellina::sys;

namespace {

// Splits off the next space-separated word of *s (NUL-terminating it in place).
char* next_word(char** s) {
  char* p = *s;
  while (*p == ' ') ++p;
  char* word = p;
  while (*p && *p != ' ') ++p;
  if (*p) *p++ = '\0';
  *s = p;
  return word;
}

}  // namespace

int64_t Supervisor::find(const char* name) const {
  for (size_t i = 0; i < count_; ++i)
    if (lib::StringView(components_[i].spec.name) == name) return static_cast<int64_t>(i);
  return -1;
}

size_t Supervisor::describe(char* out, size_t capacity) const {
  size_t n = lib::format_to(out, capacity, "{:<12} {:<11} {:<9} {:>7} {:>8} {:>15} {:>7}  {}\n",
                            "NAME", "STATE", "ISOLATION", "PROCESS", "RESTARTS", "MEMORY KiB",
                            "THREADS", "LAST EXIT");
  for (size_t i = 0; i < count_ && n < capacity; ++i) {
    const Component& c = components_[i];
    char exit[80] = "-";
    if (c.has_exit) {
      lib::format_to(exit, sizeof(exit), "{} ({}, code {})", reason_name(c.last_exit.reason),
                     c.last_exit.detail, c.last_exit.code);
    }
    abi::SiloStats stats{};
    sys::silo_stats(c.silo, &stats);
    char memory[24], threads[16];
    lib::format_to(memory, sizeof(memory), "{}/{}", stats.memory_bytes / 1024,
                   stats.limits.memory_pages * 4);
    lib::format_to(threads, sizeof(threads), "{}/{}", stats.threads, stats.limits.threads);
    n += lib::format_to(
        out + n, capacity - n, "{:<12} {:<11} {:<9} {:>7} {:>8} {:>15} {:>7}  {}\n", c.spec.name,
        state_name(c.state), lib::Manifest::isolation_name(c.spec.isolation),
        c.state == State::Running ? c.process_id : 0, c.restarts, memory, threads, exit);
  }
  return n < capacity ? n : capacity - 1;
}

size_t Supervisor::describe_silos(char* out, size_t capacity) const {
  constexpr const char* kRow = "{:<12} {:>15} {:>9} {:>8} {:>6} {:>8} {:>9} {:>9}\n";
  size_t n = lib::format_to(out, capacity, kRow, "SILO", "MEMORY KiB", "PEAK KiB", "THREADS",
                            "CPU %", "CPU ms", "REFUSALS", "THROTTLED");
  for (size_t s = 0; s < manifest_.silo_count() && n < capacity; ++s) {
    abi::SiloStats stats{};
    sys::silo_stats(silos_[s], &stats);
    char memory[24], threads[16];
    lib::format_to(memory, sizeof(memory), "{}/{}", stats.memory_bytes / 1024,
                   stats.limits.memory_pages * 4);
    lib::format_to(threads, sizeof(threads), "{}/{}", stats.threads, stats.limits.threads);
    n +=
        lib::format_to(out + n, capacity - n, kRow, manifest_.silo(s).name, memory,
                       stats.memory_peak_bytes / 1024, threads, stats.limits.cpu_percent,
                       stats.cpu_ns / 1'000'000, stats.quota_failures, stats.cpu_throttled_periods);
  }
  return n < capacity ? n : capacity - 1;
}

size_t Supervisor::set_limits(size_t i, const char* pages, const char* threads, char* out,
                              size_t capacity) {
  auto number = [](const char* s, uint64_t* value) {
    auto n = lib::parse_decimal(lib::StringView(s), UINT32_MAX);
    *value = n.ok() ? n.value() : 0;
    return *value > 0;
  };
  uint64_t p = 0, t = 0;
  if (!number(pages, &p) || !number(threads, &t))
    return lib::format_to(out, capacity, "error: usage: limits NAME PAGES THREADS\n");
  abi::SiloStats now{};
  sys::silo_stats(components_[i].silo, &now);
  const abi::SiloLimits limits{p, static_cast<uint32_t>(t), now.limits.cpu_percent};
  const int64_t r = sys::silo_set_limits(components_[i].silo, &limits);
  if (r != abi::kOk) {
    return lib::format_to(out, capacity, "error: {}: status {} (above its silo's limits?)\n",
                          components_[i].spec.name, r);
  }
  return lib::format_to(out, capacity, "ok: {} limited to {} pages, {} threads\n",
                        components_[i].spec.name, p, t);
}

size_t Supervisor::execute(const char* command, char* out, size_t capacity) {
  char line[128];
  lib::format_to(line, sizeof(line), "{}", command);
  char* rest = line;
  const char* word = next_word(&rest);
  const lib::StringView verb = word;
  if (verb == "list") return describe(out, capacity);
  if (verb == "silos") return describe_silos(out, capacity);
  if (verb == "help" || verb == "") {
    return lib::format_to(
        out, capacity,
        "ok: commands: list, silos, start NAME, stop NAME, kill NAME, restart NAME, "
        "limits NAME PAGES THREADS, shutdown, reboot\n");
  }
  if (shutdown_.active && verb != "limits")
    return lib::format_to(out, capacity, "error: the system is stopping\n");
  const bool known =
      verb == "start" || verb == "stop" || verb == "kill" || verb == "restart" || verb == "limits";
  if (!known)
    return lib::format_to(out, capacity, "error: unknown command '{}' (try help)\n", word);
  const char* name = next_word(&rest);
  const int64_t found = find(name);
  if (found < 0) return lib::format_to(out, capacity, "error: no component '{}'\n", name);
  const size_t i = static_cast<size_t>(found);
  Component& c = components_[i];
  if (c.silo == abi::kInvalidHandle)
    return lib::format_to(out, capacity, "error: {} has no silo; see the log\n", name);
  if (c.state == State::NoDevice)
    return lib::format_to(out, capacity, "error: {} waits for its device\n", name);
  if (verb == "limits") {
    const char* pages = next_word(&rest);
    return set_limits(i, pages, next_word(&rest), out, capacity);
  }
  const bool running = c.state == State::Running;
  if (verb == "start") {
    if (running) return lib::format_to(out, capacity, "error: {} is running\n", name);
    c.backoff_ms = c.spec.backoff_ms;
    const int64_t r = start(i);
    return r == abi::kOk ? lib::format_to(out, capacity, "ok: started {}\n", name)
                         : lib::format_to(out, capacity, "error: {}: status {}\n", name, r);
  }
  {  // stop, kill, restart
    if (!running) {
      if (verb == "stop" && c.state == State::Backoff) {
        c.state = State::Stopped;
        return lib::format_to(out, capacity, "ok: stopped {}\n", name);
      }
      if (verb != "restart")
        return lib::format_to(out, capacity, "error: {} is not running\n", name);
      c.backoff_ms = c.spec.backoff_ms;
      ++c.restarts;
      const int64_t r = start(i);
      if (r != abi::kOk) return lib::format_to(out, capacity, "error: {}: status {}\n", name, r);
    } else {
      // stop ends it for good; kill leaves it to its restart policy; restart starts it again
      // as soon as its exit is seen (its silo still holds the old process until then).
      c.stop_requested = verb == "stop";
      c.restart_requested = verb == "restart";
      sys::process_kill(c.process);
      on_exit(i);
    }
  }
  return lib::format_to(out, capacity, "ok: {} {}\n", word, name);
}

void Supervisor::on_control(size_t slot) {
  for (;;) {
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::MessageBuffer m{};
    char command[128];
    m.data = command;
    m.data_capacity = sizeof(command) - 1;
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    const int64_t r = sys::channel_recv(controls_[slot], &m);
    if (r == abi::kErrWouldBlock) return;
    if (r == abi::kErrBufferTooSmall) {  // too long to be a command: take it off the queue
      char big[abi::kMaxMessageData];
      abi::Handle more[abi::kMaxMessageHandles];
      m.data = big;
      m.data_capacity = sizeof(big);
      m.handles = more;
      m.handle_capacity = abi::kMaxMessageHandles;
      if (sys::channel_recv(controls_[slot], &m) != abi::kOk) return;
      for (uint32_t k = 0; k < m.handle_count; ++k) sys::handle_close(more[k]);
      const char answer[] = "error: command too long\n";
      abi::MessageBuffer reply{abi::MessageKind::Data,
                               0,
                               m.call_id,
                               const_cast<char*>(answer),
                               sizeof(answer) - 1,
                               0,
                               nullptr,
                               0,
                               0};
      sys::channel_send(controls_[slot], &reply);
      continue;
    }
    if (r != abi::kOk) {  // the peer is gone
      sys::poll_remove(poll_, kControlKey + slot);
      sys::handle_close(controls_[slot]);
      controls_[slot] = abi::kInvalidHandle;
      return;
    }
    for (uint32_t k = 0; k < m.handle_count; ++k) sys::handle_close(handles[k]);
    command[m.data_size] = '\0';
    const lib::StringView verb(command);
    if (verb == "shutdown" || verb == "reboot") {  // answered once every component has ended
      begin_shutdown(slot, m.call_id, verb == "reboot" ? abi::kPowerReset : abi::kPowerOff);
      continue;
    }
    char* answer = reinterpret_cast<char*>(buffer_);
    const size_t n = execute(command, answer, sizeof(buffer_));
    abi::MessageBuffer reply{
        abi::MessageKind::Data, 0, m.call_id, answer, static_cast<uint32_t>(n), 0, nullptr, 0, 0};
    sys::channel_send(controls_[slot], &reply);
  }
}

}  // namespace startup
