#include <lib/line_discipline.h>

namespace lib {

using namespace termios;

Termios termios::defaults() {
  Termios t{};
  t.iflag = kIcrnl | kIxon;
  t.oflag = kOpost | kOnlcr;
  t.cflag = kB38400 | kCs8 | kCread | kHupcl;
  t.lflag = kIsig | kIcanon | kEcho | kEchoe | kEchok | kEchoctl | kEchoke | kIexten;
  t.cc[kVintr] = 003;
  t.cc[kVquit] = 034;
  t.cc[kVerase] = 0177;
  t.cc[kVkill] = 025;
  t.cc[kVeof] = 004;
  t.cc[kVtime] = 0;
  t.cc[kVmin] = 1;
  t.cc[kVstart] = 021;
  t.cc[kVstop] = 023;
  t.cc[kVsusp] = 032;
  t.cc[kVreprint] = 022;
  t.cc[kVdiscard] = 017;
  t.cc[kVwerase] = 027;
  t.cc[kVlnext] = 026;
  return t;
}

namespace {

bool is_control(uint8_t c) { return c < 0x20 || c == 0x7f; }

}  // namespace

void LineDiscipline::set_termios(const Termios& t, bool flush) {
  const bool was_canonical = canonical();
  termios_ = t;
  if (flush) flush_input();
  if (was_canonical && !canonical()) {
    // What was being edited is input now, and lines are no more.
    for (size_t i = 0; i < edit_size_ && ready_size_ < kInputBytes; ++i)
      ready_[ready_size_++] = edit_[i];
    edit_size_ = 0;
    lines_ = 0;
  } else if (!was_canonical && canonical()) {
    lines_ = 0;
    if (ready_size_) add_line(ready_size_);
  }
}

void LineDiscipline::flush_input() {
  ready_size_ = edit_size_ = lines_ = 0;
  literal_next_ = false;
}

bool LineDiscipline::is_char(int index, uint8_t c) const {
  // A c_cc entry of 0 (_POSIX_VDISABLE) matches nothing.
  return termios_.cc[index] != 0 && termios_.cc[index] == c;
}

void LineDiscipline::echo_byte(uint8_t c, OutputBuffer& echo) const {
  if (is_control(c) && c != '\t' && c != '\n' && flag(kEchoctl)) {
    echo.put('^');
    echo.put(c == 0x7f ? '?' : uint8_t(c + '@'));
    return;
  }
  if (c == '\n' && (termios_.oflag & kOpost) && (termios_.oflag & kOnlcr)) echo.put('\r');
  echo.put(c);
}

// Takes the last byte of the line being edited back, and its echo (two columns for one
// echoed as ^X).
void LineDiscipline::erase(OutputBuffer& echo) {
  if (edit_size_ == 0) return;
  const uint8_t c = edit_[--edit_size_];
  if (!flag(kEcho) || !flag(kEchoe)) return;
  const int columns = is_control(c) && c != '\t' && flag(kEchoctl) ? 2 : 1;
  for (int i = 0; i < columns; ++i) {
    echo.put('\b');
    echo.put(' ');
    echo.put('\b');
  }
}

void LineDiscipline::add_line(size_t end) {
  if (lines_ < kMaxLines) line_ends_[lines_++] = uint16_t(end);
}

// The line being edited becomes readable, with its terminator unless it is VEOF's.
void LineDiscipline::end_line(bool keep_terminator, uint8_t terminator, OutputBuffer& echo) {
  if (lines_ == kMaxLines) return;  // no room for another line: the byte is dropped
  if (keep_terminator && edit_size_ < kInputBytes) edit_[edit_size_++] = terminator;
  if (keep_terminator && (flag(kEcho) || (terminator == '\n' && flag(kEchonl))))
    echo_byte(terminator, echo);
  size_t n = edit_size_;
  if (n > kInputBytes - ready_size_) n = kInputBytes - ready_size_;  // cut short
  __builtin_memcpy(ready_ + ready_size_, edit_, n);
  ready_size_ += n;
  add_line(ready_size_);
  edit_size_ = 0;
}

int LineDiscipline::type(uint8_t c, OutputBuffer& echo) {
  const uint32_t iflag = termios_.iflag;
  if (iflag & kIstrip) c &= 0x7f;
  const bool literal = literal_next_;
  literal_next_ = false;
  if (!literal) {
    if (c == '\r' && (iflag & kIgncr)) return 0;
    if (c == '\r' && (iflag & kIcrnl)) {
      c = '\n';
    } else if (c == '\n' && (iflag & kInlcr)) {
      c = '\r';
    }
    if (flag(kIsig)) {
      const int signal = is_char(kVintr, c)   ? kSigint
                         : is_char(kVquit, c) ? kSigquit
                         : is_char(kVsusp, c) ? kSigtstp
                                              : 0;
      if (signal) {
        if (!flag(kNoflsh)) flush_input();
        if (flag(kEcho)) echo_byte(c, echo);
        return signal;
      }
    }
    if (flag(kIexten) && is_char(kVlnext, c)) {
      literal_next_ = true;
      return 0;
    }
  }
  if (!canonical()) {
    if (ready_size_ < kInputBytes) ready_[ready_size_++] = c;
    if (flag(kEcho) || (c == '\n' && flag(kEchonl))) echo_byte(c, echo);
    return 0;
  }
  if (!literal) {
    if (is_char(kVerase, c)) {
      erase(echo);
      return 0;
    }
    if (is_char(kVkill, c)) {
      const bool visible = flag(kEcho) && flag(kEchoke);
      if (visible) {
        while (edit_size_) erase(echo);
      } else {
        edit_size_ = 0;
        if (flag(kEcho)) echo_byte(c, echo);
        if (flag(kEcho) && flag(kEchok)) echo_byte('\n', echo);
      }
      return 0;
    }
    if (flag(kIexten) && is_char(kVwerase, c)) {
      while (edit_size_ && (edit_[edit_size_ - 1] == ' ' || edit_[edit_size_ - 1] == '\t'))
        erase(echo);
      while (edit_size_ && edit_[edit_size_ - 1] != ' ' && edit_[edit_size_ - 1] != '\t')
        erase(echo);
      return 0;
    }
    if (is_char(kVeof, c)) {
      end_line(false, c, echo);
      return 0;
    }
    if (c == '\n' || is_char(kVeol, c) || is_char(kVeol2, c)) {
      end_line(true, c, echo);
      return 0;
    }
  }
  // An ordinary byte: one is always kept free for the line's end.
  if (edit_size_ + 1 >= kInputBytes) return 0;
  edit_[edit_size_++] = c;
  if (flag(kEcho)) echo_byte(c, echo);
  return 0;
}

bool LineDiscipline::readable() const { return canonical() ? lines_ > 0 : ready_size_ > 0; }

size_t LineDiscipline::readable_bytes() const {
  if (!canonical()) return ready_size_;
  return lines_ ? line_ends_[lines_ - 1] : 0;
}

size_t LineDiscipline::read(uint8_t* out, size_t size) {
  size_t n = ready_size_;
  if (canonical()) {
    if (!lines_) return 0;
    n = line_ends_[0];
  }
  if (n > size) n = size;
  __builtin_memcpy(out, ready_, n);
  __builtin_memmove(ready_, ready_ + n, ready_size_ - n);
  ready_size_ -= n;
  if (!canonical()) return n;
  const bool line_done = line_ends_[0] == n;
  for (size_t i = line_done ? 1 : 0; i < lines_; ++i)
    line_ends_[line_done ? i - 1 : i] = uint16_t(line_ends_[i] - n);
  if (line_done) --lines_;
  return n;
}

size_t LineDiscipline::write(const uint8_t* data, size_t size, OutputBuffer& out) const {
  const bool post = termios_.oflag & kOpost;
  size_t i = 0;
  for (; i < size; ++i) {
    uint8_t c = data[i];
    if (post && c == '\n' && (termios_.oflag & kOnlcr)) {
      if (out.room() < 2) break;
      out.put('\r');
    } else if (post && c == '\r' && (termios_.oflag & kOcrnl)) {
      c = '\n';
    }
    if (out.room() < 1) break;
    out.put(c);
  }
  return i;
}

}  // namespace lib
