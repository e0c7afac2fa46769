#include <lib/line_discipline.h>

#include <gtest/gtest.h>

#include <string>

namespace {

using lib::LineDiscipline;
using namespace lib::termios;

struct Typist {
  LineDiscipline ld;
  std::string echo;
  int last_signal = 0;

  void type(const std::string& s) {
    for (const char c : s) {
      uint8_t buffer[16];
      lib::OutputBuffer out{buffer, sizeof buffer};
      const int signal = ld.type(uint8_t(c), out);
      if (signal) last_signal = signal;
      echo.append(reinterpret_cast<char*>(buffer), out.size);
    }
  }
  std::string read(size_t size = 8192) {
    std::string s(size, '\0');
    s.resize(ld.read(reinterpret_cast<uint8_t*>(s.data()), size));
    return s;
  }
  void set(uint32_t lflag_off, uint32_t lflag_on = 0, uint8_t vmin = 1) {
    lib::Termios t = ld.termios();
    t.lflag = (t.lflag & ~lflag_off) | lflag_on;
    t.cc[kVmin] = vmin;
    ld.set_termios(t, false);
  }
};

TEST(LineDiscipline, CanonicalLinesWithEditingAndEcho) {
  Typist t;
  t.type("helo\x7fl");
  EXPECT_FALSE(t.ld.readable());  // no line yet
  t.type("o\r");                  // ICRNL
  EXPECT_TRUE(t.ld.readable());
  EXPECT_EQ(t.ld.readable_bytes(), 6u);
  EXPECT_EQ(t.echo, "helo\b \blo\r\n");
  t.type("junk\x15two words\x17more\n");
  EXPECT_EQ(t.read(3), "hel");  // a line is read in parts
  EXPECT_EQ(t.read(), "lo\n");  // never past its end
  EXPECT_EQ(t.read(), "two more\n");
  EXPECT_EQ(t.read(), "");
}

TEST(LineDiscipline, EndOfFileAndControlEcho) {
  Typist t;
  t.type("ab\x04");  // VEOF ends the line without itself
  t.type("\x04");    // on an empty line: the end of input
  EXPECT_EQ(t.read(), "ab");
  EXPECT_TRUE(t.ld.readable());
  EXPECT_EQ(t.read(), "");
  EXPECT_FALSE(t.ld.readable());
  t.type("\x01\x7f");  // ^A echoed as two columns, erased as two
  EXPECT_EQ(t.echo, "ab^A\b \b\b \b");
}

TEST(LineDiscipline, SignalsFlushUnlessNoflsh) {
  Typist t;
  t.type("partial\x03");
  EXPECT_EQ(t.last_signal, kSigint);
  EXPECT_FALSE(t.ld.readable());
  t.type("x\n");
  EXPECT_EQ(t.read(), "x\n");
  t.set(0, kNoflsh);
  t.type("kept\x1c\n");
  EXPECT_EQ(t.last_signal, kSigquit);
  EXPECT_EQ(t.read(), "kept\n");
  t.set(kIsig);
  t.last_signal = 0;
  t.type("\x03\n");  // without ISIG a byte like another
  EXPECT_EQ(t.last_signal, 0);
  EXPECT_EQ(t.read(), "\x03\n");
}

TEST(LineDiscipline, RawModeTakesBytesAsTheyCome) {
  Typist t;
  t.type("half");
  t.set(kIcanon | kEcho);  // the line being edited becomes input
  t.type("\x7f\r");        // no editing; ICRNL still applies
  EXPECT_EQ(t.ld.readable_bytes(), 6u);
  EXPECT_EQ(t.read(2), "ha");
  EXPECT_EQ(t.read(), "lf\x7f\n");
  EXPECT_EQ(t.echo, "half");
  t.type("\x16\x03");  // VLNEXT is an IEXTEN key, and ISIG is still on
  EXPECT_EQ(t.last_signal, 0);
  EXPECT_EQ(t.read(), "\x03");
}

TEST(LineDiscipline, BoundsAtAndBeyond) {
  Typist t;
  t.type(std::string(LineDiscipline::kInputBytes + 10, 'a'));
  EXPECT_FALSE(t.ld.readable());
  t.type("\n");  // the end of a full line is still taken
  EXPECT_EQ(t.ld.readable_bytes(), LineDiscipline::kInputBytes);
  const std::string line = t.read();
  EXPECT_EQ(line.size(), LineDiscipline::kInputBytes);
  EXPECT_EQ(line.back(), '\n');
  for (size_t i = 0; i < LineDiscipline::kMaxLines + 5; ++i) t.type("\n");
  size_t lines = 0;
  while (t.ld.readable()) {
    EXPECT_EQ(t.read(), "\n");
    ++lines;
  }
  EXPECT_EQ(lines, LineDiscipline::kMaxLines);
  t.set(kIcanon);
  t.type(std::string(LineDiscipline::kInputBytes + 1, 'b'));
  EXPECT_EQ(t.ld.readable_bytes(), LineDiscipline::kInputBytes);
}

TEST(LineDiscipline, OutputProcessing) {
  LineDiscipline ld;
  uint8_t buffer[5];
  lib::OutputBuffer out{buffer, sizeof buffer};
  const uint8_t text[] = {'a', '\n', 'b', '\n'};
  EXPECT_EQ(ld.write(text, sizeof text, out), 3u);  // the last expansion does not fit
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), out.size), "a\r\nb");
  lib::Termios t = ld.termios();
  t.oflag &= ~kOpost;
  ld.set_termios(t, true);
  lib::OutputBuffer raw{buffer, sizeof buffer};
  EXPECT_EQ(ld.write(text, sizeof text, raw), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), raw.size), "a\nb\n");
}

}  // namespace
