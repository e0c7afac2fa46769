// SysInfo: checks the startup server's status: and boot: schemes (abi/stellina/status.h)
// from a component's side, once, at start: every status command's answer (format and
// values), files and listings of the boot archive, and the refusals (serial: too, which its
// spec does not list). Each failed check is logged ("sysinfo: FAIL ..."); the last line is
// "sysinfo: all checks passed" or "sysinfo: N checks failed".
#include <stellina/component.h>
#include <stellina/status.h>

#include "sysinfo_env.h"

using stellina::Channel;
namespace abi = stellina::abi;
namespace sys = stellina::sys;
using lib::StringView;

namespace {

constexpr uint64_t kTimeoutNs = 5'000'000'000;

bool contains(StringView s, StringView needle) { return s.find(needle) != StringView::kNpos; }

// A decimal number, the whole of s; false if it is not one.
bool number(StringView s, uint64_t* out) {
  *out = 0;
  if (s.empty() || s.size() > 19) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    *out = *out * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  return true;
}

// Splits a line (no '\n') into words separated by single spaces; false if a word is empty
// or there are more than max.
size_t split(char* line, char** words, size_t max) {
  size_t n = 0;
  char* p = line;
  for (;;) {
    if (n == max || *p == ' ' || *p == '\0') return 0;
    words[n++] = p;
    while (*p && *p != ' ') ++p;
    if (!*p) return n;
    *p++ = '\0';
  }
}

bool one_of(const char* word, const char* const* set, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (StringView(word) == set[i]) return true;
  return false;
}

constexpr const char* kStates[] = {"waiting", "running", "backoff",
                                   "stopped", "exited",  "no-device"};
constexpr const char* kExits[] = {"fault", "killed", "quota"};
constexpr const char* kBadLogs[] = {"log 0", "log 65", "log x", "log", "log 5 6"};
constexpr uint64_t kLimitBytes = uint64_t{128} * 4096;  // its spec's memory_pages

}  // namespace

class SysInfo final : public stellina::ComponentWith<stellina::components::sysinfo::Env> {
  void on_start() override {
    check_status();
    check_boot();
    // The serial port is for components whose spec lists serial:; this one's does not.
    const auto serial = open("serial:");
    log("sysinfo: open serial: -> status {}", stellina::status_code(serial));
    check(stellina::status_code(serial) == abi::kErrAccessDenied, "serial: refused");
    if (failures_) {
      log("sysinfo: {} checks failed", failures_);
    } else {
      log("sysinfo: all checks passed");
    }
  }

  void check(bool ok, const char* what) {
    if (ok) return;
    ++failures_;
    log("sysinfo: FAIL {}", what);
  }

  // Sends a status command and waits for its answer (NUL-terminated in answer_); false if
  // none came.
  bool ask(const char* command) {
    abi::MessageBuffer m{};
    m.kind = abi::MessageKind::Data;
    m.call_id = ++calls_;
    m.data = answer_;
    m.data_size = static_cast<uint32_t>(StringView(command).size());
    m.data_capacity = sizeof(answer_) - 1;
    __builtin_memcpy(answer_, command, m.data_size);
    const int64_t r = sys::channel_call(status_.get(), &m, sys::clock_now() + kTimeoutNs);
    if (r != abi::kOk || m.kind != abi::MessageKind::Data) {
      log("sysinfo: FAIL '{}' got no answer: status {}", command, r);
      ++failures_;
      answer_[0] = '\0';
      return false;
    }
    answer_[m.data_size] = '\0';
    return true;
  }

  // Each line of the answer (without its '\n') in turn, copied into line_; false at the end.
  // An answer that does not end in '\n' fails a check.
  bool next_line(size_t* at) {
    const size_t size = StringView(answer_).size();
    if (*at >= size) return false;
    size_t end = *at;
    while (end < size && answer_[end] != '\n') ++end;
    check(end < size, "an answer's last line ends in a newline");
    const size_t n = end - *at < sizeof(line_) - 1 ? end - *at : sizeof(line_) - 1;
    __builtin_memcpy(line_, answer_ + *at, n);
    line_[n] = '\0';
    *at = end + 1;
    return true;
  }

  void check_status() {
    const char marker_format[] = "sysinfo: marker {}";
    auto status = open("status:");
    log("sysinfo: open status: -> status {}", stellina::status_code(status));
    check(status.ok(), "open status:");
    if (!status.ok()) return;
    status_ = status.release_value();

    // components: its own line says running, user, no exit; every line has 8 fields.
    if (ask("components")) {
      size_t at = 0, lines = 0;
      bool self = false;
      while (next_line(&at)) {
        ++lines;
        char* w[9];
        const size_t n = split(line_, w, 9);
        check(n == 8, "components: 8 fields a line");
        if (n != 8) continue;
        uint64_t restarts, memory, limit, threads;
        check(one_of(w[1], kStates, 6), "components: a known state");
        check(StringView(w[2]) == "user" || StringView(w[2]) == "kernel",
              "components: isolation user or kernel");
        check(number(w[3], &restarts) && number(w[4], &memory) && number(w[5], &limit) &&
                  number(w[6], &threads),
              "components: numbers");
        check(StringView(w[7]) == "-" || StringView(w[7]).starts_with("exit:") ||
                  one_of(w[7], kExits, 3),
              "components: a known last exit");
        if (StringView(w[0]) == "sysinfo") {
          self = true;
          check(StringView(w[1]) == "running" && StringView(w[2]) == "user" &&
                    StringView(w[7]) == "-" && restarts == 0,
                "components: sysinfo running, user, never ended");
          check(memory > 0 && memory <= limit && limit == kLimitBytes && threads == 1,
                "components: sysinfo's memory within its 128 pages, 1 thread");
        }
      }
      check(self, "components: lists sysinfo");
      log("sysinfo: components: {} lines", lines);
    }

    // processes: 13 fields; its own line running with a process id, no silo, one thread and
    // one process, some CPU time.
    if (ask("processes")) {
      size_t at = 0, lines = 0;
      bool self = false;
      while (next_line(&at)) {
        ++lines;
        char* w[14];
        const size_t n = split(line_, w, 14);
        check(n == 13, "processes: 13 fields a line");
        if (n != 13) continue;
        uint64_t pid, restarts, memory, limit, threads, thread_limit, processes, cpu;
        check(one_of(w[1], kStates, 6), "processes: a known state");
        check(number(w[3], &pid) && number(w[5], &restarts) && number(w[6], &memory) &&
                  number(w[7], &limit) && number(w[8], &threads) && number(w[9], &thread_limit) &&
                  number(w[10], &processes) && number(w[11], &cpu),
              "processes: numbers");
        check((StringView(w[1]) == "running") == (pid != 0), "processes: a pid while running");
        if (StringView(w[0]) == "sysinfo") {
          self = true;
          check(StringView(w[2]) == "user" && StringView(w[4]) == "-" && StringView(w[12]) == "-",
                "processes: sysinfo user, in no declared silo, never ended");
          check(memory > 0 && limit == kLimitBytes && threads == 1 && thread_limit == 1 &&
                    processes == 1 && cpu > 0,
                "processes: sysinfo's one thread, one process, some CPU time");
        }
      }
      check(self, "processes: lists sysinfo");
      log("sysinfo: processes: {} lines", lines);
    }

    // memory: 0 < free < total, a kernel heap in use.
    if (ask("memory")) {
      uint64_t total = 0, free = 0, heap = 0;
      size_t at = 0, lines = 0;
      while (next_line(&at)) {
        ++lines;
        char* w[3];
        uint64_t value = 0;
        const bool ok = split(line_, w, 3) == 2 && number(w[1], &value);
        check(ok, "memory: NAME VALUE lines");
        if (!ok) continue;
        if (StringView(w[0]) == "total_bytes") total = value;
        if (StringView(w[0]) == "free_bytes") free = value;
        if (StringView(w[0]) == "kernel_heap_bytes") heap = value;
      }
      check(lines >= 3, "memory: at least 3 lines");
      check(free > 0 && free < total, "memory: 0 < free_bytes < total_bytes");
      check(heap > 0 && heap < total, "memory: 0 < kernel_heap_bytes < total_bytes");
      log("sysinfo: memory: total {} KiB, free {} KiB, kernel heap {} KiB", total / 1024,
          free / 1024, heap / 1024);
    }

    // uptime: milliseconds since boot, consistent with clock_now and not going back.
    uint64_t first = 0, second = 0;
    constexpr StringView kUptime = "uptime_ms ";
    const auto uptime = [&](uint64_t* ms) {
      const StringView a = answer_;
      return a.starts_with(kUptime) && a.ends_with("\n") &&
             number(a.substr(kUptime.size(), a.size() - kUptime.size() - 1), ms);
    };
    if (ask("uptime")) {
      const uint64_t now_ms = sys::clock_now() / 1'000'000;
      check(uptime(&first), "uptime: 'uptime_ms N'");
      check(first > 0 && first <= now_ms, "uptime: 0 < N <= clock_now");
    }
    if (ask("uptime")) {
      uptime(&second);
      check(second >= first, "uptime: does not go back");
    }

    // log 5: five lines as the console shows them, the newest including the marker it
    // logged just before (others may log in between: it tries a few times).
    bool marked = false;
    for (int attempt = 0; attempt < 3 && !marked; ++attempt) {
      const uint64_t marker = sys::clock_now();
      log(marker_format, marker);
      char wanted[64];
      lib::format_to(wanted, sizeof(wanted), marker_format, marker);
      if (!ask("log 5")) break;
      size_t at = 0, lines = 0;
      while (next_line(&at)) {
        ++lines;
        check(line_[0] == '[' && contains(line_, "] "), "log: '[SECONDS.MICROS] LEVEL: TEXT'");
        if (contains(line_, wanted) && !marked) {
          marked = true;
          log("sysinfo: log 5 gave '{}'", static_cast<const char*>(line_));
        }
      }
      check(lines == 5, "log 5: five lines");
    }
    check(marked, "log 5: holds the line it logged just before");

    // log 64: at most 64 lines, one message.
    if (ask("log 64")) {
      size_t at = 0, lines = 0;
      while (next_line(&at)) {
        ++lines;
        check(line_[0] == '[', "log 64: each line a record");
      }
      check(lines > 5 && lines <= 64, "log 64: 6 to 64 lines");
      check(StringView(answer_).size() <= abi::kMaxMessageData, "log 64: fits a message");
      log("sysinfo: log 64: {} lines, {} bytes", lines, StringView(answer_).size());
    }

    // How long a command takes, there and back (the startup server and this component are
    // user processes: two address-space switches each way).
    constexpr uint64_t kRounds = 100;
    const uint64_t start = sys::clock_now();
    for (uint64_t i = 0; i < kRounds; ++i) ask("uptime");
    log("sysinfo: status: uptime round trip {} us", (sys::clock_now() - start) / kRounds / 1000);

    // Errors.
    for (const char* bad : kBadLogs) {
      if (ask(bad))
        check(StringView(answer_).starts_with("error: "), "log with a bad count: error");
    }
    if (ask("nonsense")) {
      check(StringView(answer_) == "error: unknown command\n",
            "an unknown command: 'error: unknown command'");
    }
    if (ask("")) check(StringView(answer_).starts_with("error: "), "an empty command: error");
    check(stellina::status_code(open("status:more")) == abi::kErrNotFound,
          "status:more: kErrNotFound");
  }

  // Opens a boot: URI and takes its one message: the file's size and folio. Returns the
  // open status (or a check failed).
  int64_t read_boot(const char* uri, uint64_t* size, stellina::OwnedHandle* folio) {
    auto opened = open(uri);
    if (!opened.ok()) return opened.error();
    const Channel ch = opened.release_value();
    abi::BootFile file{};
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::MessageBuffer m{};
    m.data = &file;
    m.data_capacity = sizeof(file);
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    const int64_t r = sys::channel_recv(ch.get(), &m);
    check(r == abi::kOk && m.kind == abi::MessageKind::Data && m.data_size == sizeof(file) &&
              m.handle_count == 1,
          "boot: one Data{size} with one handle, queued at once");
    if (r != abi::kOk || m.handle_count != 1) return abi::kErrInvalidArgument;
    folio->reset(handles[0]);
    *size = file.size;
    // The startup server's end is closed: nothing else comes.
    abi::MessageBuffer after{};
    check(sys::channel_recv(ch.get(), &after) == abi::kErrPeerClosed,
          "boot: the channel is closed after its message");
    abi::HandleInfo info{};
    check(sys::handle_query(folio->get(), &info) == abi::kOk &&
              info.type == abi::ObjectType::Folio &&
              info.rights == (abi::kRightRead | abi::kRightMap | abi::kRightTransfer),
          "boot: a folio with read, map, transfer and nothing more");
    check(sys::folio_size(folio->get()) >= static_cast<int64_t>(*size),
          "boot: the folio holds the file");
    uintptr_t unused = 0;
    check(sys::folio_map(folio->get(), true, &unused) == abi::kErrAccessDenied,
          "boot: the folio cannot be mapped writable");
    check(sys::handle_duplicate(folio->get(), abi::kRightRead) == abi::kErrAccessDenied,
          "boot: the folio cannot be duplicated");
    return abi::kOk;
  }

  // Maps the folio read-only and copies out its first bytes; false if it cannot.
  bool head(const stellina::OwnedHandle& folio, uint8_t* out, size_t n) {
    uintptr_t mapped = 0;
    if (sys::folio_map(folio.get(), false, &mapped) != abi::kOk) return false;
    __builtin_memcpy(out, reinterpret_cast<const void*>(mapped), n);
    sys::folio_unmap(static_cast<uint64_t>(mapped));
    return true;
  }

  void check_boot() {
    // The manifest: its magic, and the size its header gives.
    uint64_t size = 0;
    stellina::OwnedHandle manifest;
    const int64_t opened = read_boot("boot:manifest", &size, &manifest);
    log("sysinfo: open boot:manifest -> status {}, {} bytes", opened, size);
    check(opened == abi::kOk, "open boot:manifest");
    uint8_t bytes[32] = {};
    if (opened == abi::kOk && head(manifest, bytes, sizeof(bytes))) {
      const uint32_t total = static_cast<uint32_t>(bytes[24]) | uint32_t{bytes[25]} << 8 |
                             uint32_t{bytes[26]} << 16 | uint32_t{bytes[27]} << 24;
      check(__builtin_memcmp(bytes, "STLMANI1", 8) == 0, "boot:manifest: its magic");
      check(total == size, "boot:manifest: the size its header gives");
    }
    // The same file again: the same folio (the startup server copies a file once).
    stellina::OwnedHandle again;
    uint64_t again_size = 0;
    check(read_boot("boot:manifest", &again_size, &again) == abi::kOk && again_size == size,
          "boot:manifest twice");
    abi::HandleInfo a{}, b{};
    sys::handle_query(manifest.get(), &a);
    sys::handle_query(again.get(), &b);
    check(a.object_id == b.object_id, "boot:manifest twice: one copy");

    // Its own program, with a leading '/': an ELF. The first Open copies it, the second
    // lends the same copy again.
    stellina::OwnedHandle elf, elf_again;
    const uint64_t t0 = sys::clock_now();
    const int64_t own = read_boot("boot:/sysinfo", &size, &elf);
    const uint64_t t1 = sys::clock_now();
    check(read_boot("boot:/sysinfo", &again_size, &elf_again) == abi::kOk && again_size == size,
          "boot:/sysinfo twice");
    const uint64_t t2 = sys::clock_now();
    log("sysinfo: open boot:/sysinfo -> status {}, {} bytes", own, size);
    log("sysinfo: boot:/sysinfo opened in {} us (copied), then {} us (lent again)",
        (t1 - t0) / 1000, (t2 - t1) / 1000);
    check(own == abi::kOk && size > 4096, "open boot:/sysinfo");
    constexpr uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
    if (own == abi::kOk && head(elf, bytes, 4)) {
      check(__builtin_memcmp(bytes, kElfMagic, 4) == 0, "boot:/sysinfo: the ELF magic");
    }

    // The whole archive's listing, twice: made once.
    stellina::OwnedHandle listing, listing_again;
    const int64_t listed = read_boot("boot:", &size, &listing);
    check(read_boot("boot:/", &again_size, &listing_again) == abi::kOk && again_size == size,
          "boot:/ is boot:");
    sys::handle_query(listing.get(), &a);
    sys::handle_query(listing_again.get(), &b);
    check(a.object_id == b.object_id, "boot: twice: one listing");
    check(listed == abi::kOk && size > 0 && size < sizeof(answer_), "boot: a listing");
    if (listed == abi::kOk && size < sizeof(answer_) &&
        head(listing, reinterpret_cast<uint8_t*>(answer_), size)) {
      answer_[size] = '\0';
      check(contains(answer_, "manifest\n") && contains(answer_, "\nsysinfo\n") &&
                contains(answer_, "\nstartup\n") && answer_[size - 1] == '\n',
            "boot: lists manifest, startup and sysinfo, a line each");
    }

    // Refusals.
    stellina::OwnedHandle none;
    const int64_t missing = read_boot("boot:no/such/file", &size, &none);
    log("sysinfo: open boot:no/such/file -> status {}", missing);
    check(missing == abi::kErrNotFound, "boot:no/such/file: kErrNotFound");
    check(read_boot("boot:no/such/dir/", &size, &none) == abi::kErrNotFound,
          "boot:no/such/dir/: kErrNotFound");
    check(read_boot("boot:0123456789012345678901234567890123456789012345678901234567", &size,
                    &none) == abi::kErrInvalidArgument,
          "boot: a path of 58 bytes: kErrInvalidArgument");
  }

  Channel status_;
  uint64_t calls_ = 0;
  size_t failures_ = 0;
  char answer_[abi::kMaxMessageData + 1];
  char line_[256];
};

STELLINA_COMPONENT(SysInfo)
