// conshell: a supervision shell on a console (env().console, a byte stream such as the
// virtio-console driver's). It prints a banner and a prompt, reads a line with simple editing
// — backspace, Ctrl-U erases the line, Ctrl-C abandons it, CR, LF or CR LF ends it, escape
// sequences (arrow keys) are ignored — and sends it as a command to the startup server's
// control service (env().control); the answer is written back, with LF as CR LF, in pieces
// of at most kChunk bytes. One command is in flight at a time: what is typed meanwhile waits
// and is read when the answer is in.
//
// When the console's provider restarts, the old channel closes and a new one comes: output
// that could not be written waits (up to kOutBytes) and is written to the new console,
// followed by the banner and a prompt.
#include <stellina/component.h>

#include "conshell_env.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using stellina::Bytes;
using stellina::Channel;

class Conshell final : public stellina::ComponentWith<stellina::components::conshell::Env> {
  static constexpr size_t kLineMax = 120;
  static constexpr size_t kAheadBytes = 256;
  static constexpr size_t kOutBytes = 8192;
  static constexpr size_t kChunk = 512;
  static constexpr uint64_t kAnswerTimeoutNs = 5'000'000'000;
  static constexpr uint64_t kRetryNs = 10'000'000;
  static constexpr char kPrompt[] = "ctl> ";
  static constexpr char kBanner[] =
      "\nStellina supervision console. Commands go to the startup server: list, silos,\n"
      "start NAME, stop NAME, kill NAME, restart NAME, limits NAME PAGES THREADS, help.\n";

  enum class Escape { None, Started, Sequence };

  void on_service_connected(const char* field) override {
    if (&env().console != env().service(field)) return;
    log("console connected");
    line_size_ = 0;
    ahead_size_ = 0;
    escape_ = Escape::None;
    after_cr_ = false;
    write(kBanner);
    if (!busy_) write(kPrompt);  // else the answer brings it
    flush();
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch == &env().console) log("console closed; waiting for it to come back");
    if (&ch == &env().control && busy_) {  // its answer will not come
      busy_ = false;
      write("error: the control service closed\n");
      finish_command();
      flush();
    }
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == &env().console) {
      input(static_cast<const uint8_t*>(data.data), data.size);
    } else if (&ch == &env().control && busy_ && call_id() == call_) {
      answered(static_cast<const char*>(data.data), data.size);
    }
    flush();
  }

  void on_timer() override {
    if (busy_ && sys::clock_now() >= deadline_) {
      busy_ = false;
      write("error: no answer from the control service\n");
      finish_command();
    }
    flush();
    arm_timer();
  }

  // Bytes typed at the console.
  void input(const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (busy_) {
        if (ahead_size_ < kAheadBytes) ahead_[ahead_size_++] = p[i];
        continue;
      }
      key(p[i]);
    }
  }

  void key(uint8_t c) {
    const bool after_cr = after_cr_;
    after_cr_ = c == '\r';
    if (escape_ == Escape::Started) {  // ESC [ starts a sequence; ESC and one byte is all
      escape_ = c == '[' ? Escape::Sequence : Escape::None;
      return;
    }
    if (escape_ == Escape::Sequence) {  // parameters until a final byte
      if (c >= 0x40 && c <= 0x7e) escape_ = Escape::None;
      return;
    }
    if (c == '\n' && after_cr) return;  // CR LF ends one line
    if (c == '\r' || c == '\n') {
      write("\n");
      run_line();
    } else if (c == 0x08 || c == 0x7f) {  // backspace, delete
      if (line_size_ == 0) return;
      --line_size_;
      write("\b \b");
    } else if (c == 0x15) {  // Ctrl-U
      for (; line_size_ > 0; --line_size_) write("\b \b");
    } else if (c == 0x03) {  // Ctrl-C
      line_size_ = 0;
      write("^C\n");
      write(kPrompt);
    } else if (c == 0x1b) {
      escape_ = Escape::Started;
    } else if (c >= 0x20 && c < 0x7f) {
      if (line_size_ == kLineMax) {
        write("\a");  // full
        return;
      }
      line_[line_size_++] = static_cast<char>(c);
      write(Bytes{&line_[line_size_ - 1], 1});
    }
  }

  // The line is complete: run it.
  void run_line() {
    size_t start = 0, end = line_size_;
    while (start < end && line_[start] == ' ') ++start;
    while (end > start && line_[end - 1] == ' ') --end;
    line_size_ = 0;
    if (start == end) {
      write(kPrompt);
      return;
    }
    const Bytes command{line_ + start, end - start};
    char text[kLineMax + 1] = {};
    __builtin_memcpy(text, command.data, command.size);
    log("command '{}'", static_cast<const char*>(text));
    call_ = next_call_++;
    if (!env().control.valid() || !env().control.send(command, call_).ok()) {
      write("error: the control service is not reachable\n");
      write(kPrompt);
      return;
    }
    busy_ = true;
    deadline_ = sys::clock_now() + kAnswerTimeoutNs;
    arm_timer();
  }

  void answered(const char* text, size_t n) {
    busy_ = false;
    write(Bytes{text, n});
    if (n > 0 && text[n - 1] != '\n') write("\n");
    finish_command();
  }

  // After an answer (or its timeout): the prompt, then what was typed meanwhile.
  void finish_command() {
    write(kPrompt);
    uint8_t ahead[kAheadBytes];
    const size_t n = ahead_size_;
    __builtin_memcpy(ahead, ahead_, n);
    ahead_size_ = 0;
    input(ahead, n);
  }

  // Queues bytes for the console, LF as CR LF; each handler ends with flush().
  void write(Bytes data) {
    const char* p = static_cast<const char*>(data.data);
    for (size_t i = 0; i < data.size; ++i) {
      if (p[i] == '\n' && !put('\r')) break;
      if (!put(p[i])) break;
    }
  }

  bool put(char c) {
    if (out_end_ == kOutBytes && out_start_ > 0) {  // make room at the end
      __builtin_memmove(out_, out_ + out_start_, out_end_ - out_start_);
      out_end_ -= out_start_;
      out_start_ = 0;
    }
    if (out_end_ == kOutBytes) {
      if (out_dropped_++ == 0) log("output dropped: the console does not take it");
      return false;
    }
    out_[out_end_++] = c;
    return true;
  }

  // Writes queued output to the console in pieces; what the console cannot take now waits
  // for a retry (its queue is full) or for the console to come back (it closed).
  void flush() {
    while (out_start_ < out_end_ && env().console.valid()) {
      const size_t n = out_end_ - out_start_ < kChunk ? out_end_ - out_start_ : kChunk;
      auto sent = env().console.send(Bytes{out_ + out_start_, n});
      if (!sent.ok()) {
        if (sent.error() == abi::kErrWouldBlock) arm_timer();
        return;
      }
      out_start_ += n;
    }
    if (out_start_ == out_end_) out_start_ = out_end_ = 0;
  }

  // The timer serves the answer's deadline and the retries of output the console's queue
  // had no room for.
  void arm_timer() {
    uint64_t when = UINT64_MAX;
    if (busy_) when = deadline_;
    if (out_start_ < out_end_ && env().console.valid()) {
      const uint64_t retry = sys::clock_now() + kRetryNs;
      if (retry < when) when = retry;
    }
    if (when != UINT64_MAX && !set_timer(when).ok()) log("cannot set the timer: no timeouts");
  }

  char line_[kLineMax] = {};
  size_t line_size_ = 0;
  uint8_t ahead_[kAheadBytes] = {};
  size_t ahead_size_ = 0;
  char out_[kOutBytes] = {};
  size_t out_start_ = 0, out_end_ = 0;
  uint64_t out_dropped_ = 0;
  Escape escape_ = Escape::None;
  bool after_cr_ = false;
  bool busy_ = false;  // a command is in flight
  uint64_t call_ = 0, next_call_ = 1, deadline_ = 0;
};

STELLINA_COMPONENT(Conshell)
