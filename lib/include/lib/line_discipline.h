#pragma once
// A terminal's line discipline, as Linux's termios describes it (docs/linux.md, "The
// terminal"): what is typed comes in byte by byte and becomes input a program reads, an
// echo to write back to the terminal, and signals for the terminal's foreground process
// group; what a program writes goes out through the output processing. No locking, no
// waiting and no hardware: the kernel's terminal (kernel/linux/linux_tty.h) wraps it with
// those; the host tests it (tests/unit/line_discipline_test.cc).
//
// Served: ICANON (a line edited with VERASE, VKILL, VWERASE, ended by '\n', VEOL, VEOL2 or
// VEOF, read a line at a time; VEOF on an empty line reads as the end of input), ECHO,
// ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL (control bytes echoed as ^X), ISIG (VINTR SIGINT,
// VQUIT SIGQUIT, VSUSP SIGTSTP, the input flushed unless NOFLSH), IEXTEN's VLNEXT, ICRNL,
// INLCR, IGNCR, ISTRIP; OPOST with ONLCR and OCRNL. Not served: IXON's output stop (VSTART
// and VSTOP are ordinary bytes), VREPRINT, VDISCARD, parity, IUCLC/OLCUC, delays.

#include <stddef.h>
#include <stdint.h>

namespace lib {

// Linux's struct termios as the TCGETS/TCSETS ioctls carry it (the kernel's, 36 bytes; the
// C library's has the speeds after it).
struct Termios {
  uint32_t iflag;
  uint32_t oflag;
  uint32_t cflag;
  uint32_t lflag;
  uint8_t line;
  uint8_t cc[19];
};
static_assert(sizeof(Termios) == 36);

namespace termios {
// c_cc indexes.
constexpr int kVintr = 0, kVquit = 1, kVerase = 2, kVkill = 3, kVeof = 4, kVtime = 5, kVmin = 6,
              kVswtc = 7, kVstart = 8, kVstop = 9, kVsusp = 10, kVeol = 11, kVreprint = 12,
              kVdiscard = 13, kVwerase = 14, kVlnext = 15, kVeol2 = 16;
// c_iflag.
constexpr uint32_t kIgnbrk = 01, kIstrip = 040, kInlcr = 0100, kIgncr = 0200, kIcrnl = 0400,
                   kIxon = 02000;
// c_oflag.
constexpr uint32_t kOpost = 01, kOnlcr = 04, kOcrnl = 010;
// c_cflag.
constexpr uint32_t kB38400 = 017, kCs8 = 060, kCread = 0200, kHupcl = 02000;
// c_lflag.
constexpr uint32_t kIsig = 01, kIcanon = 02, kEcho = 010, kEchoe = 020, kEchok = 040,
                   kEchonl = 0100, kNoflsh = 0200, kTostop = 0400, kEchoctl = 01000,
                   kEchoke = 04000, kIexten = 0100000;
// The signals typing may raise (Linux's numbers).
constexpr int kSigint = 2, kSigquit = 3, kSigtstp = 20;

// What a new terminal starts with: Linux's defaults (stty sane).
Termios defaults();
}  // namespace termios

// Bytes written into a fixed buffer; what does not fit is dropped and counted.
struct OutputBuffer {
  uint8_t* data;
  size_t capacity;
  size_t size = 0;
  size_t dropped = 0;

  void put(uint8_t c) {
    if (size < capacity) {
      data[size++] = c;
    } else {
      ++dropped;
    }
  }
  size_t room() const { return capacity - size; }
};

class LineDiscipline {
 public:
  // Input waiting to be read, and the line being edited, at most (Linux's N_TTY_BUF_SIZE):
  // bytes typed past it are dropped, but a line's end, which is always taken (the line is
  // cut short) while any room is left.
  static constexpr size_t kInputBytes = 4096;
  // Complete lines waiting to be read in canonical mode, at most: typing more ends nothing.
  static constexpr size_t kMaxLines = 256;

  LineDiscipline() : termios_(termios::defaults()) {}

  const Termios& termios() const { return termios_; }
  // TCSETS: new settings; flush (TCSETSF) drops what was typed. Leaving canonical mode
  // makes the line being edited readable; entering it makes what is readable one line.
  void set_termios(const Termios& t, bool flush);
  // TCFLSH's input half; also what an interrupt does unless NOFLSH.
  void flush_input();

  // One byte typed: edits or adds to the input, appends its echo to echo, and returns the
  // signal it raises for the foreground group (0: none).
  int type(uint8_t c, OutputBuffer& echo);

  // Whether a read would take something now: a complete line (an empty one at the end of
  // input) in canonical mode, a byte otherwise.
  bool readable() const;
  // Bytes readable now (FIONREAD): those of the complete lines, or every byte.
  size_t readable_bytes() const;
  // Takes at most size readable bytes into out: in canonical mode never past the first
  // line's end (a line ended by VEOF gives its bytes without it; an empty one gives 0 and
  // is used up).
  size_t read(uint8_t* out, size_t size);

  // A program's bytes through the output processing into out: returns how many of data
  // were taken (fewer when out is full; a byte whose expansion does not fit waits).
  size_t write(const uint8_t* data, size_t size, OutputBuffer& out) const;

 private:
  bool canonical() const { return termios_.lflag & termios::kIcanon; }
  bool flag(uint32_t lflag) const { return termios_.lflag & lflag; }
  void echo_byte(uint8_t c, OutputBuffer& echo) const;
  void erase(OutputBuffer& echo);
  void end_line(bool keep_terminator, uint8_t terminator, OutputBuffer& echo);
  void add_line(size_t end);
  bool is_char(int index, uint8_t c) const;

  Termios termios_;
  // Readable input: ready_size_ bytes, in canonical mode cut into lines at line_ends_.
  uint8_t ready_[kInputBytes];
  size_t ready_size_ = 0;
  uint16_t line_ends_[kMaxLines];
  size_t lines_ = 0;
  // The line being edited (canonical mode).
  uint8_t edit_[kInputBytes];
  size_t edit_size_ = 0;
  bool literal_next_ = false;  // VLNEXT came: the next byte is taken as it is
};

}  // namespace lib
