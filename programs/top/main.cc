// top: the components and the declared silos, refreshed every DELAY seconds (2 by default):
// CPU share over the interval (since boot for the first screen), memory, threads, processes;
// a header with the time up and the machine's memory. It ends on 'q' or Ctrl-C typed on its
// stdin, or after -n N screens. -b prints plain snapshots one after the other (no clearing
// of the screen, stdin not read).
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: top [-b] [-n N] [-d SECONDS]\n"
    "  -b          batch mode: plain snapshots, stdin not read\n"
    "  -n N        end after N screens\n"
    "  -d SECONDS  between screens (2; tenths allowed: 0.5)\n"
    "  keys: q (then Enter, under sh, which passes whole lines) or Ctrl-C ends it\n";

constexpr size_t kMaxRows = 32;  // components or silos kept between two screens
constexpr size_t kNameBytes = 32;
constexpr uint64_t kMaxDelayMs = 3'600'000;

struct Previous {
  char name[kNameBytes];
  size_t size = 0;
  uint64_t cpu_ns = 0;
};

// What the last screen saw, to take the CPU time used since.
struct Table {
  Previous rows[kMaxRows];
  size_t count = 0;

  // The CPU time name had last time (false: none).
  bool find(lib::StringView name, uint64_t* cpu_ns) const {
    for (size_t i = 0; i < count; ++i) {
      if (lib::StringView(rows[i].name, rows[i].size) == name) {
        *cpu_ns = rows[i].cpu_ns;
        return true;
      }
    }
    return false;
  }
  void add(lib::StringView name, uint64_t cpu_ns) {
    if (count == kMaxRows) return;
    Previous& p = rows[count++];
    p.size = name.size() < kNameBytes ? name.size() : kNameBytes;
    __builtin_memcpy(p.name, name.data(), p.size);
    p.cpu_ns = cpu_ns;
  }
};

Table components_before, components_now, silos_before, silos_now;

// Seconds with at most one decimal, as milliseconds.
bool parse_delay(lib::StringView text, uint64_t* ms) {
  const size_t dot = text.find('.');
  uint64_t whole = 0, tenths = 0;
  if (!cmd::parse_u64(text.substr(0, dot), &whole) || whole > kMaxDelayMs / 1000) return false;
  if (dot != lib::StringView::kNpos) {
    const lib::StringView fraction = text.substr(dot + 1);
    if (fraction.size() != 1 || !cmd::parse_u64(fraction, &tenths)) return false;
  }
  *ms = whole * 1000 + tenths * 100;
  return *ms > 0;
}

void percent(cmd::Output& out, uint64_t tenths) {
  char text[32];
  lib::format_to(text, sizeof(text), "{}.{}", tenths / 10, tenths % 10);
  out.print("{:>6}", static_cast<const char*>(text));
}

// One screen; false if the startup server could not be asked.
bool screen(cmd::Command& c, cmd::sys::TextService& status, uint64_t interval_ns) {
  cmd::Output& out = c.out();
  lib::StringView answer;
  uint64_t up_ms = 0;
  if (!status.ask(c, "uptime", &answer) || !cmd::sys::parse_uptime(answer, &up_ms)) return false;
  if (interval_ns == 0) interval_ns = up_ms * 1'000'000;
  cmd::sys::MemoryView m;
  if (!status.ask(c, "memory", &answer) || !cmd::sys::parse_memory(answer, &m)) return false;
  char up[64];
  const size_t up_size = cmd::sys::format_up(up_ms, up, sizeof(up));

  if (!status.ask(c, "processes", &answer)) return false;
  size_t total = 0, running = 0;
  {
    cmd::sys::Lines lines(answer);
    for (lib::StringView line; lines.next(&line);) {
      cmd::sys::ComponentRow r;
      if (!cmd::sys::parse_component(line, &r)) continue;
      ++total;
      running += r.state == "running";
    }
  }
  out.print("top - up {},  {} components, {} running\n", lib::StringView(up, up_size), total,
            running);
  out.print("Mem: {} KiB total, {} KiB free, {} KiB used, kernel heap {} KiB\n\n",
            m.total_bytes / 1024, m.free_bytes / 1024, (m.total_bytes - m.free_bytes) / 1024,
            m.kernel_heap_bytes / 1024);
  out.print("{:>5} {:<10} {:<10} {:>6} {:>9} {:>7} {:>5} {:>10}  {}\n", "PID", "STATE", "SILO",
            "%CPU", "MEM KiB", "THREADS", "PROCS", "TIME+", "COMPONENT");
  components_now.count = 0;
  cmd::sys::Lines lines(answer);
  for (lib::StringView line; lines.next(&line);) {
    cmd::sys::ComponentRow r;
    if (!cmd::sys::parse_component(line, &r)) continue;
    uint64_t before = 0;
    const bool seen = components_before.find(r.name, &before);
    const uint64_t used = seen && r.cpu_ns >= before ? r.cpu_ns - before : (seen ? 0 : r.cpu_ns);
    components_now.add(r.name, r.cpu_ns);
    char pid[24] = "-";
    if (r.pid) lib::format_to(pid, sizeof(pid), "{}", r.pid);
    char time[32];
    cmd::sys::format_cpu_time(r.cpu_ns, true, time, sizeof(time));
    out.print("{:>5} {:<10} {:<10} ", static_cast<const char*>(pid), r.state, r.silo);
    percent(out, cmd::sys::cpu_tenths(used, interval_ns));
    out.print(" {:>9} {:>7} {:>5} {:>10}  {}\n", r.memory_bytes / 1024, r.threads, r.processes,
              static_cast<const char*>(time), r.name);
  }
  components_before = components_now;

  if (!status.ask(c, "silos", &answer)) return false;
  out.print("\n{:<12} {:>6} {:>17} {:>9} {:>5} {:>8}\n", "SILO", "%CPU", "MEM KiB", "THREADS",
            "CAP%", "CPU ms");
  silos_now.count = 0;
  cmd::sys::Lines silo_lines(answer);
  for (lib::StringView line; silo_lines.next(&line);) {
    cmd::sys::SiloRow s;
    if (!cmd::sys::parse_silo(line, &s)) continue;  // the header
    const uint64_t cpu_ns = s.cpu_ms * 1'000'000;
    uint64_t before = 0;
    const bool seen = silos_before.find(s.name, &before);
    const uint64_t used = seen && cpu_ns >= before ? cpu_ns - before : (seen ? 0 : cpu_ns);
    silos_now.add(s.name, cpu_ns);
    char memory[48], threads[32];
    lib::format_to(memory, sizeof(memory), "{}/{}", s.memory_kib, s.memory_limit_kib);
    lib::format_to(threads, sizeof(threads), "{}/{}", s.threads, s.thread_limit);
    out.print("{:<12} ", s.name);
    percent(out, cmd::sys::cpu_tenths(used, interval_ns));
    out.print(" {:>17} {:>9} {:>5} {:>8}\n", static_cast<const char*>(memory),
              static_cast<const char*>(threads), s.cpu_percent, s.cpu_ms);
  }
  silos_before = silos_now;
  return true;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "bn:d:");
  bool batch = false;
  uint64_t screens = 0;  // 0: until q
  uint64_t delay_ms = 2000;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    if (opt == 'b') batch = true;
    if (opt == 'n' && (!cmd::parse_u64(o.value(), &screens) || screens == 0))
      return c.fail("bad count '{}'", o.value());
    if (opt == 'd' && !parse_delay(o.value(), &delay_ms))
      return c.fail("bad delay '{}'", o.value());
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  cmd::sys::TextService status;
  if (!status.open(c, "status:")) return c.finish(1);
  bool input = !batch;  // stdin still open
  uint64_t last = 0;
  for (uint64_t n = 0; screens == 0 || n < screens; ++n) {
    const uint64_t now = stellina::sys::clock_now();
    if (!batch) c.out().print("\x1b[H\x1b[2J");
    if (!screen(c, status, last ? now - last : 0)) return c.finish(1);
    if (batch && (screens == 0 || n + 1 < screens)) c.out().put('\n');
    c.out().flush();
    if (c.out().failed()) return c.finish(1);
    last = now;
    if (screens != 0 && n + 1 == screens) break;
    const uint64_t deadline = now + delay_ms * 1'000'000;
    while (stellina::sys::clock_now() < deadline) {
      if (!input) {
        cmd::sys::sleep_until(deadline);
        break;
      }
      char keys[64];
      const stellina::Result<size_t> got = p.in().read(keys, sizeof(keys), deadline);
      if (!got.ok()) {
        if (got.error() != stellina::abi::kErrTimedOut) input = false;  // no stdin
        continue;
      }
      if (got.value() == 0) {
        input = false;  // its end: only -n or a kill ends top now
        continue;
      }
      for (size_t i = 0; i < got.value(); ++i)
        if (keys[i] == 'q' || keys[i] == 0x03) return c.finish(0);
    }
  }
  return c.finish(0);
}
