#pragma once
// The system commands' way to the startup server: status: (live views) and control
// (commands that change things), both text channels opened through the program's namespace
// channel (abi/stellina/status.h, servers/startup/README.md). One command per Data message;
// the answer is one Data message with the same call id. Header-only: it needs the SDK, and
// the .cc files of programs/lib build on the host.

#include <stellina/program_main.h>
#include <stellina/sys.h>

#include "programs/lib/cmd.h"
#include "programs/lib/sys_devices.h"
#include "programs/lib/sys_status.h"

namespace cmd::sys {

constexpr uint64_t kAskTimeoutNs = 5'000'000'000;
// shutdown and reboot are answered once every component has stopped (2 s each at most).
constexpr uint64_t kPowerTimeoutNs = 60'000'000'000;

class TextService {
 public:
  // Opens uri ("status:" or "control") through p's namespace channel; on failure says
  // "NAME: cannot open URI: WHY" and returns false.
  bool open(Command& c, lib::StringView uri) {
    stellina::Result<stellina::Channel> ch = c.env().open(uri);
    if (!ch.ok()) {
      c.error("cannot open {}: {}", uri, stellina::status_name(ch.error()));
      return false;
    }
    ch_ = ch.release_value();
    uri_ = uri;
    return true;
  }

  bool valid() const { return ch_.valid(); }

  // Sends command and waits for its answer. Errors: channel_call's (kErrTimedOut,
  // kErrPeerClosed: the startup server is gone).
  stellina::Result<lib::StringView> ask(lib::StringView command,
                                        uint64_t timeout_ns = kAskTimeoutNs) {
    if (command.size() > sizeof(buffer_)) return stellina::abi::kErrTooLarge;
    __builtin_memcpy(buffer_, command.data(), command.size());
    stellina::abi::MessageBuffer m{};
    m.kind = stellina::abi::MessageKind::Data;
    m.call_id = ++calls_;
    m.data = buffer_;
    m.data_size = static_cast<uint32_t>(command.size());
    m.data_capacity = sizeof(buffer_);
    TRY(stellina::check_ok(
        stellina::sys::channel_call(ch_.get(), &m, stellina::sys::clock_now() + timeout_ns)));
    return lib::StringView(buffer_, m.data_size);
  }

  // ask, reporting a failure as "NAME: URI COMMAND: WHY" (or the answer's own "error: ..."
  // line when error_lines is set); false then.
  bool ask(Command& c, lib::StringView command, lib::StringView* answer, bool error_lines = true,
           uint64_t timeout_ns = kAskTimeoutNs) {
    stellina::Result<lib::StringView> r = ask(command, timeout_ns);
    if (!r.ok()) {
      c.error("{} {}: {}", uri_, command, stellina::status_name(r.error()));
      return false;
    }
    *answer = r.value();
    if (error_lines && is_error(*answer)) {
      lib::StringView text = answer->substr(6);
      if (text.starts_with(" ")) text = text.substr(1);
      if (text.ends_with("\n")) text = text.substr(0, text.size() - 1);
      c.error("{}", text);
      return false;
    }
    return true;
  }

 private:
  stellina::Channel ch_;
  lib::StringView uri_;
  uint64_t calls_ = 0;
  char buffer_[stellina::abi::kMaxMessageData];
};

// Reads the file at path whole into out (at most capacity bytes: a longer one is cut there);
// on failure says "NAME: PATH: WHY" and returns false.
inline bool read_whole(Command& c, lib::StringView path, char* out, size_t capacity, size_t* size) {
  stellina::Result<stellina::File> f = c.env().files().open(path);
  if (!f.ok()) {
    c.error_at(path, f.error());
    return false;
  }
  size_t n = 0;
  while (n < capacity) {
    const stellina::Result<size_t> got = f.value().read(n, out + n, capacity - n);
    if (!got.ok()) {
      c.error_at(path, got.error());
      return false;
    }
    if (got.value() == 0) break;
    n += got.value();
  }
  *size = n;
  return true;
}

// The caller's mount table (FileOp::Mounts on its file session) into out (kMaxMessageData
// bytes); on failure says why and returns false.
inline bool read_mounts(Command& c, char* out, lib::StringView* table) {
  stellina::abi::FileRequest r{};
  r.op = stellina::abi::FileOp::Mounts;
  alignas(8) static uint8_t buffer[stellina::abi::kMaxMessageData];
  const stellina::Result<size_t> n = c.env().files().call(r, {}, {}, buffer);
  if (!n.ok()) {
    c.error("cannot read the mount table: {}", stellina::status_name(n.error()));
    return false;
  }
  const size_t size = n.value() < stellina::abi::kMaxMessageData ? n.value() : 0;
  __builtin_memcpy(out, buffer + sizeof(stellina::abi::FileReply), size);
  *table = lib::StringView(out, size);
  return true;
}

// Waits until deadline_ns (monotonic) on nothing: a channel no one writes to.
inline void sleep_until(uint64_t deadline_ns) {
  stellina::abi::Handle ends[2];
  if (stellina::sys::channel_create(ends) != stellina::abi::kOk) {
    while (stellina::sys::clock_now() < deadline_ns) {
    }
    return;
  }
  stellina::sys::object_wait(ends[0], stellina::abi::kSignalReadable, deadline_ns);
  stellina::sys::handle_close(ends[0]);
  stellina::sys::handle_close(ends[1]);
}

}  // namespace cmd::sys
