#include "kernel/linux/linux_tty.h"

#include <lib/string_view.h>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/linux/linux_process.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/process.h"
#include "kernel/user_ptr.h"

namespace kernel {

namespace abi = stellina::abi;
using namespace linux_abi;

lib::Result<LinuxTty*> LinuxTty::create(Silo& silo, Ref<Channel>&& output, uint64_t session,
                                        LinuxWinsize window) {
  TRY(silo.charge_memory(sizeof(LinuxTty)));
  auto made = heap::create<LinuxTty>();
  if (!made.ok()) {
    silo.uncharge_memory(sizeof(LinuxTty));
    return made.error();
  }
  LinuxTty* tty = made.value();
  silo.retain();
  tty->silo_ = &silo;
  tty->output_ = static_cast<Ref<Channel>&&>(output);
  tty->session_ = tty->foreground_ = session;
  tty->window_ = window;
  return tty;
}

void LinuxTty::release() {
  if (--refs_) return;
  Silo* silo = silo_;
  heap::destroy(this);
  silo->uncharge_memory(sizeof(LinuxTty));
  silo->release();
}

// The echo goes out at once or not at all: the typist does not wait for the terminal.
void LinuxTty::echo(const uint8_t* bytes, size_t size) {
  if (!size || !output_) return;
  auto made = Message::create(MessageKind::Data, 0, uint32_t(size), silo_);
  if (!made.ok()) return;
  __builtin_memcpy(made.value()->data, bytes, size);
  if (!output_->send(made.value()).ok()) Message::destroy(made.value());
}

size_t LinuxTty::type(const uint8_t* data, size_t size) {
  uint8_t echoed[512];
  for (size_t i = 0; i < size;) {
    lib::OutputBuffer out{echoed, sizeof echoed};
    // Each byte echoes at most 3 (an erase of ^X is 6 but comes one at a time).
    for (; i < size && out.room() >= 8; ++i) {
      const int signal = ld_.type(data[i], out);
      if (!signal) continue;
      // The key's echo (^C) goes out before the signal ends anyone.
      echo(echoed, out.size);
      out.size = 0;
      (void)linux_signal_group(foreground_, signal, nullptr, this,
                               LinuxSignalInfo{kSiKernel, 0, 0});
    }
    echo(echoed, out.size);
  }
  if (ld_.readable()) readers_.wake_all();
  return size;
}

size_t LinuxTty::take(uint8_t* out, size_t size, bool* ready) {
  *ready = ld_.readable();
  return ld_.read(out, size);
}

int64_t LinuxTty::read(LinuxProcess& lp, uint64_t buffer, uint64_t count, bool nonblocking) {
  uint8_t bytes[512];
  if (count > sizeof bytes) count = sizeof bytes;
  size_t got = 0;
  {
    LinuxInterruptible interruptible;
    SpinlockGuard guard(sched_lock);
    bool timed_out = false;
    uint64_t deadline = 0;
    for (;;) {
      // A background group's read: Linux stops it with SIGTTIN; stopping is not served yet,
      // so it gets what Linux gives when SIGTTIN is ignored (docs/linux.md).
      if (lp.tty() == this && lp.pgid() != foreground_) return -kEio;
      const lib::Termios& t = ld_.termios();
      const bool canonical = t.lflag & lib::termios::kIcanon;
      const size_t vmin = t.cc[lib::termios::kVmin], vtime = t.cc[lib::termios::kVtime];
      // Raw: VMIN bytes (at most the count); with VMIN 0, one, or none when VTIME runs out.
      const size_t enough = canonical || vmin == 0 ? 1 : (vmin < count ? vmin : count);
      const size_t have = ld_.readable_bytes();
      if (canonical ? ld_.readable() : (have >= enough || (timed_out && have))) {
        bool ready;
        got = take(bytes, count, &ready);
        break;
      }
      if (!canonical && (vmin == 0 && (vtime == 0 || timed_out))) break;  // 0: nothing came
      if (nonblocking) return -kEagain;
      // VTIME: from the read's start without VMIN, from the first byte with it (again from
      // the next one if what came was flushed: an interrupt key).
      if (!canonical && vmin && !have) {
        deadline = 0;
        timed_out = false;
      }
      if (!canonical && vtime && !deadline && (vmin == 0 || have))
        deadline = arch::now_ns() + vtime * 100'000'000;
      auto waited = readers_.wait(deadline);
      if (!waited.ok() && waited.error() == lib::Error::TimedOut) {
        timed_out = true;
      } else if (!waited.ok()) {
        return -kErestartsys;
      }
    }
  }
  if (got && !UserOut<uint8_t>(buffer).write(bytes, got).ok()) return -kEfault;
  return int64_t(got);
}

int64_t LinuxTty::write(const linux_calls::ByteSource& src, uint64_t count, bool nonblocking) {
  LinuxInterruptible interruptible;
  uint64_t done = 0;
  while (done < count) {
    uint8_t in[1024], out[2 * sizeof in];
    const uint64_t chunk = count - done < sizeof in ? count - done : sizeof in;
    if (!src.copy(in, done, chunk).ok()) return done ? int64_t(done) : -kEfault;
    lib::OutputBuffer processed{out, sizeof out};
    size_t taken;
    {
      SpinlockGuard guard(sched_lock);
      taken = ld_.write(in, chunk, processed);
    }
    if (output_) {
      linux_calls::ByteSource bytes{0, out};
      const int64_t sent = linux_calls::write_channel(*output_, bytes, processed.size, nonblocking);
      if (sent < 0) return done ? int64_t(done) : sent;
    }
    done += taken;
  }
  return int64_t(done);
}

namespace {

// Linux's ioctl numbers for terminals (asm-generic/ioctls.h; TCGETS and TIOCGWINSZ are
// linux_abi.h's).
constexpr uint64_t kTcsets = 0x5402, kTcsetsw = 0x5403, kTcsetsf = 0x5404, kTcsbrk = 0x5409,
                   kTcflsh = 0x540b, kTiocsctty = 0x540e, kTiocgpgrp = 0x540f, kTiocspgrp = 0x5410,
                   kTiocswinsz = 0x5414, kFionread = 0x541b, kTiocnotty = 0x5422,
                   kTiocgsid = 0x5429;
constexpr uint64_t kTciflush = 0, kTcoflush = 1, kTcioflush = 2;
constexpr int kSigWinch = 28;

template <typename T>
int64_t put(uint64_t address, const T& value) {
  return UserOut<T>(address).write(&value).ok() ? 0 : -kEfault;
}

}  // namespace

int64_t LinuxTty::ioctl(LinuxProcess& lp, uint64_t request, uint64_t argument) {
  switch (request) {
    case kTcgets: {
      lib::Termios t;
      {
        SpinlockGuard guard(sched_lock);
        t = ld_.termios();
      }
      return put(argument, t);
    }
    case kTcsets:
    case kTcsetsw:  // output is with the terminal's owner once written: nothing to drain
    case kTcsetsf: {
      lib::Termios t;
      if (!UserIn<lib::Termios>(argument).read(&t).ok()) return -kEfault;
      SpinlockGuard guard(sched_lock);
      ld_.set_termios(t, request == kTcsetsf);
      readers_.wake_all();  // VMIN may be met now
      return 0;
    }
    case kTcsbrk: return 0;  // tcdrain: written bytes are on their way already
    case kTcflsh: {
      if (argument != kTciflush && argument != kTcoflush && argument != kTcioflush) return -kEinval;
      SpinlockGuard guard(sched_lock);
      if (argument != kTcoflush) ld_.flush_input();
      return 0;
    }
    case kTiocgwinsz: {
      LinuxWinsize w;
      {
        SpinlockGuard guard(sched_lock);
        w = window_;
      }
      return put(argument, w);
    }
    case kTiocswinsz: {
      LinuxWinsize w;
      if (!UserIn<LinuxWinsize>(argument).read(&w).ok()) return -kEfault;
      SpinlockGuard guard(sched_lock);
      const bool changed = __builtin_memcmp(&w, &window_, sizeof w) != 0;
      window_ = w;
      if (changed) {
        (void)linux_signal_group(foreground_, kSigWinch, nullptr, this,
                                 LinuxSignalInfo{kSiKernel, 0, 0});
      }
      return 0;
    }
    case kFionread: {
      int32_t n;
      {
        SpinlockGuard guard(sched_lock);
        n = int32_t(ld_.readable_bytes());
      }
      return put(argument, n);
    }
    default: break;
  }
  // The calls about sessions and groups: only on the caller's controlling terminal. User
  // memory is read and written outside sched_lock (a copy may fault a page in).
  int32_t group = 0;
  if (request == kTiocspgrp && !UserIn<int32_t>(argument).read(&group).ok()) return -kEfault;
  int32_t answer;
  {
    SpinlockGuard guard(sched_lock);
    const bool controlling = lp.tty() == this;
    switch (request) {
      case kTiocgpgrp:
      case kTiocgsid:
        if (!controlling) return -kEnotty;
        answer = int32_t(request == kTiocgpgrp ? foreground_ : session_);
        break;
      case kTiocspgrp:
        if (!controlling || lp.sid() != session_) return -kEnotty;
        if (group < 0) return -kEinval;
        if (!linux_group_in_session(uint64_t(group), session_)) return -kEsrch;
        foreground_ = uint64_t(group);
        return 0;
      case kTiocsctty:
        // Every terminal here belongs to the session it was made for.
        return controlling ? 0 : -kEperm;
      case kTiocnotty:
        if (!controlling) return -kEnotty;
        lp.drop_tty();
        return 0;
      default: return -kEnotty;
    }
  }
  return put(argument, answer);
}

namespace {

uint16_t number_of(lib::StringView s) {
  uint32_t n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9' || n > 9999) return 0;
    n = n * 10 + uint32_t(c - '0');
  }
  return uint16_t(n);
}

}  // namespace

LinuxWinsize linux_window_from_environment(const char* strings, size_t size) {
  LinuxWinsize w{24, 80, 0, 0};
  for (size_t at = 0; at < size;) {
    const lib::StringView entry(strings + at);
    at += entry.size() + 1;
    if (entry.starts_with("COLUMNS=") && number_of(entry.substr(8)))
      w.columns = number_of(entry.substr(8));
    if (entry.starts_with("LINES=") && number_of(entry.substr(6)))
      w.rows = number_of(entry.substr(6));
  }
  return w;
}

}  // namespace kernel
